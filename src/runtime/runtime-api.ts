import type { NaraID, Sealed } from '../identity/index.js'
import type { Behavior } from './behavior.js'
import type { Logger } from './logger.js'
import type { Message, Outgoing } from './message.js'
import type { RelayedMessage, RetainedMessage } from './retained.js'

/** How much memory a nara offers others (a confidant's stash slots follow it). */
export type MemoryMode = 'low' | 'medium' | 'high'
/** Every memory mode, smallest first. */
export const MEMORY_MODES: readonly MemoryMode[] = ['low', 'medium', 'high']

/** Where a runtime runs; MockRuntime's is `test`. */
export type RuntimeEnv = 'production' | 'development' | 'test'

/** A nara this node currently sees online. */
export interface PeerInfo {
  readonly id: NaraID
  readonly name: string
  /** how long the peer has been up, as it last announced */
  readonly uptimeMs: number
  readonly memoryMode?: MemoryMode
  /** when we last heard from it (ms since the Unix epoch) */
  readonly lastSeen: number
  /** since when this nara has seen it online without a break (ms since the Unix epoch): observed, not claimed */
  readonly onlineSince: number
}

/** What a service sees of the node: the only door to the network and to the node's keys. */
export interface Runtime {
  /** This nara's NaraID and name. */
  me(): { id: NaraID, name: string }
  /** Declares a message kind: how it travels, its payloads and handlers. A kind is registered once. */
  register(behavior: Behavior<unknown>): void
  /** Runs the emit pipeline; resolves once the message left (or was delivered locally). */
  emit(msg: Outgoing): Promise<void>
  /** Sends a mesh request and resolves with its reply; rejects with TimeoutError, RefusedError, ... */
  call(msg: Outgoing, opts?: { timeoutMs?: number }): Promise<Message>
  /** Subscribes to a kind (local kinds, and network kinds after verification). */
  on(kind: string, subscriber: (msg: Message) => void | Promise<void>): () => void
  /** A logger whose lines carry `service` and this nara's name and id. */
  log(service: string): Logger
  /** Encrypts for this nara only; the key never leaves the runtime. */
  seal(plaintext: Uint8Array): Promise<Sealed>
  /** Decrypts what `seal` made; throws OpenFailedError on a wrong key or tampering. */
  open(sealed: Sealed): Promise<Uint8Array>
  /** The naras this node sees online now (presence provides the list). */
  onlinePeers(): PeerInfo[]
  /** The last message of a retained broadcast kind from each sender (with its proof, opaque), newest first. */
  retained(kind: string, maxAgeMs?: number): RetainedMessage[]
  /**
   * Verifies and delivers messages relayed by another nara (`relayedBy`, its NaraID: admission
   * control counts what it brings in); returns how many were accepted.
   */
  deliverRelayed(kind: string, messages: ReadonlyArray<RelayedMessage>, relayedBy: NaraID): Promise<number>
  /**
   * Who brought `id` to this nara: the forwarder (a gossipsub propagation source) or the
   * relaying nara its first message came through, or `id` itself when it came directly
   * (or is unknown). Opaque; services use it to share capacity fairly between forwarders.
   */
  originOf(id: NaraID): string
  /** The Ed25519 public key a nara announced (verified), if this nara has heard of it. */
  publicKeyOf(id: NaraID): Uint8Array | undefined
  /** Whether this nara is directly connected to `id`: a message to it needs no new connection. */
  isNeighbour(id: NaraID): boolean
  /**
   * Calls `listener` with the NaraID of a nara this one sees online when its last connection
   * to it closes (a peer that stopped, crashed, or was disconnected: the transport cannot
   * tell which); returns the unsubscribe function.
   */
  onNeighbourLost(listener: (id: NaraID) => void): () => void
  /** Where this nara can be reached (opaque to services: multiaddrs on libp2p). */
  addresses(): string[]
  /** The remote address of this nara's live connection to a peer (undefined when not connected, or in memory). */
  addressOf(id: NaraID): string | undefined
  /**
   * Records where a nara says it can be reached (from its own authenticated message);
   * resolves once recorded, so a reply sent next can use them (never rejects).
   */
  learnAddresses(id: NaraID, addresses: readonly string[]): Promise<void>
  /**
   * Makes this nara findable under `topic` through peer routing (the DHT's provider
   * records on libp2p), renewed until `withdraw`. Topics are namespaced by service
   * by convention (`stash:<owner>`).
   */
  advertise(topic: string): Promise<void>
  /** Stops advertising `topic`. */
  withdraw(topic: string): Promise<void>
  /** The public keys of the naras advertising `topic` (not this one), as they are found; call them with `toKey`. */
  findAdvertisers(topic: string, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>
  /** Installs the source of `onlinePeers()` (the presence service does). */
  providePeers(source: () => PeerInfo[]): void
  readonly memoryMode: MemoryMode
  readonly env: RuntimeEnv
}
