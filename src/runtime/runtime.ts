import { Keyring, type Identity, type Sealed } from '../identity/index.js'
import { Refusal as RefusalPayload } from '../../protocols/runtime.js'
import { sameBytes } from '../platform/platform.js'
import { meshRequest, type Behavior } from './behavior.js'
import { CallRegistry } from './calls.js'
import { protobufPayload } from './codec.js'
import { DEDUPE_CAPACITY, MAX_CLOCK_SKEW_MS, RATE_LIMIT_BUCKETS, REFUSED_KIND, RETAINED_PER_KIND, DEFAULT_MAX_ENVELOPE_BYTES } from './constants.js'
import { emitStages, newMessageId, type Emission, type OpenRequest } from './emit.js'
import { BehaviorDefinitionError, DuplicateKindError, NotRunningError, Refusal, UnknownKindError } from './errors.js'
import { LocalBus } from './local-bus.js'
import { callOutcome, UNKNOWN_KIND, type RuntimeObserver } from './observer.js'
import { MemoryLogger, type Logger } from './logger.js'
import { DropCounter, runPipeline, type DropReason, type PipelineOutcome } from './pipeline.js'
import { RateLimiter } from './rate-limiter.js'
import { Admission, DEFAULT_ADMISSION, type AdmissionLimits, type AdmissionPeaks } from './admission.js'
import { receiveStages, type DecodedReceipt, type Receipt } from './receive.js'
import { SeenIds } from './seen-ids.js'
import { inboundTraffic, outboundTraffic, TrafficObservers, type TrafficListener } from './traffic.js'
import { RetainedMessages, type RelayedMessage, type RetainedMessage } from './retained.js'
import type { Message, Outgoing } from './message.js'
import type { MemoryMode, PeerInfo, Runtime, RuntimeEnv } from './runtime-api.js'
import type { Service } from './service.js'
import type { InboundContext, ReceiveOutcome, ReplyChannel, Transport } from './transport.js'

/** What a NaraRuntime is built from: the identity, the transport, and optional limits. */
export interface RuntimeOptions {
  identity: Identity
  transport: Transport
  /** root logger; every service gets a child tagged with its name and this nara */
  logger?: Logger
  memoryMode?: MemoryMode
  env?: RuntimeEnv
  /** the clock, in ms since the Unix epoch (tests may pass their own) */
  now?: () => number
  /** told of every message received, emitted and dropped, and of every call's duration (metrics) */
  observer?: RuntimeObserver
  /** admission control per forwarder @default DEFAULT_ADMISSION */
  admission?: Partial<AdmissionLimits>
  /** naras whose keys are remembered; when full, the least recently heard that is not online goes @default 10_000 */
  maxKnownNaras?: number
}

/** Messages by the way they travel: gossip (broadcast kinds) and streams (mesh kinds). */
export interface TrafficCounts {
  gossipIn: number
  gossipOut: number
  streamIn: number
  streamOut: number
}

/** A snapshot of what the runtime did since it started (GET /stats shows it). */
export interface RuntimeStats {
  received: number
  emitted: number
  traffic: TrafficCounts
  drops: Record<string, number>
  pendingCalls: number
  /** the most one forwarder brought in within one admission window (what the limits are sized against) */
  admissionPeaks: AdmissionPeaks
}

const refusalCodec = protobufPayload('Refusal', RefusalPayload, (p) =>
  p.code === '' ? 'a refusal needs a code' : undefined)

/**
 * The nara runtime, "the OS": it owns the behaviors, runs every message through
 * the emit and receive pipelines, keeps the call registry and the local bus, and
 * hands services a narrow `Runtime` interface. It knows nothing of libp2p: the
 * network is a `Transport`.
 */
