import { setTimeout as sleep } from 'node:timers/promises'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { registerStashBehaviors, type StashHandlers } from './behaviors.js'
import { addressGroup, rankConfidants, spreadByAddress } from './confidants.js'
import { NoConfidantError, NotEnoughPeersError, StashTooLargeError } from './errors.js'
import { Observations } from './observations.js'
import { AUDIT_CHALLENGE_BYTES, MAX_PLAINTEXT_BYTES, type StashAudit, type StashProof, type StashRecovered, type StashResponse, type StashStore, type StashRequest, type StashAck } from './payloads.js'
import { Recovery, type OpenedCopy, type RecoveryOptions } from './recovery.js'
import { MAX_SEALED_CONFIDANTS, decodeSealed, encodeSealed, type SealedConfidant } from './sealed.js'
import { Refusal, TimeoutError } from '../../runtime/index.js'
import type { BehaviorRegistrar, Logger, MemoryMode, Message, PeerInfo, Runtime, Service } from '../../runtime/index.js'
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
  /** the peer the owner came to this nara through (`rt.originOf`): its slots are a fair share */
  readonly origin: string
}

/** Owners a confidant keeps stashes for, by memory mode. */
export const CAPACITY_BY_MEMORY_MODE: Readonly<Record<MemoryMode, number>> = { low: 5, medium: 20, high: 50 }

/** The most slots of a confidant the owners brought in by one peer may hold: a quarter of its capacity. */
export function fairShare (capacity: number): number {
  return Math.ceil(capacity / 4)
}

/** Why a confidant refused a newcomer's store: it is full of online owners, or the newcomer's origin has its share. */
export type StoreRefusal = 'storage-full' | 'origin-share'

export interface StashOptions extends Partial<RecoveryOptions> {
  /** how many confidants keep each stash (at most 5) @default 3 */
  targetConfidants?: number
  /** fewer online peers than this and `set` fails at once @default 1 */
  minConfidants?: number
  /** how long to wait for each confidant's ack @default 5000 */
  storeTimeoutMs?: number
  /** broadcast stash:refresh on start and recover @default true */
  recoverOnStart?: boolean
  /** how often each confidant is challenged to prove it holds the stash (± 20 % jitter) @default 45000 */
  auditIntervalMs?: number
  /** how long a confidant has to answer an audit @default 5000 */
  auditTimeoutMs?: number
}

/** Why an audit failed: a wrong proof, the stash not (or no longer) held, or no answer in time (or at all). */
export type AuditFailure = 'wrong-proof' | 'missing' | 'timeout' | 'unreachable'

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
  /** stores of newcomers refused as their confidant, by reason */
  readonly storesRefused: Readonly<Record<StoreRefusal, number>>
  /** confidants added after the last `set` or recovery, replacing lost ones or filling empty places */
  readonly repairs: number
  /** audits of this nara's confidants that they passed */
  readonly auditsPassed: number
  /** audits they failed, by reason (each failure drops the confidant and repairs) */
  readonly auditsFailed: Readonly<Record<AuditFailure, number>>
  /** the boot-time recovery, once it has finished */
  readonly recovery?: { readonly recovered: boolean, readonly durationMs: number }
}

/** The boot-time recovery: what came back, and when it began and ended (ms since the process started). */
export interface RecoveryReport extends StashRecovered {
  readonly beganAtMs: number
  readonly endedAtMs: number
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
  private storedAt?: number
  private readonly myConfidants = new Map<NaraID, SealedConfidant>()
  /** the exact store each confidant acknowledged: audits are checked against it */
  private readonly storedWith = new Map<NaraID, StashStore>()
  /** what this nara saw of its confidants: confidant choice trusts this, not what peers claim */
  readonly observations = new Observations()
  private auditTimer?: ReturnType<typeof setTimeout>
  private unsubscribe: Array<() => void> = []
  /** the DHT lookup for this nara's confidants during recovery */
  private lookup?: AbortController
  /** copies offered during recovery that did not open */
  private unopened = 0
  /** when the boot-time recovery began, in ms since the process started */
  private recoveryBeganAtMs?: number
  private recoveryEnded?: RecoveryReport
  /** repairs run one at a time, so two at once cannot pick the same replacement */
  private maintenance: Promise<void> = Promise.resolve()
  private stopped = false
  private counts = { stores: 0, storesAccepted: 0, repairs: 0, auditsPassed: 0 }
  private readonly auditsFailed: Record<AuditFailure, number> = { 'wrong-proof': 0, missing: 0, timeout: 0, unreachable: 0 }
  private readonly storesRefused: Record<StoreRefusal, number> = { 'storage-full': 0, 'origin-share': 0 }

