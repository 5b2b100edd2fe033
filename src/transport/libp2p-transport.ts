import { TopicValidatorResult, type Message as PubSubMessage, type SubscriptionChangeData } from '@libp2p/gossipsub'
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../runtime/constants.js'
import { NotRunningError, RefusedError, TimeoutError, UnreachableError } from '../runtime/errors.js'
import {
  HOLD_BROADCAST_MS, SUBSCRIPTION_SETTLE_MS, MAX_CONCURRENT_REQUESTS_PER_PEER, MAX_HELD_BROADCASTS, IDLE_STREAM_MS, INBOUND_IDLE_MS,
  MAX_INBOUND_STREAMS_PER_PROTOCOL, MAX_OUTBOUND_STREAMS_PER_PROTOCOL, READ_TIMEOUT_MS, REPUBLISH_INTERVAL_MS, WRITE_TIMEOUT_MS
} from './constants.js'
import { deadline, type Deadline } from './deadline.js'
import { Advertising } from './advertising.js'
import { HeldBroadcasts } from './held-broadcasts.js'
import { PeerLimiter } from './peer-limiter.js'
import { RequestStream, RequestStreams } from './request-stream.js'
import { serveRequests } from './request-server.js'
import { isStaleAddressFailure, raceSignal } from './stream-helpers.js'
import { keyOfPeerId, peerIdOfKey } from './peer-ids.js'
import { gossipProof, verifyGossipProof } from './gossip-proof.js'
import type { TransportHost } from './host.js'
import type { Behavior } from '../runtime/behavior.js'
import type { InboundSink, Recipient, SendOptions, Transport } from '../runtime/transport.js'
import { multiaddr } from '@multiformats/multiaddr'
import { setMaxListeners } from '../platform/platform.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/** Tunables; the defaults are the constants in ./constants.ts. */
export interface Libp2pTransportOptions {
  /** how long a new inbound stream may take to deliver its first request frame */
  readTimeoutMs?: number
  /** how long an outbound request stream with nothing in flight stays open */
  idleStreamMs?: number
  /** how long an inbound request stream may stay quiet before it is closed */
  inboundIdleMs?: number
  /** how long a reply may wait for a sender that does not read */
  writeTimeoutMs?: number
  /** how long a broadcast made before anyone subscribed is kept */
  holdBroadcastMs?: number
  /** how often held broadcasts are retried */
  republishIntervalMs?: number
  /** concurrent outbound requests per peer */
  maxConcurrentRequestsPerPeer?: number
}

/**
 * The runtime's Transport over libp2p: a mesh kind is a stream protocol per
 * version (`/nara/svc/op/<v>`); requests to a peer reuse one long-lived stream
 * per kind, several in flight, each reply on the same stream matched by
 * `inReplyTo`. A broadcast kind is a gossipsub topic whose validator runs the
 * receive pipeline. Senders are authenticated by the connection's (or the
 * signed gossipsub message's) Ed25519 key.
 */
export class Libp2pTransport implements Transport {
  private readonly log: Logger
  private readonly served = new Map<string, Behavior>()
  private readonly applied = new Map<string, Behavior>()
  private readonly inbound = new Set<Stream>()
  /** serving setup (handle/subscribe), awaited by start and stop */
  private readonly setup = new Set<Promise<void>>()
  private readonly limiter: PeerLimiter
  private readonly held: HeldBroadcasts
  private readonly timing: { readTimeoutMs: number, idleStreamMs: number, inboundIdleMs: number, writeTimeoutMs: number }
  private readonly requestStreams = new RequestStreams()
  private sink?: InboundSink
  private stopping = new AbortController()
  private settleTimer?: ReturnType<typeof setTimeout>
  private readonly refreshing = new Map<string, Promise<void>>()
  private readonly advertising: Advertising