export class NaraRuntime implements Runtime {
  readonly identity: Identity
  readonly keyring: Keyring
  readonly memoryMode: MemoryMode
  readonly env: RuntimeEnv
  readonly drops = new DropCounter()
  protected readonly transport: Transport
  protected readonly logger: Logger
  private readonly behaviorsByKind = new Map<string, Behavior>()
  private readonly bus = new LocalBus()
  private readonly calls = new CallRegistry()
  private readonly seen = new SeenIds(DEDUPE_CAPACITY)
  private readonly limiter: RateLimiter
  private readonly admission: Admission
  private readonly openRequests = new Map<string, OpenRequest>()
  private readonly retainedByKind = new Map<string, RetainedMessages>()
  private readonly services: Service[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly now: () => number
  private readonly observer?: RuntimeObserver
  private readonly runtimeLog: Logger
  private readonly observers: TrafficObservers
  private readonly receivePipeline
  private readonly emitPipeline
  private peerSource?: () => PeerInfo[]
  /** the ids online, looked up at most once a second (keyring eviction asks for every newcomer) */
  private onlineIds?: { at: number, ids: Set<string> }
  /** the largest envelope any behavior accepts: bigger input is not even decoded */
  private maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES
  private state: 'idle' | 'running' | 'stopped' = 'idle'
  private stopping?: Promise<void>
  private received = 0
  private emittedCount = 0
  private readonly byTransport: TrafficCounts = { gossipIn: 0, gossipOut: 0, streamIn: 0, streamOut: 0 }

  constructor (options: RuntimeOptions) {
    this.identity = options.identity
    this.transport = options.transport
    this.memoryMode = options.memoryMode ?? 'medium'
    this.env = options.env ?? 'production'
    this.now = options.now ?? Date.now
    if (options.observer !== undefined) this.observer = options.observer
    this.logger = (options.logger ?? new MemoryLogger()).child({ nara: this.identity.name, naraId: this.identity.id })
    this.runtimeLog = this.logger.child({ service: 'runtime' })
    this.observers = new TrafficObservers((err) => { this.runtimeLog.error('traffic observer failed', { err: (err as Error).message }) })
    this.limiter = new RateLimiter(RATE_LIMIT_BUCKETS, this.now)
    this.keyring = new Keyring(options.maxKnownNaras, (id) => id === this.identity.id || this.isOnline(id))
    this.admission = new Admission({ ...DEFAULT_ADMISSION, ...options.admission }, this.now)
    this.keyring.remember(this.identity.toKnown())
    this.receivePipeline = receiveStages({
      me: () => this.me(),
      behavior: (kind) => this.behaviorsByKind.get(kind),
      maxEnvelopeBytes: () => this.maxEnvelopeBytes,
      keyring: this.keyring,
      seen: this.seen,
      limiter: this.limiter,
      admission: this.admission,
      now: this.now,
      verifyBroadcastProof: async (behavior, publicKey, envelope, proof) => await this.transport.verifyBroadcastProof(behavior, publicKey, envelope, proof),
      notify: async (r) => await this.notify(r)
    })
    this.emitPipeline = emitStages({
      me: () => this.me(),
      sign: async (bytes) => await this.identity.sign(bytes),
      keyring: this.keyring,
      transport: this.transport,
      now: this.now,
      openRequest: (id) => this.openRequests.get(id),
      notify: async (e) => await this.afterEmit(e.message, e.behavior)
    })
    this.register(meshRequest(REFUSED_KIND, 'A request was refused (rate limited, not allowed, failed)').withPayload(refusalCodec))
  }

  /** This nara's NaraID and name. */
  me (): { id: string, name: string } {
    return { id: this.identity.id, name: this.identity.name }
  }

  /** Declares a message kind: how it travels, its payloads and handlers. A kind is registered once. */
  register (behavior: Behavior<unknown>): void {
    if (this.behaviorsByKind.has(behavior.kind)) throw new DuplicateKindError(behavior.kind)
    behavior.newestVersion() // a behavior without a payload is a definition error
    this.behaviorsByKind.set(behavior.kind, behavior)
    this.maxEnvelopeBytes = Math.max(this.maxEnvelopeBytes, behavior.maxEnvelopeBytes)
    if (behavior.template !== 'local') this.transport.serve(behavior)
  }

  /** Every registered behavior, in registration order. */
  behaviors (): Behavior[] {
    return [...this.behaviorsByKind.values()]
  }

  async emit (msg: Outgoing): Promise<void> {
    await this.runEmit({ outgoing: msg, behavior: this.behaviorOf(msg.kind) })
  }

  async call (msg: Outgoing, opts: { timeoutMs?: number } = {}): Promise<Message> {
    const behavior = this.behaviorOf(msg.kind)
    if (behavior.template !== 'meshRequest') {
      throw new BehaviorDefinitionError(`call needs a meshRequest kind; ${msg.kind} is ${behavior.template}`)
    }
    const timeoutMs = opts.timeoutMs ?? behavior.timeoutMs
    const id = newMessageId()
    const reply = this.calls.expect(id, {
      kind: msg.kind,
      from: msg.toKey ?? msg.to ?? '',
      timeoutMs,
      ...(behavior.replyKind !== undefined ? { replyKind: behavior.replyKind } : {})
    })
    const started = performance.now()
    // The reply (or the timeout) settles the call even while the transport is still sending.
    this.runEmit({ outgoing: msg, behavior, id, awaitReply: { timeoutMs } })
      .catch((err: Error) => { this.calls.abort(id, err) })
    try {
      const answer = await reply
      this.observer?.callFinished(msg.kind, 'ok', (performance.now() - started) / 1000)
      return answer
    } catch (err) {
      this.observer?.callFinished(msg.kind, callOutcome(err), (performance.now() - started) / 1000)
      throw err
    }
  }

  on (kind: string, subscriber: (msg: Message) => void | Promise<void>): () => void {
    return this.bus.subscribe(kind, subscriber)
  }

  log (service: string): Logger {
    return this.logger.child({ service })
  }

  async seal (plaintext: Uint8Array): Promise<Sealed> {
    return this.identity.seal(plaintext)
  }

  async open (sealed: Sealed): Promise<Uint8Array> {
    return this.identity.open(sealed)
  }

  /** The naras this node sees online now (presence provides the list). */
  onlinePeers (): PeerInfo[] {
    return this.peerSource?.() ?? []
  }

  addresses (): string[] {
    return this.transport.addresses()
  }

  addressOf (id: string): string | undefined {
    const known = this.keyring.get(id)
    return known === undefined ? undefined : this.transport.remoteAddressOf({ id, publicKey: known.publicKey })
  }

  originOf (id: string): string {
    return this.keyring.get(id)?.introducedBy ?? id
  }

  publicKeyOf (id: string): Uint8Array | undefined {
    return this.keyring.get(id)?.publicKey
  }

  isNeighbour (id: string): boolean {
    const known = this.keyring.get(id)
    return known !== undefined && this.transport.isConnected({ id, publicKey: known.publicKey })
  }

  onNeighbourLost (listener: (id: string) => void): () => void {
    if (this.transport.onPeerDisconnected === undefined) return () => {}
    return this.transport.onPeerDisconnected((publicKey) => {
      // a key may have announced more than one name; each is a nara of its own
      for (const peer of this.onlinePeers()) {
        const known = this.keyring.get(peer.id)
        if (known !== undefined && sameBytes(known.publicKey, publicKey)) listener(peer.id)
      }
    })
  }

  async advertise (topic: string): Promise<void> {
    await this.transport.advertise(topic)
  }

  /** Stops advertising `topic`. */
  async withdraw (topic: string): Promise<void> {
    await this.transport.withdraw(topic)
  }

  findAdvertisers (topic: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    return this.transport.findAdvertisers(topic, options)
  }

  async learnAddresses (id: string, addresses: readonly string[]): Promise<void> {
    const known = this.keyring.get(id)
    if (known !== undefined && addresses.length > 0) await this.transport.learnAddresses({ id, publicKey: known.publicKey }, addresses)
  }

  private isOnline (id: string): boolean {
    const now = this.now()
    if (this.onlineIds === undefined || now - this.onlineIds.at >= ONLINE_IDS_TTL_MS) {
      this.onlineIds = { at: now, ids: new Set(this.onlinePeers().map(p => p.id)) }
    }
    return this.onlineIds.ids.has(id)
  }

  /** Whether a service (presence) provides `onlinePeers()`. */
  get providesPeers (): boolean {
    return this.peerSource !== undefined
  }

  providePeers (source: () => PeerInfo[]): void {
    this.peerSource = source
  }

  /** Initialises a service (it registers its behaviors) and includes it in start/stop. */
  async install (service: Service): Promise<void> {
    await service.init(this)
    this.services.push(service)
    if (this.state === 'running') await service.start?.()
  }

  /** Starts the transport, then every installed service in installation order; on failure, stops again. */
  async start (): Promise<void> {
    if (this.state !== 'idle') return
    this.state = 'running'
    try {
      await this.transport.start({
        receive: async (bytes, ctx) => await this.receive(bytes, ctx),
        dropped: (reason) => { this.countDrop('transport', UNKNOWN_KIND, reason) }
      })
      for (const service of this.services) await service.start?.()
    } catch (err) {
      await this.stop()
      throw err
    }
    this.runtimeLog.info('runtime started', { behaviors: this.behaviorsByKind.size, services: this.services.map(s => s.name) })
  }

  /**
   * Stops: inbound messages are refused from now on, waiting calls fail (so handlers
   * blocked on them finish), services stop in reverse order, then the transport.
   * Every call returns the same promise.
   */
  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async shutdown (): Promise<void> {
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    if (!wasRunning) return
    this.calls.abortAll(new NotRunningError('call'))
    for (const service of [...this.services].reverse()) {
      try {
        await service.stop?.()
      } catch (err) {
        this.runtimeLog.error('service failed to stop', { stopping: service.name, err: (err as Error).message })
      }
    }
    await this.idle()
    await this.transport.stop()
    this.runtimeLog.info('runtime stopped')
  }

  get running (): boolean {
    return this.state === 'running'
  }

  /**
   * The receive pipeline: what the transport calls for every inbound envelope.
   * Never throws; a drop is counted, logged and, for a request whose sender
   * waits on a stream, answered with `runtime:refused`.
   */
  async receive (bytes: Uint8Array, ctx: InboundContext = {}): Promise<ReceiveOutcome> {
    const receipt: Receipt = { bytes, ctx }
    const outcome = await this.runReceive(receipt)
    if (this.observers.listening) this.observers.tell(inboundTraffic(receipt, outcome, this.now()))
    return outcome
  }

  /**
   * Calls `listener` with every network message this nara receives or sends (kind,
   * peer, size, accepted or why not), synchronously: a listener that needs to do
   * slow work must queue it, bounded. Returns the unsubscribe function.
   */
  observe (listener: TrafficListener): () => void {
    return this.observers.add(listener)
  }

  private async runReceive (receipt: Receipt): Promise<ReceiveOutcome> {
    const { ctx } = receipt
    this.received++
    if (this.state === 'stopped') {
      const reason = { code: 'not-running', detail: 'this nara is stopping' }
      this.countDrop('stopped', UNKNOWN_KIND, reason)
      return { accepted: false, reason }
    }
    const outcome = await runPipeline(this.receivePipeline, receipt)
    if (receipt.behavior?.template === 'broadcast') this.byTransport.gossipIn++
    else if (receipt.behavior?.template === 'meshRequest') this.byTransport.streamIn++
    const kind = receipt.behavior?.kind ?? UNKNOWN_KIND
    if (outcome.status === 'done') {
      this.observer?.received(kind)
      this.retain(receipt, ctx)
      return { accepted: true }
    }
    const reason = dropReason(outcome)
    this.countDrop(outcome.stage, kind, reason)
    const envelope = receipt.envelope
    if (ctx.replyChannel !== undefined && envelope !== undefined && reason.code !== 'duplicate') {
      await this.refuse(envelope.id, envelope.fromId, ctx.replyChannel, reason.code, reason.detail)
    }
    return { accepted: false, reason }
  }

  /** The last message of a retained kind from each sender, accepted within `maxAgeMs`, newest first. */
  retained (kind: string, maxAgeMs = MAX_CLOCK_SKEW_MS): RetainedMessage[] {
    return this.retainedByKind.get(kind)?.recent(this.now(), maxAgeMs) ?? []
  }

  /**
   * Runs messages another nara relayed (from its `retained`) through the receive
   * pipeline, as if they had arrived by gossip: each must be of `kind` and proven to come
   * from the key it comes with, by its broadcast proof (or its nara signature). Returns
   * how many were accepted.
   */
  async deliverRelayed (kind: string, messages: ReadonlyArray<RelayedMessage>, relayedBy: string): Promise<number> {
    const behavior = this.behaviorOf(kind)
    if (!behavior.retainLast) throw new BehaviorDefinitionError(`${kind} is not retained; only retained broadcast kinds are relayed`)
    let accepted = 0
    for (const m of messages) {
      // the relaying nara is their forwarder: admission counts what it brings in
      const outcome = await this.receive(m.envelope, { relayed: { publicKey: m.publicKey, proof: m.proof }, routedKind: kind, via: relayedBy })
      if (outcome.accepted) accepted++
    }
    return accepted
  }

  /** Resolves once every handler started so far (e.g. for broadcasts) has finished. */
  async idle (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** What the runtime did since it started: messages, drops, calls, traffic. */
  stats (): RuntimeStats {
    return {
      received: this.received,
      emitted: this.emittedCount,
      traffic: { ...this.byTransport },
      drops: this.drops.snapshot(),
      pendingCalls: this.calls.size,
      admissionPeaks: this.admission.peaks()
    }
  }

  /** Hook for every message that passed the emit pipeline (MockRuntime records them). */
  protected async afterEmit (message: Message, behavior: Behavior): Promise<void> {
    this.emittedCount++
    if (behavior.template === 'broadcast') this.byTransport.gossipOut++
    else if (behavior.template === 'meshRequest') this.byTransport.streamOut++
    this.observer?.emitted(message.kind)
    if (behavior.template === 'local') {
      await this.bus.deliver(message, (err) => { this.logSubscriberError(message, err) })
    }
  }

  protected behaviorOf (kind: string): Behavior {
    const behavior = this.behaviorsByKind.get(kind)
    if (behavior == null) throw new UnknownKindError(kind)
    return behavior
  }

  private async runEmit (emission: Emission): Promise<void> {
    const outcome = await runPipeline(this.emitPipeline, emission)
    if (this.observers.listening) await this.observeEmit(emission, outcome)
    if (outcome.status === 'failed') throw outcome.error
    if (outcome.status === 'dropped') throw new Error(`emit of ${emission.outgoing.kind} dropped: ${outcome.reason.detail}`)
  }

  /** The notify stage: settles a waiting call, or runs the version's handler and tells subscribers. */
  private async notify (r: DecodedReceipt): Promise<number> {
    const { message, spec, behavior, ctx } = r
    // A reply a call is waiting for belongs to that call alone.
    if (this.calls.settle(message, ctx.authenticatedKey)) return 1
    let consumers = 0
    const handler = spec.handler
    if (handler !== undefined) {
      consumers++
      const run = this.runHandler(behavior, message, async () => { await handler(message, message.payload) }, ctx.replyChannel)
      // A mesh request's stream stays open until its handler has replied; broadcasts don't wait.
      if (behavior.template === 'meshRequest') await run
      else this.track(run)
    }
    consumers += await this.bus.deliver(message, (err) => { this.logSubscriberError(message, err) })
    return consumers
  }

  private async runHandler (behavior: Behavior, message: Message, handle: () => Promise<void>, requestChannel?: ReplyChannel): Promise<void> {
    let replied = false
    const channel = requestChannel === undefined
      ? undefined
      : { reply: async (envelope: Uint8Array) => { replied = true; await requestChannel.reply(envelope) } }
    this.openRequests.set(message.id, { version: message.version, ...(channel !== undefined ? { channel } : {}) })
    try {
      await handle()
      // The request's stream stays open for more requests, so its end says nothing: a caller waiting
      // for a declared reply kind learns now that none is coming, rather than at its timeout.
      if (!replied && channel !== undefined && behavior.replyKind !== undefined && message.inReplyTo === undefined) {
        await this.refuse(message.id, message.fromId, channel, 'no-reply', `${message.kind} was handled without a reply`)
      }
    } catch (err) {
      const refusal = err instanceof Refusal ? err : undefined
      this.log(behavior.service).error('handler failed', { kind: message.kind, from: message.fromId, err: (err as Error).message })
      if (behavior.errorStrategy === 'reply' && behavior.template === 'meshRequest' && message.inReplyTo === undefined) {
        await this.refuse(message.id, message.fromId, channel, refusal?.code ?? 'handler-failed', refusal?.message ?? `${message.kind} handler failed`)
      }
    } finally {
      this.openRequests.delete(message.id)
    }
  }

  private async refuse (requestId: string, to: string, channel: ReplyChannel | undefined, code: string, reason: string): Promise<void> {
    const outgoing: Outgoing = { kind: REFUSED_KIND, to, inReplyTo: requestId, payload: { code, reason } }
    if (channel !== undefined) this.openRequests.set(requestId, { channel, version: 1 })
    try {
      await this.runEmit({ outgoing, behavior: this.behaviorOf(REFUSED_KIND) })
    } catch (err) {
      this.runtimeLog.debug('could not send refusal', { to, code, err: (err as Error).message })
    } finally {
      if (channel !== undefined) this.openRequests.delete(requestId)
    }
  }

  private retain (receipt: Receipt, ctx: InboundContext): void {
    const { behavior, envelope, senderKey } = receipt
    if (behavior?.retainLast !== true || envelope === undefined || senderKey === undefined) return
    let store = this.retainedByKind.get(behavior.kind)
    if (store === undefined) {
      store = new RetainedMessages(RETAINED_PER_KIND)
      this.retainedByKind.set(behavior.kind, store)
    }
    const proof = ctx.broadcastProof ?? ctx.relayed?.proof ?? new Uint8Array(0)
    store.keep({ fromId: envelope.fromId, publicKey: senderKey, envelope: receipt.bytes, proof, receivedAt: this.now() })
  }

  private async observeEmit (emission: Emission, outcome: PipelineOutcome<Emission>): Promise<void> {
    const traffic = await outboundTraffic(emission, outcome, (id) => this.keyring.get(id)?.name, this.now())
    if (traffic !== undefined) this.observers.tell(traffic)
  }

  private countDrop (stage: string, kind: string, reason: DropReason): void {
    this.drops.count(reason.code)
    this.observer?.dropped(kind, reason.code)
    this.runtimeLog.debug('dropped inbound message', { stage, kind, reason: reason.code, detail: reason.detail })
    // a flood is worth a warning, not one per message: the first drop and every hundredth after it
    const dropped = this.drops.get(reason.code)
    if (reason.code.startsWith(ADMISSION_PREFIX) && dropped % ADMISSION_WARN_EVERY === 1) {
      this.runtimeLog.warn('admission control is dropping messages', { kind, reason: reason.code, detail: reason.detail, dropped })
    }
  }

  private track (work: Promise<void>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  private logSubscriberError (message: Message, err: unknown): void {
    this.runtimeLog.error('subscriber failed', { kind: message.kind, err: (err as Error).message })
  }

}

/** How long the set of online ids that keyring eviction consults is reused. */
const ONLINE_IDS_TTL_MS = 1_000

/** Drop codes of admission control, and how often one is logged as a warning. */
const ADMISSION_PREFIX = 'admission-'
const ADMISSION_WARN_EVERY = 100

function dropReason (outcome: PipelineOutcome<Receipt>): DropReason {
  if (outcome.status === 'dropped') return outcome.reason
  if (outcome.status === 'failed') return { code: 'receive-failed', detail: outcome.error.message }
  throw new Error('not a drop')
}
