import { bytesToHex } from '@noble/hashes/utils.js'
import { verifySignature } from '../identity/index.js'
import { NotRunningError, RefusedError, UnreachableError } from './errors.js'
import type { Behavior } from './behavior.js'
import type { InboundContext, InboundSink, ReceiveOutcome, Recipient, SendOptions, Transport } from './transport.js'
import type { DropReason } from './pipeline.js'

/** How long a broadcast made before anyone listens waits for a subscriber. */
const HOLD_BROADCAST_MS = 30_000

interface HeldBroadcast { behavior: Behavior, envelope: Uint8Array, proof: Uint8Array, from: MemoryTransport, until: number }

/** What a MemoryTransport signs its broadcasts with, as gossipsub signs each message with the node's key. */
export interface BroadcastSigner {
  readonly publicKey: Uint8Array
  /** An Ed25519 signature of `bytes` by the key of `publicKey`. */
  sign(bytes: Uint8Array): Promise<Uint8Array>
}

/** What a memory broadcast's signature covers: its route and its envelope. */
function broadcastSigned (behavior: Behavior, envelope: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`nara-memory-broadcast:${behavior.route()}\n`)
  const bytes = new Uint8Array(prefix.byteLength + envelope.byteLength)
  bytes.set(prefix)
  bytes.set(envelope, prefix.byteLength)
  return bytes
}

/**
 * An in-process network of MemoryTransports, keyed by public key: what linked
 * MockRuntimes talk over. It mimics the libp2p transport's contract: protocol
 * version negotiation, authenticated sender keys (a link carries its sender's key as a
 * Noise-authenticated stream does; a broadcast is signed by its sender, as a gossipsub
 * message is), replies on the request's channel and broadcasts held until someone
 * subscribes.
 */
export class MemoryNetwork {
  private readonly nodes = new Map<string, MemoryTransport>()
  private held: HeldBroadcast[] = []
  private readonly advertised = new Map<string, Set<MemoryTransport>>()

  /** Puts a transport on the network (its start does). */
  join (node: MemoryTransport): void {
    this.nodes.set(keyOf(node.publicKey), node)
    this.releaseHeld()
  }

  /** Takes a transport off the network (its stop does); every other member loses its link to it. */
  leave (node: MemoryTransport): void {
    if (!this.nodes.delete(keyOf(node.publicKey))) return
    for (const other of this.nodes.values()) other.disconnected(node.publicKey)
  }

  /** Lists or unlists `node` under `topic`, as the DHT's provider records would. */
  advertise (topic: string, node: MemoryTransport, on: boolean): void {
    const nodes = this.advertised.get(topic) ?? new Set()
    if (on) nodes.add(node)
    else nodes.delete(node)
    if (nodes.size === 0) this.advertised.delete(topic)
    else this.advertised.set(topic, nodes)
  }

  /** Advertisers of `topic` still on the network (a DHT record outlives its node; a lookup then fails). */
  advertisers (topic: string): MemoryTransport[] {
    return [...this.advertised.get(topic) ?? []]
  }

  /** The transport on this network keyed by `publicKey`, if any. */
  lookup (publicKey: Uint8Array): MemoryTransport | undefined {
    return this.nodes.get(keyOf(publicKey))
  }

  /** Every transport on the network. */
  members (): MemoryTransport[] {
    return [...this.nodes.values()]
  }

  /** Delivers a broadcast to every other member serving its kind. */
  async broadcast (from: MemoryTransport, behavior: Behavior, envelope: Uint8Array, proof: Uint8Array): Promise<void> {
    const listeners = this.members().filter(n => n !== from && n.serves(behavior.kind))
    if (listeners.length === 0) {
      this.held.push({ behavior, envelope, proof, from, until: Date.now() + HOLD_BROADCAST_MS })
      return
    }
    const ctx = { authenticatedKey: from.publicKey, broadcastProof: proof, routedKind: behavior.kind }
    await Promise.all(listeners.map(async n => { await n.deliver(envelope, ctx) }))
  }

  private releaseHeld (): void {
    const now = Date.now()
    // A broadcast whose sender has left since goes with it.
    const due = this.held.filter(h => h.until > now && this.nodes.has(keyOf(h.from.publicKey)))
    this.held = []
    // A listener may stop while a held broadcast reaches it; that is its loss, not an error here.
    for (const h of due) this.broadcast(h.from, h.behavior, h.envelope, h.proof).catch(() => {})
  }
}

