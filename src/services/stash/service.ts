import { registerStashBehaviors, type StashHandlers } from './behaviors.js'
import { rankConfidants } from './confidants.js'
import { NoConfidantError, NotEnoughPeersError, StashTooLargeError } from './errors.js'
import { MAX_PLAINTEXT_BYTES, type StashRecovered, type StashResponse, type StashStore, type StashRequest, type StashAck } from './payloads.js'
import { Recovery, type RecoveryOptions } from './recovery.js'
import { Refusal } from '../../runtime/index.js'
import type { BehaviorRegistrar, Logger, MemoryMode, Message, Runtime, Service } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** A stash a confidant holds for an owner: ciphertext it cannot read. */
export interface EncryptedStash {
  readonly ownerId: NaraID
  readonly version: number
  readonly nonce: Uint8Array
  readonly ciphertext: Uint8Array
  /** when this confidant stored it (ms since the Unix epoch) */
  readonly storedAt: number
}

/** Owners a confidant keeps stashes for, by memory mode. */
export const CAPACITY_BY_MEMORY_MODE: Readonly<Record<MemoryMode, number>> = { low: 5, medium: 20, high: 50 }

export interface StashOptions extends Partial<RecoveryOptions> {
  /** how many confidants keep each stash @default 3 */
  targetConfidants?: number
  /** fewer online peers than this and `set` fails at once @default 1 */
  minConfidants?: number
  /** how long to wait for each confidant's ack @default 5000 */
  storeTimeoutMs?: number
  /** broadcast stash:refresh on start and recover @default true */
  recoverOnStart?: boolean
}

export interface Confidant { readonly id: NaraID, readonly name: string }

/** What `set` achieved. */
export interface StoreReport {
  readonly version: number
  readonly confidants: Confidant[]
  readonly failures: Array<{ id: NaraID, error: string }>
}

/**
 * Keeps this nara's small encrypted state on a few peers (its confidants), and
 * keeps other naras' stashes in memory as their confidant. On start it asks the
 * swarm for its own stash back and emits the local `stash:recovered`.
 */
export class StashService implements Service, BehaviorRegistrar, StashHandlers {
  readonly name = 'stash'
  /** stashes held for other naras, by owner */
  stored = new Map<NaraID, EncryptedStash>()
  private rt!: Runtime
  private log!: Logger
  private readonly options: Required<Omit<StashOptions, keyof RecoveryOptions>>
  private readonly recovery: Recovery
  private data?: Uint8Array
  private version = 0
  private readonly myConfidants = new Map<NaraID, Confidant>()
  private unsubscribe: Array<() => void> = []

  constructor (options: StashOptions = {}) {
    this.options = {
      targetConfidants: options.targetConfidants ?? 3,
      minConfidants: options.minConfidants ?? 1,
      storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
      recoverOnStart: options.recoverOnStart ?? true
    }
    this.recovery = new Recovery(options, async (result) => { await this.finishRecovery(result) })
  }

  init (rt: Runtime): void {
    this.rt = rt
    this.log = rt.log('stash')
    this.stored = new Map()
    this.registerBehaviors(rt)
  }

  registerBehaviors (rt: Runtime): void {
    registerStashBehaviors(rt, this)
  }

  async start (): Promise<void> {
    // Repair: when a confidant goes away, another one takes its place.
    this.unsubscribe.push(this.rt.on('presence:peer-offline', async (msg) => {
      await this.replaceConfidant((msg.payload as { id: NaraID }).id)
    }))
    if (this.options.recoverOnStart) await this.recover()
  }

  async stop (): Promise<void> {
    this.recovery.cancel()
    for (const off of this.unsubscribe) off()
    this.unsubscribe = []
  }

  /** The current plaintext, or undefined when there is none. */
  get (): Uint8Array | undefined {
    return this.data
  }

  /** The version of the current stash (0 when there is none). */
  currentVersion (): number {
    return this.version
  }

  confidants (): Confidant[] {
    return [...this.myConfidants.values()]
  }

  /** Resolves when the boot-time recovery has finished (at once when it never started). */
  async recovered (): Promise<StashRecovered> {
    return await this.recovery.done()
  }