  constructor (private readonly host: TransportHost, options: Libp2pTransportOptions = {}) {
    this.log = host.logger.forComponent('nara:transport')
    this.timing = {
      readTimeoutMs: options.readTimeoutMs ?? READ_TIMEOUT_MS,
      idleStreamMs: options.idleStreamMs ?? IDLE_STREAM_MS,
      inboundIdleMs: options.inboundIdleMs ?? INBOUND_IDLE_MS,
      writeTimeoutMs: options.writeTimeoutMs ?? WRITE_TIMEOUT_MS
    }
    this.advertising = new Advertising(host.providing)
    this.limiter = new PeerLimiter(options.maxConcurrentRequestsPerPeer ?? MAX_CONCURRENT_REQUESTS_PER_PEER)
    this.held = new HeldBroadcasts({
      publish: async (topic, envelope) => (await host.pubsub.publish(topic, envelope)).recipients.length,
      hasSubscribers: (topic) => host.pubsub.getSubscribers(topic).length > 0,
      holdMs: options.holdBroadcastMs ?? HOLD_BROADCAST_MS,
      max: MAX_HELD_BROADCASTS,
      retryMs: options.republishIntervalMs ?? REPUBLISH_INTERVAL_MS,
      log: this.log
    })
  }

  /** Broadcasts waiting for a subscriber (for tests and stats). */
  get heldBroadcasts (): number {
    return this.held.size
  }

  /** Outbound request streams open now (for tests and stats). */
  get openRequestStreams (): number {
    return this.requestStreams.size
  }

  async start (sink: InboundSink): Promise<void> {
    if (this.sink !== undefined) return
    this.sink = sink
    this.stopping = new AbortController()
    // every request in flight listens to it; that is expected, not a leak
    setMaxListeners(Infinity, this.stopping.signal)
    this.host.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    for (const behavior of this.served.values()) this.track(this.setup, this.apply(behavior))
    await settled(this.setup)
  }

  async stop (): Promise<void> {
    if (this.sink === undefined) return
    this.sink = undefined
    this.stopping.abort(new NotRunningError('transport'))
    this.host.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.held.clear()
    clearTimeout(this.settleTimer)
    this.requestStreams.abortAll(new NotRunningError('send'))
    for (const stream of this.inbound) stream.abort(new NotRunningError('transport'))
    await settled(this.setup)
    for (const behavior of [...this.applied.values()]) await this.unapply(behavior)
  }

  async advertise (topic: string, options?: { signal?: AbortSignal }): Promise<void> {
    await this.advertising.advertise(topic, options)
  }

  async withdraw (topic: string): Promise<void> {
    await this.advertising.withdraw(topic)
  }

  async * findAdvertisers (topic: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    for await (const peer of this.advertising.find(topic, options)) {
      const key = peer.equals(this.host.peerId) ? undefined : keyOfPeerId(peer)
      if (key !== undefined) yield key
    }
  }

  serve (behavior: Behavior): void {
    if (behavior.template === 'local') return
    this.served.set(behavior.kind, behavior)
    if (this.sink !== undefined) this.track(this.setup, this.apply(behavior))
  }

  async send (to: Recipient, behavior: Behavior, envelopeFor: (version: number) => Promise<Uint8Array>, options: SendOptions): Promise<void> {
    if (this.sink === undefined) throw new NotRunningError('send')
    let peer: PeerId
    try {
      peer = peerIdOfKey(to.publicKey)
    } catch (err) {
      throw new UnreachableError(to.id, (err as Error).message)
    }
    const limit = deadline(options.timeoutMs, this.stopping.signal, options.signal)
    let release: (() => void) | undefined
    try {
      const key = peer.toString()
      release = this.limiter.tryAcquire(key) ?? await this.limiter.acquire(key, limit.signal)
        .catch((err: Error) => { throw limit.expired ? new TimeoutError(behavior.kind, options.timeoutMs) : err })
      await this.exchange(peer, to, behavior, envelopeFor, options, limit)
    } finally {
      release?.()
      limit.clear()
    }
  }

  async verifyBroadcastProof (behavior: Behavior, publicKey: Uint8Array, envelope: Uint8Array, proof: Uint8Array): Promise<boolean> {
    return await verifyGossipProof(behavior.route(), publicKey, envelope, proof)
  }

