// Recovery's bookkeeping (no network): which copies came, who is still to answer, when it is over.
import type { SealedConfidant } from './sealed.js'
import type { StashRecovered } from './payloads.js'
import type { NaraID } from '../../identity/index.js'

/** How long the boot-time recovery waits. */
export interface RecoveryOptions {
  /** give up waiting for confidants this long after the refresh broadcast @default 15000 */
  recoveryDeadlineMs: number
}

/** A confidant's copy, opened: the owner has checked it is what its label says. */
export interface OpenedCopy {
  /** the confidant it came from */
  readonly from: { readonly id: NaraID, readonly name: string }
  /** the version sealed inside, which matched its label */
  readonly version: number
  /** the plaintext */
  readonly data: Uint8Array
  /** the confidants this version was stored with, as sealed inside it */
  readonly confidants: readonly SealedConfidant[]
  /** the exact sealed bytes it holds, which later audits of it are checked against */
  readonly sealed: { readonly nonce: Uint8Array, readonly ciphertext: Uint8Array }
}

/**
 * The boot-time gathering of a stash's copies. The first copy opened names the
 * confidants its version was stored with; those not yet heard from are asked
 * directly, and recovery finishes as soon as every one of them has answered or
 * failed. No fixed quiet window: with all answers in it ends at once, and only a
 * nara that hears from nobody waits for the deadline (and recovers nothing).
 */
export class Recovery {
  private state: 'idle' | 'collecting' | 'finishing' | 'done' = 'idle'
  /** the newest usable copy from each confidant */
  private readonly copies = new Map<NaraID, OpenedCopy>()
  /** confidants that answered (with a copy or without one) or could not be reached */
  private readonly settled = new Set<NaraID>()
  private readonly asked = new Set<NaraID>()
  private deadline?: ReturnType<typeof setTimeout>
  private readonly result = Promise.withResolvers<StashRecovered>()
  private readonly deadlineMs: number

  constructor (
    options: Partial<RecoveryOptions>,
    private readonly finish: (copies: OpenedCopy[]) => Promise<void>
  ) {
    this.deadlineMs = options.recoveryDeadlineMs ?? 15_000
  }

  /** Whether answers are still taken. */
  get collecting (): boolean {
    return this.state === 'collecting'
  }

  /** Whether any nara has answered yet (with a copy or without). */
  get heardAny (): boolean {
    return this.settled.size > 0
  }

  /** Whether recovery has begun and not yet finished. */
  get pending (): boolean {
    return this.state === 'collecting' || this.state === 'finishing'
  }

  /** Starts collecting, and the deadline after which recovery ends with what it has. */
  begin (): void {
    if (this.state !== 'idle') return
    this.state = 'collecting'
    this.deadline = setTimeout(() => { void this.close() }, this.deadlineMs)
    this.deadline.unref?.() // absent in browsers, where setTimeout returns a number
  }

  /**
   * A nara answered: with a copy that opened, or with nothing usable. Returns the
   * confidants now known to hold this stash that nobody has asked yet: ask them.
   */
  answer (from: NaraID, copy?: OpenedCopy): SealedConfidant[] {
    if (this.state !== 'collecting') return []
    this.settled.add(from)
    const previous = this.copies.get(from)
    if (copy !== undefined && (previous === undefined || previous.version < copy.version)) this.copies.set(from, copy)
    const toAsk = this.expected().filter(c => !this.settled.has(c.id) && !this.asked.has(c.id))
    for (const c of toAsk) this.asked.add(c.id)
    this.closeIfComplete()
    return this.collecting ? toAsk : []
  }

  /** A confidant that was asked could not be reached, or refused. */
  failed (id: NaraID): void {
    if (this.state !== 'collecting') return
    this.settled.add(id)
    this.closeIfComplete()
  }

  /**
   * Peer routing says nobody holds this stash, and no copy has come: end now with
   * nothing rather than at the deadline (a nara's first start, most often).
   */
  nobodyHolds (): void {
    if (this.state === 'collecting' && this.copies.size === 0 && this.asked.size === 0) void this.close()
  }

  /** Settles `done()`; called by `finish` once it has emitted stash:recovered. */
  resolve (recovered: StashRecovered): void {
    this.state = 'done'
    this.result.resolve(recovered)
  }

  /** Resolves with what was recovered once it is over (at once when it never began). */
  async done (): Promise<StashRecovered> {
    if (this.state === 'idle') return { count: 0, version: 0 }
    return await this.result.promise
  }

  /** Stops the deadline; a recovery not yet done resolves with nothing. */
  cancel (): void {
    clearTimeout(this.deadline)
    if (this.state !== 'done') this.resolve({ count: 0, version: 0 })
  }

  /** The confidants the newest version opened so far was stored with. */
  private expected (): SealedConfidant[] {
    const newest = Math.max(0, ...[...this.copies.values()].map(c => c.version))
    const byId = new Map<NaraID, SealedConfidant>()
    for (const copy of this.copies.values()) {
      if (copy.version === newest) for (const c of copy.confidants) byId.set(c.id, c)
    }
    return [...byId.values()]
  }

  private closeIfComplete (): void {
    if (this.copies.size > 0 && this.expected().every(c => this.settled.has(c.id))) void this.close()
  }

  private async close (): Promise<void> {
    if (this.state !== 'collecting') return
    this.state = 'finishing'
    clearTimeout(this.deadline)
    await this.finish([...this.copies.values()])
  }
}