  /**
   * Seals `data` and stores it with up to `targetConfidants` online peers, highest
   * uptime first; each must acknowledge. Throws when too large, when too few peers
   * are online, or when no confidant acknowledged (the previous stash then stays).
   */
  async set (data: Uint8Array): Promise<StoreReport> {
    if (data.byteLength > MAX_PLAINTEXT_BYTES) throw new StashTooLargeError(data.byteLength, MAX_PLAINTEXT_BYTES)
    const me = this.rt.me().id
    const candidates = rankConfidants(this.rt.onlinePeers(), new Set([me]))
    if (candidates.length < this.options.minConfidants) throw new NotEnoughPeersError(candidates.length, this.options.minConfidants)
    const version = Math.max(Date.now(), this.version + 1)
    const sealed = await this.rt.seal(data)
    const payload: StashStore = { ownerId: me, version, nonce: sealed.nonce, ciphertext: sealed.ciphertext }
    const confidants: Confidant[] = []
    const failures: StoreReport['failures'] = []
    // One worker per confidant slot, in parallel: a slot whose candidate fails moves on to the next in line.
    let next = 0
    const fillSlot = async (): Promise<void> => {
      while (next < candidates.length) {
        const peer = candidates[next++]
        try {
          await this.storeWith(peer.id, payload)
          confidants.push({ id: peer.id, name: peer.name })
          return
        } catch (err) {
          failures.push({ id: peer.id, error: (err as Error).message })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.options.targetConfidants, candidates.length) }, fillSlot))
    if (confidants.length === 0) throw new NoConfidantError(failures)
    this.data = data
    this.version = version
    this.myConfidants.clear()
    for (const c of confidants) this.myConfidants.set(c.id, c)
    this.log.info('stash stored', { version, confidants: confidants.map(c => c.name), failures: failures.length })
    return { version, confidants, failures }
  }

  /** Asks one confidant for the stash it holds for this nara. */
  async fetchFrom (confidant: NaraID): Promise<StashResponse> {
    const reply = await this.rt.call({ kind: 'stash:request', to: confidant, payload: { ownerId: this.rt.me().id } })
    return reply.payload as StashResponse
  }

  /** Broadcasts stash:refresh and collects confidants' answers until recovery finishes. */
  async recover (): Promise<void> {
    this.recovery.begin()
    try {
      await this.rt.emit({ kind: 'stash:refresh', payload: {} })
    } catch (err) {
      this.log.warn('could not broadcast stash:refresh', { err: (err as Error).message })
    }
  }

  // --- handlers: business logic only; the runtime has verified and validated everything ---

  async store (msg: Message<StashStore>, p: StashStore): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'only the owner may store its stash')
    const held = this.stored.get(p.ownerId)
    const capacity = CAPACITY_BY_MEMORY_MODE[this.rt.memoryMode]
    if (held === undefined && this.stored.size >= capacity) {
      throw new Refusal('storage-full', `holding ${capacity} stashes already (memory mode ${this.rt.memoryMode})`)
    }
    if (held !== undefined && held.version > p.version) {
      throw new Refusal('stale-version', `holding newer version ${held.version}`)
    }
    this.log.info('storing stash', { from: msg.fromId, version: p.version, bytes: p.ciphertext.byteLength })
    this.stored.set(p.ownerId, { ownerId: p.ownerId, version: p.version, nonce: p.nonce, ciphertext: p.ciphertext, storedAt: Date.now() })
    await this.reply<StashAck>(msg, 'stash:ack', { ownerId: p.ownerId, version: p.version })
  }

  async request (msg: Message<StashRequest>, p: StashRequest): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'a stash is only returned to its owner')
    await this.reply<StashResponse>(msg, 'stash:response', this.responseFor(p.ownerId))
  }

  async refresh (msg: Message): Promise<void> {
    if (!this.stored.has(msg.fromId)) return
    this.log.info('returning stash to its owner', { owner: msg.fromId })
    await this.rt.emit({ kind: 'stash:response', to: msg.fromId, payload: this.responseFor(msg.fromId) })
  }

  async response (msg: Message<StashResponse>, p: StashResponse): Promise<void> {
    if (p.ownerId !== this.rt.me().id || !p.found) return
    this.recovery.offer({ from: { id: msg.fromId, name: msg.fromName }, response: p })
  }

  // --- internals ---

  private responseFor (ownerId: NaraID): StashResponse {
    const held = this.stored.get(ownerId)
    return held === undefined
      ? { ownerId, found: false, version: 0, nonce: new Uint8Array(0), ciphertext: new Uint8Array(0) }
      : { ownerId, found: true, version: held.version, nonce: held.nonce, ciphertext: held.ciphertext }
  }

  private async reply<P> (request: Message, kind: string, payload: P): Promise<void> {
    await this.rt.emit({ kind, to: request.fromId, inReplyTo: request.id, payload })
  }

  private async storeWith (peer: NaraID, payload: StashStore): Promise<void> {
    const reply = await this.rt.call({ kind: 'stash:store', to: peer, payload }, { timeoutMs: this.options.storeTimeoutMs })
    const ack = reply.payload as StashAck
    if (reply.kind !== 'stash:ack' || ack.version !== payload.version) {
      throw new Error(`unexpected reply ${reply.kind} (version ${ack.version})`)
    }
  }

  private async finishRecovery (result: { copies: Array<{ from: Confidant, response: StashResponse }> }): Promise<void> {
    let count = 0
    const newest = result.copies.reduce<StashResponse | undefined>((best, c) => (best === undefined || c.response.version > best.version) ? c.response : best, undefined)
    if (newest !== undefined) {
      try {
        this.data = await this.rt.open({ nonce: newest.nonce, ciphertext: newest.ciphertext })
        this.version = newest.version
        this.myConfidants.clear()
        for (const c of result.copies) if (c.response.version === newest.version) this.myConfidants.set(c.from.id, c.from)
        count = result.copies.length
        this.log.info('stash recovered', { version: newest.version, copies: count })
      } catch (err) {
        this.log.error('cannot open recovered stash', { err: (err as Error).message, version: newest.version })
      }
    }
    const payload: StashRecovered = { count, version: count > 0 ? this.version : 0 }
    await this.rt.emit({ kind: 'stash:recovered', payload })
    this.recovery.resolve(payload)
  }

  private async replaceConfidant (gone: NaraID): Promise<void> {
    if (!this.myConfidants.delete(gone) || this.data === undefined) return
    const exclude = new Set([this.rt.me().id, gone, ...this.myConfidants.keys()])
    const payload: StashStore = { ownerId: this.rt.me().id, version: this.version, ...(await this.rt.seal(this.data)) }
    for (const peer of rankConfidants(this.rt.onlinePeers(), exclude)) {
      try {
        await this.storeWith(peer.id, payload)
        this.myConfidants.set(peer.id, { id: peer.id, name: peer.name })
        this.log.info('confidant replaced', { gone, replacement: peer.name })
        return
      } catch (err) {
        this.log.warn('replacement confidant refused', { peer: peer.id, err: (err as Error).message })
      }
    }
    this.log.warn('no replacement confidant available', { gone })
  }
}