  async publish (behavior: Behavior, envelope: Uint8Array): Promise<void> {
    if (this.sink === undefined) throw new NotRunningError('publish')
    const topic = behavior.route()
    if (this.host.pubsub.getSubscribers(topic).length > 0) {
      try {
        const { recipients } = await this.host.pubsub.publish(topic, envelope)
        if (recipients.length > 0) return
      } catch (err) {
        this.log('publishing on %s failed, holding it: %s', topic, (err as Error).message)
      }
    }
    this.log('nobody got %s yet; holding it', topic)
    // a retained kind is state each nara announces: only its newest is worth delivering
    this.held.hold(topic, envelope, { supersedable: behavior.retainLast })
  }

  isConnected (to: Recipient): boolean {
    try {
      // one lookup by peer: listing the peer of every connection cost the bootstrap
      // node of a swarm of 30 about 1 ms of CPU per join
      return this.host.remoteAddressOf(peerIdOfKey(to.publicKey)) !== undefined
    } catch {
      return false
    }
  }

  onPeerDisconnected (listener: (publicKey: Uint8Array) => void): () => void {
    return this.host.onPeerDisconnect((peer) => {
      const key = keyOfPeerId(peer)
      if (key !== undefined) listener(key)
    })
  }

  addresses (): string[] {
    return this.host.addresses().map(ma => ma.toString())
  }

  remoteAddressOf (to: Recipient): string | undefined {
    try {
      return this.host.remoteAddressOf(peerIdOfKey(to.publicKey))?.toString()
    } catch {
      return undefined
    }
  }

  /**
   * Parses what a nara announced about itself: its own addresses only (the last /p2p part,
   * if any, must be its PeerId; a relayed address names its relay in an earlier one).
   */
  async learnAddresses (to: Recipient, addresses: readonly string[]): Promise<void> {
    let peer: PeerId
    try {
      peer = peerIdOfKey(to.publicKey)
    } catch {
      return
    }
    const usable = addresses.slice(0, MAX_LEARNED_ADDRESSES).flatMap(text => {
      try {
        const ma = multiaddr(text)
        const claimed = ma.getComponents().findLast(c => c.name === 'p2p')?.value
        if (claimed !== undefined && claimed !== peer.toString()) return []
        return [claimed === undefined ? ma : ma.decapsulateCode(P2P_CODE)]
      } catch {
        return []
      }
    })
    if (usable.length === 0) return
    await this.host.rememberAddresses(peer, usable).catch((err: Error) => { this.log('could not record addresses of %p: %s', peer, err.message) })
  }

  /** One request on the peer's stream for this kind (opened with every version offered when there is none). */
  private async exchange (peer: PeerId, to: Recipient, behavior: Behavior, envelopeFor: (version: number) => Promise<Uint8Array>,
    options: SendOptions, limit: Deadline): Promise<void> {
    const key = `${peer.toString()}|${behavior.kind}`
    // the stream is open but for a peer's first request of a kind: no await then
    const stream = this.requestStreams.tryAcquire(key) ??
      await this.requestStreams.acquire(key, async () => await this.openRequestStream(peer, to, behavior, options, limit), limit.signal)
    try {
      const envelope = await envelopeFor(stream.version)
      let outcome
      try {
        outcome = await stream.request(options.requestId, envelope, options.awaitReply, limit.signal)
      } catch (err) {
        if (limit.expired) throw new TimeoutError(behavior.kind, options.timeoutMs)
        if (this.stopping.signal.aborted) throw new NotRunningError('send')
        throw err
      }
      // A reply our pipeline refused will never settle the call: say why now rather than time out.
      if (outcome?.accepted === false) throw new RefusedError('bad-reply', `${outcome.reason.code}: ${outcome.reason.detail}`)
    } finally {
      stream.release()
    }
  }

  private async openRequestStream (peer: PeerId, to: Recipient, behavior: Behavior, options: SendOptions, limit: Deadline): Promise<RequestStream> {
    const versions = behavior.versionsNewestFirst()
    const protocols = versions.map(v => behavior.route(v))
    const stream = await this.dial(peer, to, protocols, options, limit)
    const version = versions[protocols.indexOf(stream.protocol)]
    if (version === undefined) {
      const err = new UnreachableError(to.id, `it negotiated an unexpected protocol ${stream.protocol}`)
      stream.abort(err)
      throw err
    }
    return new RequestStream(stream, {
      to,
      version,
      maxReplyBytes: this.maxReplyBytes(),
      idleMs: this.timing.idleStreamMs,
      sink: () => this.sink,
      log: this.log
    })
  }

