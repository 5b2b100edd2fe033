import { Identity } from '../identity/index.js'
import { NaraRuntime } from './runtime.js'
import { MemoryLogger, type LogRecord } from './logger.js'
import { MemoryNetwork, MemoryTransport } from './memory-transport.js'
import { buildEnvelope, messageFrom, newMessageId } from './emit.js'
import { Envelope, signedBytes, type Message, type Outgoing } from './message.js'
import { InvalidPayloadError } from './errors.js'
import type { Behavior } from './behavior.js'
import type { KnownNara } from '../identity/index.js'
import type { MemoryMode, PeerInfo } from './runtime-api.js'
import type { RuntimeObserver } from './observer.js'
import type { AdmissionLimits } from './admission.js'
import type { InboundContext, ReceiveOutcome } from './transport.js'

/** Options of MockRuntime; every one has a default. */
export interface MockRuntimeOptions {
  /** this nara's name (default "mock-nara"); its identity is derived deterministically from it */
  name?: string
  identity?: Identity
  /** link this runtime with others: they see each other online and exchange messages */
  network?: MemoryNetwork
  memoryMode?: MemoryMode
  /** told of messages and calls, as a real node's metrics are */
  observer?: RuntimeObserver
  /** admission control per forwarder (smaller limits make a flood quick to test) */
  admission?: Partial<AdmissionLimits>
  /** naras whose keys are remembered (a small keyring makes a flood quick to test) */
  maxKnownNaras?: number
}

/**
 * A real NaraRuntime over an in-memory transport, for testing services without a
 * network. Messages delivered with `deliver` run the same receive pipeline as on
 * the network (decode, dedupe, admit, authenticate, fresh, rate limit, notify), so a malformed or
 * forged message is dropped exactly as it would be in production. Pass the key a stream
 * or gossip message would have authenticated as `ctx.authenticatedKey`; without it, the
 * sender is proven by the envelope's signature, which `envelopeFrom` makes.
 *
 * ```ts
 * const rt = new MockRuntime()
 * const svc = new StashService()
 * await svc.init(rt)
 * await rt.deliver(await rt.envelopeFrom(alice, { kind: 'stash:store', to: rt.me().id, payload }))
 * svc.stored.get(alice.id)
 * ```
 */
export class MockRuntime extends NaraRuntime {
  /** every message that passed the emit pipeline, oldest first */
  readonly emitted: Message[] = []
  /** every log line of this runtime and its services */
  readonly logs: LogRecord[]
  readonly network?: MemoryNetwork
  private explicitPeers?: PeerInfo[]
  private readonly startedAt = Date.now()

  constructor (options: MockRuntimeOptions = {}) {
    const identity = options.identity ?? Identity.create({ name: options.name ?? 'mock-nara', machineId: 'mock-machine' })
    const logger = new MemoryLogger()
    super({
      identity,
      transport: new MemoryTransport(identity, options.network),
      logger,
      env: 'test',
      ...(options.observer !== undefined ? { observer: options.observer } : {}),
      ...(options.admission !== undefined ? { admission: options.admission } : {}),
      ...(options.maxKnownNaras !== undefined ? { maxKnownNaras: options.maxKnownNaras } : {}),
      ...(options.memoryMode !== undefined ? { memoryMode: options.memoryMode } : {})
    })
    this.logs = logger.records
    if (options.network !== undefined) {
      this.network = options.network
      const peers = linkedRuntimes.get(options.network) ?? new Set()
      peers.add(this)
      linkedRuntimes.set(options.network, peers)
    }
  }

  /** Runs an envelope (or its bytes) through the receive pipeline and waits for its handlers. */
  async deliver (envelope: Envelope | Uint8Array, ctx: InboundContext = {}): Promise<ReceiveOutcome> {
    const bytes = envelope instanceof Uint8Array ? envelope : Envelope.encode(envelope)
    const outcome = await this.receive(bytes, ctx)
    await this.idle()
    return outcome
  }

  /** Lets this runtime verify messages from `nara` (what presence does on the network). */
  trust (nara: Identity | KnownNara): void {
    this.keyring.remember(nara instanceof Identity ? nara.toKnown() : nara)
  }

  /**
   * A signed envelope from another nara, encoded with this runtime's registered codec
   * for the kind: the synthetic message a test delivers.
   */
  async envelopeFrom (sender: Identity, out: Outgoing, overrides: Partial<Envelope> = {}): Promise<Envelope> {
    const behavior = this.behaviorOf(out.kind)
    const version = out.version ?? behavior.newestVersion()
    const codec = behavior.versions.get(version)?.codec
    if (codec === undefined) throw new InvalidPayloadError(out.kind, `version ${version} is not declared`)
    const message = messageFrom(sender, out, version, newMessageId(), Date.now())
    const payload = overrides.payload ?? codec.encode(out.payload)
    const envelope = { ...buildEnvelope(message, version, payload), ...overrides, signature: new Uint8Array(0) }
    return { ...envelope, signature: await sender.sign(signedBytes(envelope)) as Uint8Array<ArrayBuffer> }
  }

  /** Overrides `onlinePeers()` (otherwise: what presence provides, or without presence every running linked runtime). */
  setOnlinePeers (peers: PeerInfo[]): void {
    this.explicitPeers = peers
  }

  /** The peers set with setOnlinePeers; else presence's list; else every other running runtime on the network. */
  override onlinePeers (): PeerInfo[] {
    if (this.explicitPeers !== undefined) return this.explicitPeers
    if (this.providesPeers || this.network === undefined) return super.onlinePeers()
    return this.linked().filter(rt => rt !== this && rt.running).map(rt => rt.asPeer())
  }

  /** Starts, and on a linked network exchanges keys with every other runtime on it. */
  override async start (): Promise<void> {
    await super.start()
    for (const other of this.linked()) {
      if (other === this) continue
      other.trust(this.identity)
      this.trust(other.identity)
    }
  }

  /**
   * Takes this runtime off its network at once, as a `kill -9` would: its services say
   * nothing (no chau), the others lose their link to it, and whatever it sends after
   * goes nowhere. `stop()` it afterwards to end its timers.
   */
  async crash (): Promise<void> {
    await this.transport.stop()
  }

  /** The messages of one kind that passed the emit pipeline, oldest first. */
  emittedOf (kind: string): Message[] {
    return this.emitted.filter(m => m.kind === kind)
  }

  protected override async afterEmit (message: Message, behavior: Behavior): Promise<void> {
    this.emitted.push(message)
    await super.afterEmit(message, behavior)
  }

  private asPeer (): PeerInfo {
    return { id: this.identity.id, name: this.identity.name, uptimeMs: Date.now() - this.startedAt, memoryMode: this.memoryMode, lastSeen: Date.now(), onlineSince: this.startedAt }
  }

  private linked (): MockRuntime[] {
    return this.network === undefined ? [] : [...(linkedRuntimes.get(this.network) ?? [])]
  }
}

/** The MockRuntimes on each MemoryNetwork, so linked runtimes can see each other. */
const linkedRuntimes = new WeakMap<MemoryNetwork, Set<MockRuntime>>()
