import type { Behavior } from './behavior.js'
import type { Envelope } from './message.js'
import type { DropReason } from './pipeline.js'
import type { NaraID } from '../identity/index.js'

/** Where a reply to an inbound request goes: back on the request's own stream. */
export interface ReplyChannel {
  /** Sends the reply's encoded envelope back on the request's own stream. */
  reply(envelope: Uint8Array): Promise<void>
}

/** What the transport knows about an inbound envelope besides its bytes. */
export interface InboundContext {
  /**
   * The sender's Ed25519 public key as authenticated by the transport: the stream's
   * remote key (Noise), or the key that signed a broadcast's gossip message. When
   * present the envelope's claimed NaraID must match it, and that is the proof of who
   * sent it; an envelope that arrives without it must carry its own nara signature.
   */
  readonly authenticatedKey?: Uint8Array
  /**
   * For a broadcast: the transport's proof that `authenticatedKey` made it (for gossipsub,
   * its message's sequence number and signature), which a third party can check with
   * `Transport.verifyBroadcastProof`. Kept with a retained message, so it can be relayed.
   */
  readonly broadcastProof?: Uint8Array
  /**
   * A broadcast another nara relays (`via`): the key it claims to come from and the proof
   * it was relayed with, both checked by the receive pipeline (nothing authenticated them).
   */
  readonly relayed?: { readonly publicKey: Uint8Array, readonly proof: Uint8Array }
  /** Present for requests that arrived on a stream the sender keeps open for the reply. */
  readonly replyChannel?: ReplyChannel
  /** The version settled by protocol negotiation; the envelope must carry the same one. */
  readonly negotiatedVersion?: number
  /** The behavior the transport routed this envelope by (its protocol or topic). */
  readonly routedKind?: string
  /**
   * Who handed us this envelope when that is not its sender: the gossipsub propagation
   * source (a PeerId string), or the nara that relayed it. Admission control counts
   * per forwarder; absent for direct messages, whose sender is the connection's peer.
   */
  readonly via?: string
  /** The envelope decoded from these bytes, when the transport had to decode it already (to match a reply). */
  readonly envelope?: Envelope
}

/** What the receive pipeline did with an envelope: accepted, or dropped and why. */
export type ReceiveOutcome =
  | { readonly accepted: true }
  | { readonly accepted: false, readonly reason: DropReason }

/** The runtime, as the transport delivers to it. */
export interface InboundSink {
  /** Runs the receive pipeline on one envelope. Never throws. */
  receive(envelope: Uint8Array, ctx: InboundContext): Promise<ReceiveOutcome>
  /** Counts input the transport dropped before it was an envelope (oversize or truncated frame, ...). */
  dropped(reason: DropReason): void
}

/** Who a direct message goes to: the NaraID and the key that identifies its node. */
export interface Recipient {
  readonly id: NaraID
  readonly publicKey: Uint8Array
}

/** How the runtime wants one direct message sent. */
export interface SendOptions {
  /** the message's id: a reply names it in `inReplyTo` */
  readonly requestId: string
  /** wait for the reply (if any) and feed it to the receive pipeline */
  readonly awaitReply: boolean
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/**
 * The network, as the runtime uses it. The runtime never knows whether this is
 * libp2p or the in-memory network used in tests.
 */
export interface Transport {
  /** Begins delivering inbound envelopes to the runtime. */
  start(sink: InboundSink): Promise<void>
  /** Stops delivering and closes what the transport opened. */
  stop(): Promise<void>
  /** Makes a network behavior reachable (stream protocols for mesh, topic for broadcast). */
  serve(behavior: Behavior): void
  /**
   * Sends a direct message. The transport offers the behavior's versions newest
   * first and asks `envelopeFor(version)` for the bytes once a version is settled.
   * Rejects with UnreachableError / TimeoutError when it cannot deliver.
   */
  send(to: Recipient, behavior: Behavior, envelopeFor: (version: number) => Promise<Uint8Array>, options: SendOptions): Promise<void>
  /**
   * Whether `proof` (a `broadcastProof` this or another node's transport of the same kind
   * gave) shows that the holder of `publicKey` broadcast exactly `envelope` as `behavior`.
   */
  verifyBroadcastProof(behavior: Behavior, publicKey: Uint8Array, envelope: Uint8Array, proof: Uint8Array): Promise<boolean>
  /** Publishes a broadcast; one made before anyone listens is held until a peer subscribes. */
  publish(behavior: Behavior, envelope: Uint8Array): Promise<void>
  /** Whether this node has a live connection to the recipient (sending needs no dial). */
  isConnected(to: Recipient): boolean
  /**
   * Calls `listener` with a peer's public key when this node's last connection to it
   * closes; returns the unsubscribe function. A transport without connections omits it.
   */
  onPeerDisconnected?(listener: (publicKey: Uint8Array) => void): () => void
  /** Where this node can be reached, as strings the same kind of transport understands. */
  addresses(): string[]
  /** The remote address of this node's live connection to the recipient (undefined when none, or no addresses). */
  remoteAddressOf(to: Recipient): string | undefined
  /** Remembers where a nara says it can be reached, so sending to it needs no lookup; resolves once recorded (never rejects). */
  learnAddresses(to: Recipient, addresses: readonly string[]): Promise<void>
  /** Makes this node findable under `topic` (kept fresh until withdrawn). */
  advertise(topic: string, options?: { signal?: AbortSignal }): Promise<void>
  /** Stops advertising `topic`. */
  withdraw(topic: string): Promise<void>
  /** The public keys of the nodes advertising `topic`, as they are found. */
  findAdvertisers(topic: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>
}