  /** Opens a stream; when known addresses fail, asks peer routing for fresh ones and tries once more. */
  private async dial (peer: PeerId, to: Recipient, protocols: string[], options: SendOptions, limit: Deadline): Promise<Stream> {
    const attempt = async (): Promise<Stream> => await this.host.dialProtocol(peer, protocols, { signal: limit.signal, runOnLimitedConnection: true })
    const unreachable = (err: unknown): Error => {
      if (this.stopping.signal.aborted) return new NotRunningError('send')
      const why = (err as Error).message
      this.log('cannot reach %p: %s', peer, why)
      return new UnreachableError(to.id, limit.expired ? `no stream within ${options.timeoutMs} ms (${why})` : why)
    }
    try {
      return await attempt()
    } catch (err) {
      if (this.host.refreshAddresses === undefined || limit.signal.aborted || !isStaleAddressFailure(err as Error)) throw unreachable(err)
      this.log('dialing %p failed (%s); asking peer routing for fresh addresses', peer, (err as Error).message)
      try {
        await this.refresh(peer, limit.signal)
        return await attempt()
      } catch (retryErr) {
        this.log('retrying %p with fresh addresses failed: %s', peer, (retryErr as Error).message)
        throw unreachable(err)
      }
    }
  }

  /** One address refresh per peer at a time: concurrent requests to a restarted peer share it. */
  private async refresh (peer: PeerId, signal: AbortSignal): Promise<void> {
    const key = peer.toString()
    let pending = this.refreshing.get(key)
    if (pending === undefined) {
      // bounded by the request that started it; the others wait at most for their own deadline
      pending = (this.host.refreshAddresses?.(peer, { signal }) ?? Promise.resolve())
        .finally(() => this.refreshing.delete(key))
      this.refreshing.set(key, pending)
    }
    await raceSignal(pending, signal)
  }

  /** The largest reply accepted: any kind served here may come back as a reply. */
  private maxReplyBytes (): number {
    let max = DEFAULT_MAX_ENVELOPE_BYTES
    for (const b of this.served.values()) max = Math.max(max, b.maxEnvelopeBytes)
    return max
  }

  private async apply (behavior: Behavior): Promise<void> {
    if (this.applied.has(behavior.kind)) return
    this.applied.set(behavior.kind, behavior)
    if (behavior.template === 'broadcast') {
      const topic = behavior.route()
      this.host.pubsub.topicValidators.set(topic, async (from, msg) => await this.validate(behavior, from, msg))
      this.host.pubsub.subscribe(topic)
      return
    }
    for (const version of behavior.versionsNewestFirst()) {
      await this.host.handle(behavior.route(version), (stream, connection) => {
        // onStream never throws; stop aborts these streams rather than wait for slow handlers.
        void this.onStream(behavior, version, stream, connection)
      }, {
        maxInboundStreams: MAX_INBOUND_STREAMS_PER_PROTOCOL,
        maxOutboundStreams: MAX_OUTBOUND_STREAMS_PER_PROTOCOL,
        // a nara behind NAT is reached through a relay: its connections are limited ones
        runOnLimitedConnection: true
      })
    }
  }

  private async unapply (behavior: Behavior): Promise<void> {
    this.applied.delete(behavior.kind)
    try {
      if (behavior.template === 'broadcast') {
        const topic = behavior.route()
        this.host.pubsub.unsubscribe(topic)
        this.host.pubsub.topicValidators.delete(topic)
        return
      }
      for (const version of behavior.versionsNewestFirst()) await this.host.unhandle(behavior.route(version))
    } catch (err) {
      // libp2p may already be stopping; there is nothing left to undo then.
      this.log('could not stop serving %s: %s', behavior.kind, (err as Error).message)
    }
  }

