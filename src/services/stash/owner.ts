// The owner's side: sealing this nara's own stash, storing it with confidants, and keeping enough of them.
import { candidateConfidants } from './confidants.js'
import { NoConfidantError, NotEnoughPeersError, StashTooLargeError } from './errors.js'
import { Observations } from './observations.js'
import { MAX_PLAINTEXT_BYTES, type StashAck, type StashStore } from './payloads.js'
import { encodeSealed, type SealedConfidant } from './sealed.js'
import type { StashContext } from './context.js'
import type { ResolvedStashOptions } from './options.js'
import type { OpenedCopy } from './recovery.js'
import type { NaraID } from '../../identity/index.js'

/** A nara keeping this nara's stash. */
export interface Confidant {
  /** its NaraID */
  readonly id: NaraID
  /** its name */
  readonly name: string
}

/** What `set` achieved. */
export interface StoreReport {
  /** the version stored */
  readonly version: number
  /** the confidants that acknowledged it */
  readonly confidants: Confidant[]
  /** the candidates that refused or did not answer, and why */
  readonly failures: Array<{ id: NaraID, error: string }>
}

/** The options the owner's side reads. */
export type OwnerOptions = Pick<ResolvedStashOptions, 'targetConfidants' | 'minConfidants' | 'storeTimeoutMs'>

/**
 * The owner's side of the stash: seals the plaintext (with the list of its
 * confidants inside), stores it with online peers it trusts by its own observation,
 * each of which must acknowledge, and repairs: a confidant dropped (gone offline,
 * failed an audit) is replaced, one repair at a time.
 */
export class OwnerSide {
  /** what this nara saw of its confidants: confidant choice trusts this, not what peers claim */
  readonly observations = new Observations()
  /** successful `set`s */
  stores = 0
  /** confidants added after the last `set` or recovery */
  repairs = 0
  private data?: Uint8Array
  private version = 0
  private storedAt?: number
  private readonly confidantsById = new Map<NaraID, SealedConfidant>()
  /** the exact store each confidant acknowledged: audits are checked against it */
  private readonly storedWith = new Map<NaraID, StashStore>()
  /** repairs run one at a time, so two at once cannot pick the same replacement */
  private maintenance: Promise<void> = Promise.resolve()
  /** a top-up is queued and not started yet: another one would do the same work */
  private topUpQueued = false
  /** how many confidants the stash had when "fewer confidants than wanted" was last said */
  private shortWarnedAt?: number

  constructor (private readonly ctx: StashContext, private readonly options: OwnerOptions) {}

  /** The current plaintext, or undefined when there is none. */
  get (): Uint8Array | undefined {
    return this.data
  }

  /** The version of the current stash (0 when there is none). */
  currentVersion (): number {
    return this.version
  }

  /** When a confidant last acknowledged storing this nara's stash (ms since the Unix epoch). */
  lastStoredAt (): number | undefined {
    return this.storedAt
  }

  /** The confidants keeping the current stash, with the keys they are listed with inside it. */
  confidants (): SealedConfidant[] {
    return [...this.confidantsById.values()]
  }

  /** Whether `count` confidants (by default, those it has) are fewer than the stash wants. */
  short (count = this.confidantsById.size): boolean {
    return count < this.options.targetConfidants
  }

  /** The exact store `id` acknowledged, which its audits are checked against. */
  storedWithConfidant (id: NaraID): StashStore | undefined {
    return this.storedWith.get(id)
  }

  /**
   * Seals `data` and stores it with up to `targetConfidants` online peers, highest
   * uptime first; each must acknowledge. Throws when too large, when too few peers
   * are online, or when no confidant acknowledged (the previous stash then stays).
   */
  async set (data: Uint8Array): Promise<StoreReport> {
    if (data.byteLength > MAX_PLAINTEXT_BYTES) throw new StashTooLargeError(data.byteLength, MAX_PLAINTEXT_BYTES)
    const me = this.ctx.rt.me().id
    const candidates = candidateConfidants(this.ctx.rt, this.observations, new Set([me]))
    if (candidates.length < this.options.minConfidants) throw new NotEnoughPeersError(candidates.length, this.options.minConfidants)
    const version = Math.max(Date.now(), this.version + 1)
    const intended = candidates.slice(0, this.options.targetConfidants)
    const payload = await this.sealedStore(version, data, intended)
    const confidants: SealedConfidant[] = []
    const failures: StoreReport['failures'] = []
    // One worker per confidant slot, in parallel: a slot whose candidate fails moves on to the next in line.
    let next = 0
    const fillSlot = async (): Promise<void> => {
      while (next < candidates.length) {
        const peer = candidates[next++]
        try {
          await this.storeWith(peer.id, payload)
          confidants.push(peer)
          return
        } catch (err) {
          failures.push({ id: peer.id, error: (err as Error).message })
        }
      }
    }
    await Promise.all(intended.map(fillSlot))
    if (confidants.length === 0) throw new NoConfidantError(failures)
    this.data = data
    this.version = version
    this.confidantsById.clear()
    for (const c of confidants) this.confidantsById.set(c.id, c)
    this.shortWarnedAt = undefined
    for (const id of this.storedWith.keys()) if (!this.confidantsById.has(id)) this.storedWith.delete(id)
    this.stores++
    // A replacement stepped in for a candidate that failed: the copies must name who really holds them.
    if (!sameIds(confidants, intended)) await this.restore(version, data, confidants)
    this.ctx.log.info('stash stored', { version, confidants: confidants.map(c => c.name), failures: failures.length })
    return { version, confidants: confidants.map(({ id, name }) => ({ id, name })), failures }
  }