  constructor (options: StashOptions = {}) {
    this.options = {
      targetConfidants: options.targetConfidants ?? 3,
      minConfidants: options.minConfidants ?? 1,
      storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
      recoverOnStart: options.recoverOnStart ?? true,
      auditIntervalMs: options.auditIntervalMs ?? 45_000,
      auditTimeoutMs: options.auditTimeoutMs ?? 5_000
    }
    if (!(this.options.auditIntervalMs > 0) || !(this.options.auditTimeoutMs > 0)) {
      throw new RangeError('stash: auditIntervalMs and auditTimeoutMs must be positive')
    }
    const target = this.options.targetConfidants
    if (!Number.isInteger(target) || target < 1 || target > MAX_SEALED_CONFIDANTS) {
      throw new RangeError(`stash: targetConfidants must be an integer from 1 to ${MAX_SEALED_CONFIDANTS}, got ${target}`)
    }
    this.recovery = new Recovery(options, async (copies) => { await this.finishRecovery(copies) })
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
      if (this.forget((msg.payload as { id: NaraID }).id)) this.repair()
    }))
    this.unsubscribe.push(this.rt.on('presence:peer-online', () => {
      if (this.myConfidants.size < this.options.targetConfidants) this.repair()
    }))
    this.scheduleAudits()
    if (this.options.recoverOnStart) await this.recover()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.auditTimer)
    this.lookup?.abort()
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

  /** When a confidant last acknowledged storing this nara's stash (ms since the Unix epoch). */
  lastStoredAt (): number | undefined {
    return this.storedAt
  }

  confidants (): Confidant[] {
    return [...this.myConfidants.values()].map(({ id, name }) => ({ id, name }))
  }

  /** How the boot-time recovery went, in ms since the process started; undefined until it has ended. */
  recoveryReport (): RecoveryReport | undefined {
    return this.recoveryEnded
  }

  /** Whether the boot-time recovery is still gathering copies (GET /stash says so rather than "no stash"). */
  get recovering (): boolean {
    return this.recovery.pending
  }

  stats (): StashStats {
    let heldBytes = 0
    for (const s of this.stored.values()) heldBytes += s.ciphertext.byteLength
    const recovery = this.recoveryReport()
    return {
      held: this.stored.size,
      heldBytes,
      capacity: CAPACITY_BY_MEMORY_MODE[this.rt.memoryMode],
      confidants: this.myConfidants.size,
      ...this.counts,
      auditsFailed: { ...this.auditsFailed },
      storesRefused: { ...this.storesRefused },
      ...(recovery !== undefined ? { recovery: { recovered: recovery.count > 0, durationMs: recovery.endedAtMs - recovery.beganAtMs } } : {})
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
    const candidates = this.withKeys(this.ranked(new Set([me])))
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
    this.myConfidants.clear()
    for (const c of confidants) this.myConfidants.set(c.id, c)
    for (const id of this.storedWith.keys()) if (!this.myConfidants.has(id)) this.storedWith.delete(id)
    this.counts.stores++
    // A replacement stepped in for a candidate that failed: the copies must name who really holds them.
    if (!sameIds(confidants, intended)) await this.restore(version, data, confidants)
    this.log.info('stash stored', { version, confidants: confidants.map(c => c.name), failures: failures.length })
    return { version, confidants: confidants.map(({ id, name }) => ({ id, name })), failures }
  }

  /**
   * Asks one confidant for the stash it holds for this nara and opens it; undefined
   * when it holds none, or holds one that does not open to what its label says.
   */
  async fetchFrom (confidant: NaraID): Promise<{ version: number, data: Uint8Array } | undefined> {
    const reply = await this.rt.call({ kind: 'stash:request', to: confidant, payload: { ownerId: this.rt.me().id } })
    const response = reply.payload as StashResponse
    if (!response.found) return undefined
    const copy = await this.openCopy({ id: reply.fromId, name: reply.fromName }, response)
    return copy === undefined ? undefined : { version: copy.version, data: copy.data }
  }

  /**
   * Asks for this nara's stash back in two ways at once: a stash:refresh broadcast,
   * and a DHT lookup of the confidants that advertise holding it, asked directly (the
   * broadcast may not reach them). The first copy opened names the rest.
   */
  async recover (): Promise<void> {
    this.unopened = 0
    this.recoveryBeganAtMs ??= Math.round(performance.now())
    this.recovery.begin()
    void this.askAdvertisers()
    try {
      await this.rt.emit({ kind: 'stash:refresh', payload: {} })
      this.log.debug('recovery: stash:refresh broadcast')
    } catch (err) {
      this.log.warn('could not broadcast stash:refresh', { err: (err as Error).message })
    }
  }

  // --- handlers: business logic only; the runtime has verified and validated everything ---

  async store (msg: Message<StashStore>, p: StashStore): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'only the owner may store its stash')
    const held = this.stored.get(p.ownerId)
    if (held !== undefined && held.version > p.version) {
      throw new Refusal('stale-version', `holding newer version ${held.version}`)
    }
    const origin = held?.origin ?? this.originOf(p.ownerId)
    if (held === undefined) this.makeRoom(msg, origin)
    this.stored.set(p.ownerId, { ownerId: p.ownerId, ownerName: msg.fromName, version: p.version, nonce: p.nonce, ciphertext: p.ciphertext, storedAt: Date.now(), origin })
    this.counts.storesAccepted++
    try {
      await this.reply<StashAck>(msg, 'stash:ack', { ownerId: p.ownerId, version: p.version })
    } finally {
      // logged once the ack is on its way: the owner's set waits for every confidant's
      this.log.info('storing stash', { owner: msg.fromName, ownerId: msg.fromId, version: p.version, bytes: p.ciphertext.byteLength })
    }
    // findable by the owner through the DHT even where its broadcast does not reach
    if (held === undefined) this.rt.advertise(advertisement(p.ownerId)).catch((err: Error) => { this.log.debug('could not advertise a held stash', { owner: p.ownerId, err: err.message }) })
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

  async audit (msg: Message<StashAudit>, p: StashAudit): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'only the owner may audit its stash')
    const held = this.stored.get(p.ownerId)
    await this.reply<StashProof>(msg, 'stash:proof', held === undefined
      ? { ownerId: p.ownerId, found: false, version: 0, proof: new Uint8Array(0) }
      : { ownerId: p.ownerId, found: true, version: held.version, proof: possessionProof(p.challenge, held) })
  }

  async response (msg: Message<StashResponse>, p: StashResponse): Promise<void> {
    if (p.ownerId !== this.rt.me().id || !p.found) return
    await this.takeCopy({ id: msg.fromId, name: msg.fromName }, p)
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
    this.storedWith.set(peer, payload)
    this.observations.succeeded(peer)
    this.storedAt = Date.now()
  }

  /** Peers with the keys they announced (a confidant is listed with its key inside the stash). */
  private withKeys (peers: Array<{ id: NaraID, name: string }>): SealedConfidant[] {
    return peers.flatMap(({ id, name }) => {
      const publicKey = this.rt.publicKeyOf(id)
      return publicKey === undefined ? [] : [{ id, name, publicKey }]
    })
  }

  private async sealedStore (version: number, data: Uint8Array, confidants: readonly SealedConfidant[]): Promise<StashStore> {
    const sealed = await this.rt.seal(encodeSealed({ version, confidants, data }))
    return { ownerId: this.rt.me().id, version, nonce: sealed.nonce, ciphertext: sealed.ciphertext }
  }

  /** Stores the same version again, naming the confidants that really hold it. */
  private async restore (version: number, data: Uint8Array, confidants: readonly SealedConfidant[]): Promise<void> {
    const payload = await this.sealedStore(version, data, confidants)
    await Promise.all(confidants.map(async (c) => {
      await this.storeWith(c.id, payload).catch((err: Error) => { this.log.warn('could not update a confidant\'s copy', { confidant: c.name, err: err.message }) })
    }))
  }

  /** Opens a copy and hands it to the recovery; asks the confidants it names that have not answered yet. */
  private async takeCopy (from: { id: NaraID, name: string }, response: StashResponse): Promise<void> {
    if (!this.recovery.collecting) return
    const copy = response.found ? await this.openCopy(from, response) : undefined
    if (response.found && copy === undefined) this.unopened++
    this.log.debug('recovery: an answer', { from: from.name, found: response.found, opened: copy !== undefined, version: copy?.version })
    for (const confidant of this.recovery.answer(from.id, copy)) {
      this.log.debug('recovery: asking a confidant directly', { confidant: confidant.name })
      void this.askConfidant(confidant)
    }
  }

  private async askConfidant (confidant: SealedConfidant): Promise<void> {
    try {
      await this.askByKey(confidant.publicKey)
    } catch (err) {
      this.log.info('a confidant did not answer', { confidant: confidant.name, err: (err as Error).message })
      this.recovery.failed(confidant.id)
    }
  }

  /** Asks the nara holding `publicKey` for this nara's stash; its answer goes to the recovery. */
  private async askByKey (publicKey: Uint8Array): Promise<void> {
    const reply = await this.rt.call({ kind: 'stash:request', toKey: publicKey, payload: { ownerId: this.rt.me().id } })
    await this.takeCopy({ id: reply.fromId, name: reply.fromName }, reply.payload as StashResponse)
  }

  /**
   * The fallback when stash:refresh brought nothing: asks, directly, every nara the
   * DHT says advertises holding this nara's stash. A DHT lookup contacts (and stays
   * connected to) about k naras, so it runs only if no copy came within
   * LOOKUP_AFTER_MS, and only from inside the swarm: a nara that has heard of no
   * peer yet (still joining, or connected to its bootstrap node only) waits until it
   * has. A lookup that finds nobody ends the recovery with nothing (a nara's first
   * start), no sooner than MIN_RECOVERY_MS; one that fails is tried again, further
   * and further apart.
   */
  private async askAdvertisers (): Promise<void> {
    this.lookup?.abort()
    const lookup = this.lookup = new AbortController()
    const began = Date.now()
    const asked = new Set<string>()
    await sleep(LOOKUP_AFTER_MS, undefined, { signal: lookup.signal }).catch(() => {})
    for (let pause = LOOKUP_AFTER_MS; this.recovery.collecting && !this.recovery.heardAny && !lookup.signal.aborted; pause = Math.min(2 * pause, MAX_LOOKUP_PAUSE_MS)) {
      // Blind lookups cost the most: in a burst of 50 joins, 157 of them walked the DHT
      // through a busy bootstrap node and dialled about 20 naras each.
      await this.untilInSwarm(lookup.signal)
      if (!this.recovery.collecting || this.recovery.heardAny || lookup.signal.aborted) return
      let found = 0
      try {
        for await (const key of this.rt.findAdvertisers(advertisement(this.rt.me().id), { signal: lookup.signal })) {
          found++
          const hex = Buffer.from(key).toString('hex')
          if (!this.recovery.collecting || asked.has(hex)) continue
          asked.add(hex)
          this.askByKey(key).catch((err: Error) => {
            asked.delete(hex) // worth another try on the next lookup
            this.log.debug('an advertised confidant did not answer', { err: err.message })
          })
        }
        if (found === 0) {
          await sleep(Math.max(0, MIN_RECOVERY_MS - (Date.now() - began)), undefined, { signal: lookup.signal }).catch(() => {})
          this.recovery.nobodyHolds()
        }
      } catch (err) {
        if (!lookup.signal.aborted) this.log.debug('DHT lookup of confidants failed', { err: (err as Error).message })
      }
      await sleep(pause, undefined, { signal: lookup.signal }).catch(() => {})
    }
  }

  /** Resolves once this nara knows a peer online (at once if it does), or when `signal` aborts. */
  private async untilInSwarm (signal: AbortSignal): Promise<void> {
    if (this.rt.onlinePeers().length > 0 || signal.aborted) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        off()
        signal.removeEventListener('abort', done)
        resolve()
      }
      const off = this.rt.on('presence:peer-online', done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  private async finishRecovery (copies: OpenedCopy[]): Promise<void> {
    this.lookup?.abort()
    if (this.stopped) return
    // copies older than what this nara already has (a `set` during recovery) are ignored
    const newest = Math.max(0, ...copies.map(c => c.version))
    const holders = newest > this.version ? copies.filter(c => c.version === newest) : []
    let payload: StashRecovered = { count: 0, version: 0 }
    if (holders.length > 0) {
      this.data = holders[0].data
      this.version = newest
      this.myConfidants.clear()
      this.storedWith.clear()
      for (const { from, sealed } of holders) {
        const publicKey = holders[0].confidants.find(c => c.id === from.id)?.publicKey ?? this.rt.publicKeyOf(from.id)
        if (publicKey === undefined) continue
        this.myConfidants.set(from.id, { ...from, publicKey })
        this.storedWith.set(from.id, { ownerId: this.rt.me().id, version: newest, ...sealed })
      }
      payload = { count: holders.length, version: newest }
      this.log.info('stash recovered', { version: newest, copies: holders.length, from: holders.map(c => c.from.name) })
    } else if (copies.length > 0) {
      this.log.info('recovered copies are not newer than the stash set meanwhile', { copies: copies.length })
    } else if (this.unopened > 0) {
      this.log.error('cannot open any recovered stash copy', { copies: this.unopened })
    }
    const endedAtMs = Math.round(performance.now())
    this.recoveryEnded = { ...payload, beganAtMs: this.recoveryBeganAtMs ?? endedAtMs, endedAtMs }
    await this.rt.emit({ kind: 'stash:recovered', payload })
    this.recovery.resolve(payload)
    if (holders.length > 0 && holders.length < this.options.targetConfidants) this.repair()
  }

  /** Opens a copy; undefined (and logged) when it does not open, or is not what its label says. */
  private async openCopy (from: { id: NaraID, name: string }, response: StashResponse): Promise<OpenedCopy | undefined> {
    try {
      const inner = decodeSealed(await this.rt.open(response))
      if (inner?.version === response.version) return { from, version: inner.version, data: inner.data, confidants: inner.confidants, sealed: { nonce: response.nonce, ciphertext: response.ciphertext } }
      this.log.warn('recovered copy is labelled with the wrong version', { from: from.name, fromId: from.id, label: response.version, sealed: inner?.version })
    } catch (err) {
      this.log.warn('recovered copy does not open', { from: from.name, fromId: from.id, err: (err as Error).message })
    }
    return undefined
  }

  /**
   * Capacity under pressure, for a newcomer: the owners that came through one peer (a
   * gossipsub forwarder, a relaying nara, one connection address) hold at most a fair
   * share of the slots, so one peer introducing many identities cannot take them all.
   * A full confidant forgets the oldest stash of an offline owner,
   * never one of an online owner it holds already: it refuses the newcomer instead.
   */
  private makeRoom (msg: Message, origin: string): void {
    const capacity = CAPACITY_BY_MEMORY_MODE[this.rt.memoryMode]
    const share = fairShare(capacity)
    let same = 0
    for (const s of this.stored.values()) if (s.origin === origin) same++
    if (same >= share) this.refuse('origin-share', `${same} of the stashes held here came through the same peer as ${msg.fromName}; at most ${share} of ${capacity} do`, msg)
    if (this.stored.size >= capacity && !this.evictOffline()) {
      this.refuse('storage-full', `holding ${capacity} stashes of online owners already (memory mode ${this.rt.memoryMode})`, msg)
    }
  }

  private refuse (reason: StoreRefusal, detail: string, msg: Message): never {
    if (this.storesRefused[reason]++ % 100 === 0) this.log.warn('refusing a stash', { reason, owner: msg.fromName, ownerId: msg.fromId, refused: this.storesRefused[reason] })
    throw new Refusal(reason, detail)
  }

  /**
   * Where an owner came from: the peer that introduced it to this nara, else the address
   * its connection comes from (one IP; on loopback IP and port, see addressGroup), else itself.
   */
  private originOf (owner: NaraID): string {
    const introducer = this.rt.originOf(owner)
    if (introducer !== owner) return introducer
    return addressGroup(this.rt.addressOf(owner)) ?? owner
  }

  /** When full, a confidant makes room by forgetting the oldest stash of an owner that is offline. */
  private evictOffline (): boolean {
    const online = new Set(this.rt.onlinePeers().map(p => p.id))
    const offline = [...this.stored.values()].filter(s => !online.has(s.ownerId)).sort((a, b) => a.storedAt - b.storedAt)
    const evicted = offline[0]
    if (evicted === undefined) return false
    this.stored.delete(evicted.ownerId)
    this.rt.withdraw(advertisement(evicted.ownerId)).catch(() => {})
    this.log.info('evicted the stash of an offline owner', { owner: evicted.ownerName, ownerId: evicted.ownerId })
    return true
  }

  /**
   * Online peers, most trusted by this nara's own observation first, spread so that
   * two behind one address (one machine, as far as can be seen), or behind the
   * address of a confidant `kept`, come last.
   */
  private ranked (exclude: ReadonlySet<string>, kept: Iterable<NaraID> = []): PeerInfo[] {
    const groupOf = (id: NaraID): string | undefined => addressGroup(this.rt.addressOf(id))
    const taken = [...kept].flatMap(id => groupOf(id) ?? [])
    return spreadByAddress(rankConfidants(this.rt.onlinePeers(), exclude, (id) => this.observations.of(id)), groupOf, taken)
  }

  /** Drops a confidant (and the copy it was given); true when it was one. */
  private forget (id: NaraID): boolean {
    this.storedWith.delete(id)
    return this.myConfidants.delete(id)
  }

  /** Audits every confidant after a jittered pause, then again, until stopped. */
  private scheduleAudits (): void {
    clearTimeout(this.auditTimer)
    const jitter = 0.8 + 0.4 * Math.random()
    this.auditTimer = setTimeout(() => {
      void this.auditAll().finally(() => { if (!this.stopped) this.scheduleAudits() })
    }, Math.round(this.options.auditIntervalMs * jitter))
    this.auditTimer.unref?.()
  }

  /** Audits every confidant once, in parallel (one audit per confidant at a time); a failed one is replaced. */
  async auditAll (): Promise<void> {
    const failed = (await Promise.all([...this.myConfidants.values()].map(async (c) => await this.auditOne(c)))).some(f => f)
    if (failed && !this.stopped) this.repair()
  }

  /** Challenges one confidant; true when it failed (and was dropped). */
  private async auditOne (confidant: SealedConfidant): Promise<boolean> {
    const expected = this.storedWith.get(confidant.id)
    if (expected === undefined || this.stopped) return false
    const challenge = new Uint8Array(randomBytes(AUDIT_CHALLENGE_BYTES))
    let failure: AuditFailure | undefined
    try {
      const reply = await this.rt.call({ kind: 'stash:audit', to: confidant.id, payload: { ownerId: this.rt.me().id, challenge } }, { timeoutMs: this.options.auditTimeoutMs })
      const proof = reply.payload as StashProof
      if (reply.kind !== 'stash:proof') failure = 'unreachable'
      else if (!proof.found) failure = 'missing'
      else if (proof.version !== expected.version || !sameBytes(proof.proof, possessionProof(challenge, expected))) failure = 'wrong-proof'
    } catch (err) {
      failure = err instanceof TimeoutError ? 'timeout' : 'unreachable'
    }
    // a store with this confidant during the audit changed what it must prove: judge it next round
    if (this.stopped || this.storedWith.get(confidant.id) !== expected) return false
    if (failure === undefined) {
      this.counts.auditsPassed++
      this.observations.succeeded(confidant.id, true)
      return false
    }
    this.auditsFailed[failure]++
    this.observations.failed(confidant.id)
    this.forget(confidant.id)
    this.log.warn('confidant failed its audit: replacing it', { confidant: confidant.name, confidantId: confidant.id, reason: failure })
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
    for (const peer of this.withKeys(this.ranked(new Set([me, ...this.myConfidants.keys()]), this.myConfidants.keys()))) {
      if (this.stopped || this.data === undefined || this.myConfidants.size >= this.options.targetConfidants) return
      try {
        // the new copy names every holder; the older copies' lists miss it, which recovery tolerates
        const payload = await this.sealedStore(this.version, this.data, [...this.myConfidants.values(), peer])
        await this.storeWith(peer.id, payload)
        if (payload.version !== this.version) {
          // A set() finished while this store was on its way (a peer behind a partition answers
          // late): this peer holds an outdated copy, so it is no confidant yet. Try again with the new one.
          this.storedWith.delete(peer.id)
          this.repair()
          return
        }
        this.myConfidants.set(peer.id, peer)
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

/** A confidant's proof that it holds exactly `held`: HMAC-SHA256 keyed by the owner's fresh challenge. */
function possessionProof (challenge: Uint8Array, held: { nonce: Uint8Array, ciphertext: Uint8Array }): Uint8Array {
  return createHmac('sha256', challenge).update(held.nonce).update(held.ciphertext).digest()
}

/** Pauses between DHT lookups of one's confidants while recovering. */
const LOOKUP_AFTER_MS = 1_500
const MAX_LOOKUP_PAUSE_MS = 8_000
/** The soonest a recovery that heard from nobody ends (confidants answer stash:refresh well before). */
const MIN_RECOVERY_MS = 3_000

/** The DHT topic a confidant advertises while it holds `owner`'s stash. */
function advertisement (owner: NaraID): string {
  return `stash:${owner}`
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}

function sameIds (a: readonly SealedConfidant[], b: readonly SealedConfidant[]): boolean {
  const ids = new Set(a.map(c => c.id))
  return a.length === b.length && b.every(c => ids.has(c.id))
}