  /** An inbound mesh stream: requests in, each reply on the same stream. Never throws. */
  private async onStream (behavior: Behavior, version: number, stream: Stream, connection: Connection): Promise<void> {
    const sink = this.sink
    const key = keyOfPeerId(connection.remotePeer)
    if (sink === undefined || key === undefined) {
      sink?.dropped({ code: 'unauthenticated-peer', detail: `${connection.remotePeer.toString()} has no Ed25519 key` })
      stream.abort(new Error('not accepted'))
      return
    }
    this.inbound.add(stream)
    try {
      await serveRequests(stream, {
        sink,
        behavior,
        version,
        senderKey: key,
        sender: connection.remotePeer.toString(),
        readTimeoutMs: this.timing.readTimeoutMs,
        idleMs: this.timing.inboundIdleMs,
        writeTimeoutMs: this.timing.writeTimeoutMs,
        stopping: this.stopping.signal
      })
    } catch (err) {
      this.log.error('inbound %s stream failed: %s', behavior.kind, (err as Error).message)
      stream.abort(err as Error)
    } finally {
      this.inbound.delete(stream)
    }
  }

  /**
   * Gossipsub validation is the receive pipeline: accepted messages propagate, forged ones
   * are rejected. `from` is the propagation source (the forwarder), which admission
   * control counts and gossipsub's score charges for every Reject.
   */
  private async validate (behavior: Behavior, from: PeerId, msg: PubSubMessage): Promise<TopicValidatorResult> {
    const sink = this.sink
    if (sink === undefined) return TopicValidatorResult.Ignore
    if (msg.type !== 'signed') {
      sink.dropped({ code: 'unsigned-broadcast', detail: `unsigned message on ${behavior.route()}` })
      return TopicValidatorResult.Reject
    }
    // A message its author handed us itself introduces one nara at most: only relays go through admission.
    const relayed = !from.equals(msg.from)
    const outcome = await sink.receive(msg.data, {
      authenticatedKey: msg.key.raw,
      routedKind: behavior.kind,
      // a retained message is relayed later: its gossip signature goes with it
      ...(behavior.retainLast ? { broadcastProof: gossipProof(msg.sequenceNumber, msg.signature) } : {}),
      ...(relayed ? { via: from.toString() } : {})
    })
    if (outcome.accepted) return TopicValidatorResult.Accept
    return FORWARDER_AT_FAULT.has(outcome.reason.code) ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (this.held.size === 0 || !evt.detail.subscriptions.some(s => s.subscribe)) return
    void this.held.flush()
    // Our gossipsub stream to a new peer may open just after its subscription arrives: look again soon.
    clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => { void this.held.flush() }, SUBSCRIPTION_SETTLE_MS)
  }

  private track (set: Set<Promise<void>>, work: Promise<void>): void {
    const tracked = work.catch((err: Error) => { this.log.error('transport task failed: %s', err.message) })
    set.add(tracked)
    void tracked.finally(() => set.delete(tracked))
  }
}

async function settled (work: Set<Promise<void>>): Promise<void> {
  while (work.size > 0) await Promise.allSettled([...work])
}

/** Addresses taken from one announcement: a node listens on a few, not hundreds. */
const MAX_LEARNED_ADDRESSES = 8
/** The multicodec of the /p2p/<PeerId> multiaddr component. */
const P2P_CODE = 421

/**
 * Drops that prove the forwarder misbehaved: every nara validates before it forwards,
 * so an honest one never passes on a message that is malformed, oversize, on the wrong
 * topic, or not signed by the nara it claims to be from. These are Rejected: gossipsub
 * counts them against the forwarder's score (P4, invalid deliveries) until it is
 * graylisted. Every other drop is Ignored (not forwarded, no penalty), because an
 * honest forwarder can cause it: a duplicate, a sender's rate limit, a newer version or
 * a skewed clock we do not share, and admission control (`admission-*`), which cannot
 * tell a big honest join burst through one forwarder from a sybil's and must not turn
 * a busy honest relay into a graylisted one.
 */
const FORWARDER_AT_FAULT = new Set([
  'unsigned-broadcast', 'oversize', 'malformed-envelope', 'malformed-payload', 'invalid-payload', 'wrong-route', 'impersonation', 'bad-signature'
])
