import type { Identity } from '../identity/index.js'
import type { AdmissionLimits, Logger, MemoryMode, NaraRuntime, Service } from '../runtime/index.js'
import type { StashOptions, StashService } from '../services/stash/index.js'
import type { PresenceOptions, PresenceService } from '../services/presence/index.js'
import type { NaraMetrics } from '../metrics/index.js'
import type { Registry } from 'prom-client'
import type { NetworkStatus, RelayMode } from '../transport/index.js'

/** How this node reaches a peer now: a direct connection, only through a relay (named when known), or no connection. */
export interface PeerLink {
  connection: 'direct' | 'relayed' | 'none'
  /** the relay's nara name, or its PeerID when it is no nara this node knows */
  relay?: string
}

/** Options of a nara's runtime and services, wherever it runs (Node or a browser). */
export interface NaraCoreOptions {
  /** @default 'medium' */
  memoryMode?: MemoryMode
  /** @default a silent in-memory logger */
  logger?: Logger
  stash?: StashOptions
  presence?: PresenceOptions
  /** admission control per gossipsub forwarder @default DEFAULT_ADMISSION */
  admission?: Partial<AdmissionLimits>
  /** more services to run on this node's runtime */
  services?: Service[]
}

/** Options of `createNara`. Every one has a default that works on a laptop. */
export interface NaraOptions extends NaraCoreOptions {
  /** @default this machine's name: generated from the machine id, the same at every start */
  name?: string
  /** a soul string for `name`; @default the native soul of this machine and name */
  soul?: string
  /** @default this machine's id */
  machineId?: string
  /** multiaddrs to listen on (TCP, or WebSockets with /ws) @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  /** addresses peers can reach this node at that it cannot see itself: a public IP or DNS name (`/dns4/nara.example.com/tcp/4001`) */
  announce?: string[]
  /** serve circuit relay v2 to naras behind NAT: once AutoNAT says public ('auto'), always ('on') or never @default 'auto' */
  relay?: RelayMode
  /** find naras on the LAN by multicast DNS @default on when listening beyond loopback */
  mdns?: boolean
  /** ask the router for a port mapping by UPnP @default false */
  upnp?: boolean
  /** certificate and key (PEM text) for secure WebSockets listen addresses (`/ip4/0.0.0.0/tcp/443/tls/ws`) */
  webSocketsTls?: { cert: string, key: string }
  /** multiaddrs of naras to join @default [] */
  bootstrap?: string[]
  /**
   * The prom-client registry nara's metrics go to (createNara puts libp2p's there
   * too) @default a new registry of this node's own
   */
  metricsRegistry?: Registry
}

/** Options about the libp2p node itself: createNara's alone (an embedding app configures its own libp2p). */
export type NodeOnlyOption = 'name' | 'soul' | 'machineId' | 'listen' | 'bootstrap' | 'announce' | 'relay' | 'mdns' | 'upnp' | 'webSocketsTls'

/** A running nara on Node: its core, metrics and network status. */
export interface NaraNode extends NaraCore {
  /** nara's Prometheus metrics (and, with createNara, libp2p's): `metrics.scrape()` */
  readonly metrics: NaraMetrics
  /** whether peers on the internet can dial this node (AutoNAT v2), and whether it relays; `unknown` when embedded without nara's network service */
  network(): NetworkStatus
}

/** A running nara, wherever it runs: its identity, runtime, services and libp2p node. */
export interface NaraCore {
  readonly identity: Identity
  readonly runtime: NaraRuntime
  readonly stash: StashService
  readonly presence: PresenceService
  /** the libp2p PeerID, as a string */
  peerId(): string
  /** the addresses other naras can dial, as strings */
  multiaddrs(): string[]
  /** how this node reaches a nara now */
  linkTo(naraId: string): PeerLink
  /** ms since this node started */
  uptimeMs(): number
  /** the PeerID string of a nara, derived from its public key; undefined when its key is unknown */
  peerIdOf(naraId: string): string | undefined
  /**
   * Resolves once at least `peers` naras (default 1) are online and the boot-time
   * stash recovery has finished: what to wait for before `stash.set`. Rejects with
   * NotReadyError after `timeoutMs` (default 30 s).
   */
  ready(options?: { peers?: number, timeoutMs?: number }): Promise<void>
  /** Starts the runtime and its services (createNara has already done it). */
  start(): Promise<void>
  /** Graceful stop: presence says chau, streams close, libp2p stops. Idempotent. */
  stop(): Promise<void>
}