  /**
   * Takes what recovery brought back: the newest version, which every copy in `holders`
   * is of; those whose key is known become the confidants, each holding its copy.
   */
  adopt (version: number, holders: readonly OpenedCopy[]): void {
    this.data = holders[0].data
    this.version = version
    this.confidantsById.clear()
    this.storedWith.clear()
    for (const { from, sealed } of holders) {
      const publicKey = holders[0].confidants.find(c => c.id === from.id)?.publicKey ?? this.ctx.rt.publicKeyOf(from.id)
      if (publicKey === undefined) continue
      this.confidantsById.set(from.id, { ...from, publicKey })
      this.storedWith.set(from.id, { ownerId: this.ctx.rt.me().id, version, ...sealed })
    }
  }

  /** Drops a confidant (and the copy it was given); true when it was one. */
  forget (id: NaraID): boolean {
    this.storedWith.delete(id)
    return this.confidantsById.delete(id)
  }

  /** Queues a top-up: more confidants until the stash has as many as it wants. */
  repair (): void {
    if (this.topUpQueued) return
    this.topUpQueued = true
    this.maintenance = this.maintenance
      .then(async () => {
        this.topUpQueued = false
        await this.topUp()
      })
      .catch((err: Error) => { this.ctx.log.warn('repair failed', { err: err.message }) })
  }

  /** Stores the current stash with more confidants until it has as many as it wants. */
  private async topUp (): Promise<void> {
    if (this.ctx.stopped || this.data === undefined || !this.short()) return
    const me = this.ctx.rt.me().id
    for (const peer of candidateConfidants(this.ctx.rt, this.observations, new Set([me, ...this.confidantsById.keys()]), this.confidantsById.keys())) {
      if (this.ctx.stopped || this.data === undefined || !this.short()) return
      try {
        const payload = await this.sealedStore(this.version, this.data, [...this.confidantsById.values(), peer])
        await this.storeWith(peer.id, payload)
        if (payload.version !== this.version) {
          // A set() finished while this store was on its way (a peer behind a partition answers
          // late): this peer holds an outdated copy, so it is no confidant yet. Try again with the new one.
          this.storedWith.delete(peer.id)
          this.repair()
          return
        }
        // The other copies name the confidant it replaced, not this one: a reborn owner that
        // opened one of those would ask the dead one, end its recovery without the new
        // holder's copy, and keep one confidant fewer. Store the same version again with
        // the true list before the repair counts as done, so every copy names every holder.
        const holders = [...this.confidantsById.values()]
        await this.restore(this.version, this.data, holders, [...holders, peer])
        this.confidantsById.set(peer.id, peer)
        this.repairs++
        this.ctx.log.info('new confidant', { confidant: peer.name, confidants: this.confidantsById.size })
      } catch (err) {
        this.ctx.log.warn('candidate confidant refused', { peer: peer.name, peerId: peer.id, err: (err as Error).message })
      }
    }
    // said once per shortfall: audit rounds top up a short stash again and again (a swarm of three stays short)
    if (!this.short()) this.shortWarnedAt = undefined
    else if (this.shortWarnedAt !== this.confidantsById.size) {
      this.shortWarnedAt = this.confidantsById.size
      this.ctx.log.warn('fewer confidants than wanted', { confidants: this.confidantsById.size, wanted: this.options.targetConfidants })
    }
  }

  private async storeWith (peer: NaraID, payload: StashStore): Promise<void> {
    const reply = await this.ctx.rt.call({ kind: 'stash:store', to: peer, payload }, { timeoutMs: this.options.storeTimeoutMs })
    const ack = reply.payload as StashAck
    if (reply.kind !== 'stash:ack' || ack.version !== payload.version) {
      throw new Error(`unexpected reply ${reply.kind} (version ${ack.version})`)
    }
    this.storedWith.set(peer, payload)
    this.observations.succeeded(peer)
    this.storedAt = Date.now()
  }

  private async sealedStore (version: number, data: Uint8Array, confidants: readonly SealedConfidant[]): Promise<StashStore> {
    const sealed = await this.ctx.rt.seal(encodeSealed({ version, confidants, data }))
    return { ownerId: this.ctx.rt.me().id, version, nonce: sealed.nonce, ciphertext: sealed.ciphertext }
  }

  /** Stores the same version again with `to`, naming the confidants that really hold it (`holders`, by default those). */
  private async restore (version: number, data: Uint8Array, to: readonly SealedConfidant[], holders: readonly SealedConfidant[] = to): Promise<void> {
    const payload = await this.sealedStore(version, data, holders)
    await Promise.all(to.map(async (c) => {
      await this.storeWith(c.id, payload).catch((err: Error) => { this.ctx.log.warn('could not update a confidant\'s copy', { confidant: c.name, err: err.message }) })
    }))
  }
}

function sameIds (a: readonly SealedConfidant[], b: readonly SealedConfidant[]): boolean {
  const ids = new Set(a.map(c => c.id))
  return a.length === b.length && b.every(c => ids.has(c.id))
}