/** A Transport over a MemoryNetwork. Without a network, messages go nowhere. */
export class MemoryTransport implements Transport {
  private readonly served = new Map<string, Behavior>()
  private readonly disconnectListeners = new Set<(publicKey: Uint8Array) => void>()
  private sink?: InboundSink

  constructor (private readonly signer: BroadcastSigner, private readonly network?: MemoryNetwork) {}

  get publicKey (): Uint8Array {
    return this.signer.publicKey
  }

  async start (sink: InboundSink): Promise<void> {
    this.sink = sink
    this.network?.join(this)
  }

  async stop (): Promise<void> {
    this.network?.leave(this)
    this.sink = undefined
  }

  serve (behavior: Behavior): void {
    this.served.set(behavior.kind, behavior)
  }

  /** Whether this transport serves `kind` (its runtime registered it). */
  serves (kind: string): boolean {
    return this.served.has(kind)
  }

  /** Versions this node serves for a kind. */
  versionsOf (kind: string): number[] {
    return this.served.get(kind)?.versionsNewestFirst() ?? []
  }

  /** Hands an envelope to this transport's runtime, as the network would. */
  async deliver (envelope: Uint8Array, ctx: InboundContext): Promise<ReceiveOutcome> {
    if (this.sink === undefined) throw new UnreachableError('peer', 'it is not running')
    return await this.sink.receive(envelope, ctx)
  }

  async send (to: Recipient, behavior: Behavior, envelopeFor: (version: number) => Promise<Uint8Array>, options: SendOptions): Promise<void> {
    if (this.network === undefined) return
    const remote = this.network.lookup(to.publicKey)
    if (remote === undefined) throw new UnreachableError(to.id, 'not connected')
    const theirs = remote.versionsOf(behavior.kind)
    const version = behavior.versionsNewestFirst().find(v => theirs.includes(v))
    if (version === undefined) throw new UnreachableError(to.id, `it does not serve ${behavior.route()}`)
    const envelope = await envelopeFor(version)
    let replied = false
    let refusedReply: DropReason | undefined
    const replyChannel = options.awaitReply
      ? {
          reply: async (bytes: Uint8Array) => {
            replied = true
            const outcome = await this.deliver(bytes, { authenticatedKey: remote.publicKey })
            if (!outcome.accepted) refusedReply = outcome.reason
          }
        }
      : undefined
    await remote.deliver(envelope, {
      authenticatedKey: this.publicKey,
      negotiatedVersion: version,
      routedKind: behavior.kind,
      ...(replyChannel !== undefined ? { replyChannel } : {})
    })
    if (options.awaitReply && !replied) throw new RefusedError('no-reply', `${to.id} closed the request without replying`)
    if (refusedReply !== undefined) throw new RefusedError('bad-reply', `${refusedReply.code}: ${refusedReply.detail}`)
  }

  async publish (behavior: Behavior, envelope: Uint8Array): Promise<void> {
    if (this.sink === undefined) throw new NotRunningError('publish')
    if (this.network === undefined) return
    await this.network.broadcast(this, behavior, envelope, await this.signer.sign(broadcastSigned(behavior, envelope)))
  }

  async verifyBroadcastProof (behavior: Behavior, publicKey: Uint8Array, envelope: Uint8Array, proof: Uint8Array): Promise<boolean> {
    return await verifySignature(publicKey, broadcastSigned(behavior, envelope), proof)
  }

  /** In memory every node on the network is one hop away. */
  isConnected (to: Recipient): boolean {
    return this.network?.lookup(to.publicKey) !== undefined
  }

  onPeerDisconnected (listener: (publicKey: Uint8Array) => void): () => void {
    this.disconnectListeners.add(listener)
    return () => { this.disconnectListeners.delete(listener) }
  }

  /** The network tells this node that `publicKey` left it. */
  disconnected (publicKey: Uint8Array): void {
    for (const listener of this.disconnectListeners) listener(publicKey)
  }

  /** In memory a node is reached by its key: it has no addresses. */
  addresses (): string[] {
    return []
  }

  async learnAddresses (): Promise<void> {}

  remoteAddressOf (): string | undefined {
    return undefined
  }

  async advertise (topic: string): Promise<void> {
    this.network?.advertise(topic, this, true)
  }

  async withdraw (topic: string): Promise<void> {
    this.network?.advertise(topic, this, false)
  }

  async * findAdvertisers (topic: string): AsyncIterable<Uint8Array> {
    for (const node of this.network?.advertisers(topic) ?? []) if (node !== this) yield node.publicKey
  }
}

function keyOf (publicKey: Uint8Array): string {
  return bytesToHex(publicKey)
}
