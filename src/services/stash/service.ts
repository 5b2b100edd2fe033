import { registerStashBehaviors, type StashHandlers } from './behaviors.js'
import { rankConfidants } from './confidants.js'
import { NoConfidantError, NotEnoughPeersError, StashTooLargeError } from './errors.js'
import { MAX_PLAINTEXT_BYTES, type StashRecovered, type StashResponse, type StashStore, type StashRequest, type StashAck } from './payloads.js'
import { Recovery, type RecoveredCopy, type RecoveryOptions } from './recovery.js'
import { splitVersion, withVersion } from './versioned.js'
import { Refusal } from '../../runtime/index.js'
import type { BehaviorRegistrar, Logger, MemoryMode, Message, Runtime, Service } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** A stash a confidant holds for an owner: ciphertext it cannot read. */
export interface EncryptedStash {
  readonly ownerId: NaraID
  /** the owner's name, as its signed store said */
  readonly ownerName: string
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

/** What the stash has done since this nara started, for monitoring (the metrics read it). */
export interface StashStats {
  /** stashes held for other naras, and their ciphertext bytes */
  readonly held: number
  readonly heldBytes: number
  /** how many stashes this nara may hold (by memory mode) */
  readonly capacity: number
  /** confidants keeping this nara's own stash */
  readonly confidants: number
  /** successful `set`s of this nara's own stash */
  readonly stores: number
  /** stores accepted from other naras as their confidant */
  readonly storesAccepted: number
  /** confidants added after the last `set` or recovery, replacing lost ones or filling empty places */
  readonly repairs: number
  /** the boot-time recovery, once it has finished */
  readonly recovery?: { readonly recovered: boolean, readonly durationMs: number }
}

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
  /** repairs run one at a time, so two at once cannot pick the same replacement */
  private maintenance: Promise<void> = Promise.resolve()
  private stopped = false
  private counts = { stores: 0, storesAccepted: 0, repairs: 0 }
  private recoveryStartedAt?: number
  private recoveryResult?: StashStats['recovery']

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
    this.stopped = false
    // Repair: a confidant that goes away (or restarts, losing its memory) is replaced;
    // a peer coming online fills a stash that has fewer confidants than it wants.
    this.unsubscribe.push(this.rt.on('presence:peer-offline', (msg) => {
      if (this.myConfidants.delete((msg.payload as { id: NaraID }).id)) this.repair()
    }))
    this.unsubscribe.push(this.rt.on('presence:peer-online', () => {
      if (this.myConfidants.size < this.options.targetConfidants) this.repair()
    }))
    if (this.options.recoverOnStart) await this.recover()
  }

  async stop (): Promise<void> {
    this.stopped = true
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

  stats (): StashStats {
    let heldBytes = 0
    for (const s of this.stored.values()) heldBytes += s.ciphertext.byteLength
    return {
      held: this.stored.size,
      heldBytes,
      capacity: CAPACITY_BY_MEMORY_MODE[this.rt.memoryMode],
      confidants: this.myConfidants.size,
      ...this.counts,
      ...(this.recoveryResult !== undefined ? { recovery: this.recoveryResult } : {})
    }
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
    const sealed = await this.rt.seal(withVersion(version, data))
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
    this.counts.stores++
    this.log.info('stash stored', { version, confidants: confidants.map(c => c.name), failures: failures.length })
    return { version, confidants, failures }
  }

  /**
   * Asks one confidant for the stash it holds for this nara and opens it; undefined
   * when it holds none, or holds one that does not open to what its label says.
   */
  async fetchFrom (confidant: NaraID): Promise<{ version: number, data: Uint8Array } | undefined> {
    const reply = await this.rt.call({ kind: 'stash:request', to: confidant, payload: { ownerId: this.rt.me().id } })
    const response = reply.payload as StashResponse
    if (!response.found) return undefined
    const data = await this.openCopy({ from: { id: reply.fromId, name: reply.fromName }, response })
    return data === undefined ? undefined : { version: response.version, data }
  }

  /** Broadcasts stash:refresh and collects confidants' answers until recovery finishes. */
  async recover (): Promise<void> {
    this.recoveryStartedAt ??= performance.now()
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
    if (held === undefined && this.stored.size >= capacity && !this.evictOffline()) {
      throw new Refusal('storage-full', `holding ${capacity} stashes already (memory mode ${this.rt.memoryMode})`)
    }
    if (held !== undefined && held.version > p.version) {
      throw new Refusal('stale-version', `holding newer version ${held.version}`)
    }
    this.log.info('storing stash', { owner: msg.fromName, ownerId: msg.fromId, version: p.version, bytes: p.ciphertext.byteLength })
    this.stored.set(p.ownerId, { ownerId: p.ownerId, ownerName: msg.fromName, version: p.version, nonce: p.nonce, ciphertext: p.ciphertext, storedAt: Date.now() })
    this.counts.storesAccepted++
    await this.reply<StashAck>(msg, 'stash:ack', { ownerId: p.ownerId, version: p.version })
  }

  async request (msg: Message<StashRequest>, p: StashRequest): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'a stash is only returned to its owner')
    await this.reply<StashResponse>(msg, 'stash:response', this.responseFor(p.ownerId))
  }

  async refresh (msg: Message): Promise<void> {
    if (!this.stored.has(msg.fromId)) return
    this.log.info('returning stash to its owner', { owner: msg.fromName, ownerId: msg.fromId })
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

  private async finishRecovery ({ copies }: { copies: RecoveredCopy[] }): Promise<void> {
    if (this.stopped) return
    const recovered = await this.openNewest(copies)
    let payload: StashRecovered = { count: 0, version: 0 }
    if (recovered !== undefined) {
      this.data = recovered.data
      this.version = recovered.version
      this.myConfidants.clear()
      for (const c of recovered.holders) this.myConfidants.set(c.id, c)
      payload = { count: recovered.holders.length, version: recovered.version }
      this.log.info('stash recovered', { version: recovered.version, copies: recovered.holders.length, from: recovered.holders.map(c => c.name) })
    }
    this.recoveryResult = { recovered: recovered !== undefined, durationMs: performance.now() - (this.recoveryStartedAt ?? performance.now()) }
    await this.rt.emit({ kind: 'stash:recovered', payload })
    this.recovery.resolve(payload)
  }

  /**
   * Opens the newest copy that really is what its label says (the version sealed
   * inside matches), falling back to older ones; copies older than what this nara
   * already has (a `set` during recovery) are ignored.
   */
  private async openNewest (copies: RecoveredCopy[]): Promise<{ version: number, data: Uint8Array, holders: Confidant[] } | undefined> {
    const candidates = copies.filter(c => c.response.version > this.version).sort((a, b) => b.response.version - a.response.version)
    for (const copy of candidates) {
      const data = await this.openCopy(copy)
      if (data === undefined) continue
      const holders: Confidant[] = []
      for (const other of candidates) {
        if (other.response.version === copy.response.version && (other === copy || await this.openCopy(other) !== undefined)) holders.push(other.from)
      }
      return { version: copy.response.version, data, holders }
    }
    if (candidates.length > 0) this.log.error('cannot open any recovered stash copy', { copies: candidates.length })
    return undefined
  }

  private async openCopy ({ from, response }: RecoveredCopy): Promise<Uint8Array | undefined> {
    try {
      const inner = splitVersion(await this.rt.open(response))
      if (inner?.version === response.version) return inner.data
      this.log.warn('recovered copy is labelled with the wrong version', { from: from.name, fromId: from.id, label: response.version, sealed: inner?.version })
    } catch (err) {
      this.log.warn('recovered copy does not open', { from: from.name, fromId: from.id, err: (err as Error).message })
    }
    return undefined
  }

  /** When full, a confidant makes room by forgetting the oldest stash of an owner that is offline. */
  private evictOffline (): boolean {
    const online = new Set(this.rt.onlinePeers().map(p => p.id))
    const offline = [...this.stored.values()].filter(s => !online.has(s.ownerId)).sort((a, b) => a.storedAt - b.storedAt)
    const evicted = offline[0]
    if (evicted === undefined) return false
    this.stored.delete(evicted.ownerId)
    this.log.info('evicted the stash of an offline owner', { owner: evicted.ownerName, ownerId: evicted.ownerId })
    return true
  }

  private repair (): void {
    this.maintenance = this.maintenance
      .then(async () => { await this.topUp() })
      .catch((err: Error) => { this.log.warn('repair failed', { err: err.message }) })
  }

  /** Stores the current stash with more confidants until it has as many as it wants. */
  private async topUp (): Promise<void> {
    if (this.stopped || this.data === undefined || this.myConfidants.size >= this.options.targetConfidants) return
    const me = this.rt.me().id
    const sealed = await this.rt.seal(withVersion(this.version, this.data))
    const payload: StashStore = { ownerId: me, version: this.version, nonce: sealed.nonce, ciphertext: sealed.ciphertext }
    for (const peer of rankConfidants(this.rt.onlinePeers(), new Set([me, ...this.myConfidants.keys()]))) {
      if (this.stopped || this.myConfidants.size >= this.options.targetConfidants) return
      try {
        await this.storeWith(peer.id, payload)
        this.myConfidants.set(peer.id, { id: peer.id, name: peer.name })
        this.counts.repairs++
        this.log.info('new confidant', { confidant: peer.name, confidants: this.myConfidants.size })
      } catch (err) {
        this.log.warn('candidate confidant refused', { peer: peer.name, peerId: peer.id, err: (err as Error).message })
      }
    }
    if (this.myConfidants.size < this.options.targetConfidants) {
      this.log.warn('fewer confidants than wanted', { confidants: this.myConfidants.size, wanted: this.options.targetConfidants })
    }
  }
}
