import type { MemoryMode, RuntimeStats, Template } from '../runtime/index.js'

/** GET /status */
export interface StatusBody {
  name: string
  id: string
  peerId: string
  multiaddrs: string[]
  uptimeMs: number
  memoryMode: MemoryMode
  /** whether peers on the internet can dial this nara (AutoNAT v2); `unknown` on loopback, a LAN, or before a verdict */
  reachability: 'public' | 'private' | 'unknown'
  /** public addresses AutoNAT confirmed */
  confirmedAddresses: string[]
  /** whether this nara serves circuit relay v2 to naras behind NAT now */
  relaying: boolean
  /** reservations it holds for naras behind NAT, when relaying */
  reservationsServed: number
  /** the PeerIDs of the relays it holds a slot on, when private */
  relays: string[]
}

/** One entry of GET /peers */
export interface PeerBody {
  id: string
  name: string
  /** null when the peer's public key is not known yet */
  peerId: string | null
  uptimeMs: number
  /** ms since the Unix epoch */
  lastSeen: number
  /** how this nara reaches the peer now: directly, through a relay, or not connected (known from gossip) */
  connection: 'direct' | 'relayed' | 'none'
  /** the relay's name (its PeerID when it is no nara we know), when relayed */
  relay?: string
}

/** GET /peers */
export interface PeersBody { peers: PeerBody[] }

export interface ConfidantBody { id: string, name: string }

/** GET /stash */
export interface StashBody {
  /** the JSON value the owner stored (its raw text when it is not JSON, with `format: 'text'`) */
  data: unknown
  version: number
  confidants: ConfidantBody[]
  format?: 'text'
  /** how the boot-time recovery went, when there was one */
  recovery?: RecoveryBody
}

/** The boot-time recovery, timed in ms since this process started. */
export interface RecoveryBody {
  count: number
  version: number
  /** when nara began asking (libp2p and the services were up) */
  beganAtMs: number
  /** when stash:recovered was emitted */
  endedAtMs: number
}

/** PUT /stash */
export interface StashSetBody {
  /** set when this PUT came during recovery: the version it brought back, which this one replaced */
  replacedRecovered?: number
  version: number
  confidants: ConfidantBody[]
  failures: Array<{ id: string, error: string }>
}

/** One entry of GET /stash/held: a stash this nara keeps for another, without its ciphertext. */
export interface HeldBody {
  ownerId: string
  /** the owner's name, from its signed store */
  ownerName: string
  /** ciphertext size */
  bytes: number
  version: number
  /** ms since the Unix epoch */
  storedAt: number
}

/** One entry of GET /behaviors */
export interface BehaviorBody {
  kind: string
  template: Template
  description: string
  /** protocol ids newest first (meshRequest), the topic (broadcast) or null (local) */
  route: string[] | string | null
  versions: number[]
  replyKind: string | null
}

/** GET /stats: the runtime's counters as JSON (GET /metrics has them all for Prometheus) */
export type StatsBody = RuntimeStats
