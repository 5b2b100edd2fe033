/** Our private Kad-DHT protocol, so nara nodes never mix routing tables with the public IPFS DHT. */
export const NARA_KAD_PROTOCOL = '/nara/kad/1.0.0'

/**
 * Kad-DHT query width: peers asked in parallel per path, and disjoint paths per query.
 * js-libp2p's defaults (10 and 20, sized for the public IPFS DHT) make a lookup in a
 * swarm of 50 ask, and connect to, nearly every node; Kademlia's classic alpha of 3
 * finds the same peers here at a fraction of the cost.
 */
export const DHT_ALPHA = 3
export const DHT_DISJOINT_PATHS = 3

/**
 * When Kad-DHT runs its first self-query. Its default (1 s after start) usually fires
 * before the bootstrap dial has finished and finds nothing; nara looks up its
 * neighbours itself once it has joined (node/connectivity.ts), so the DHT's own
 * first lookup waits for its regular interval instead of doubling that work.
 */
export const DHT_INITIAL_SELF_QUERY_MS = 5 * 60_000

/**
 * How long a provider record (an advertisement, e.g. "I hold X's stash") stays valid
 * on the DHT nodes that store it, and how long before expiry the advertiser renews
 * it. js-libp2p's 48 h / 24 h suit content that rarely moves; a nara's advertisement
 * follows what it holds, so one withdrawn is gone from the DHT within the hour.
 */
export const ADVERTISEMENT_VALIDITY_MS = 60 * 60_000
export const ADVERTISEMENT_RENEW_BEFORE_MS = 30 * 60_000
/** How often the DHT checks which advertisements need renewing. */
export const ADVERTISEMENT_CHECK_MS = 5 * 60_000

/** Concurrent inbound streams per mesh protocol per connection: one busy peer cannot exhaust us. */
export const MAX_INBOUND_STREAMS_PER_PROTOCOL = 32

/** Concurrent outbound streams per mesh protocol per connection (libp2p's default). */
export const MAX_OUTBOUND_STREAMS_PER_PROTOCOL = 64

/** Requests in flight to one peer, over all its kinds (each kind has one reused stream). */
export const MAX_CONCURRENT_REQUESTS_PER_PEER = 32

/**
 * Requests handled at once on one inbound stream; beyond it the stream is not read until
 * one finishes. Twice the dialer's own limit, since a reply can reach the dialer (which
 * then sends its next request) just before the handler that wrote it has returned.
 */
export const MAX_REQUESTS_PER_STREAM = 2 * MAX_CONCURRENT_REQUESTS_PER_PEER

/** How long a new inbound stream may take to deliver its first request frame before it is dropped. */
export const READ_TIMEOUT_MS = 10_000

/** An outbound request stream with nothing in flight for this long is closed. */
export const IDLE_STREAM_MS = 30_000

/** An inbound request stream quiet for this long is closed (the dialer normally closes it first). */
export const INBOUND_IDLE_MS = 2 * IDLE_STREAM_MS

/** How long a reply may wait for its reader before the stream is given up. */
export const WRITE_TIMEOUT_MS = 10_000

/** How long a broadcast made before any peer subscribed is kept for republishing. */
export const HOLD_BROADCAST_MS = 30_000

/** How often held broadcasts are retried (besides on every new subscription to their topic). */
export const REPUBLISH_INTERVAL_MS = 1_000

/** Delay of a second retry after a peer subscribes, for when our gossipsub stream to it opens just after. */
export const SUBSCRIPTION_SETTLE_MS = 100

/** Held broadcasts kept at once; the oldest are given up first, so memory stays bounded. */
export const MAX_HELD_BROADCASTS = 256

/** How long a graceful stream close may take before the stream is aborted instead. */
export const CLOSE_TIMEOUT_MS = 2_000

/** Yamux streams a new connection may queue before libp2p listens: above the default 10 so a burst of protocols fits. */
export const MAX_EARLY_STREAMS = 32

/**
 * Ping streams per peer, each way. Kad-DHT's new- and old-contact checks ping on their
 * own; with libp2p's default of one outbound stream a second concurrent ping fails
 * (before nara's keep-alive, libp2p's connection monitor then aborted the whole
 * connection: a swarm of 20 lost most of its connections this way).
 */
export const PING_STREAMS_PER_PEER = 4

/**
 * How often each end of a connection pings it (keep-alive.ts: a yamux ping frame, no
 * stream). Liveness of naras is presence's job (and a crashed process's connections
 * close at once); this finds links that died silently (a frozen peer, a cut cable)
 * within interval + timeout, and keeps NAT mappings open as yamux's own keep-alive did.
 */
export const KEEP_ALIVE_INTERVAL_MS = 30_000

/**
 * How long a keep-alive ping may go unanswered before its connection is aborted. In a
 * burst of 50 joins on 2 cores a busy peer answered pings late and 45 healthy
 * connections were aborted, each one re-dialed; a peer busy for seconds is not a dead link.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 20_000

/**
 * Inbound connections mid-handshake before more are refused: libp2p's default (10) refuses
 * part of a burst of joins at a bootstrap node.
 */
export const MAX_PENDING_INBOUND_CONNECTIONS = 64

/**
 * How long a listener waits for an inbound connection's upgrade (Noise, Yamux), and how
 * long a dial may take to open its connection. libp2p's 10 s and 6 s are too short
 * for a bootstrap node in a burst of joins: with 50 naras starting at once on 2 cores
 * its handshakes took 6-12 s, 35-41 of 49 joins were abandoned, and retrying redid the
 * half-finished handshakes on both sides. At 15 s, 16 of 49 first joins were still
 * abandoned: the bootstrap node gets a fiftieth of the CPU while 49 others start.
 */
export const UPGRADE_TIMEOUT_MS = 30_000

/**
 * How long a dial whose connection is open may wait for the other side to answer and
 * finish the handshake. A busy node accepts one connection per event-loop iteration
 * (libuv since 1.45, in Node 20), and until then the connection waits in its kernel's
 * accept queue, open but unanswered. On 2 cores shared by 50 naras the bootstrap node
 * iterated about three times a second: in a burst of 49 joins its queue held 34
 * connections, some for over 30 s. A dial cut then lost its place and queued again at
 * the end: in 4 of 13 starts 1-11 naras did, the three slowest starts among them.
 * Only the bootstrapper waits this long; every other dial of nara's has a shorter limit.
 */
export const OPEN_DIAL_ANSWER_MS = 120_000

/** Connections a node keeps before libp2p prunes the least valuable. */
export const MAX_CONNECTIONS = 200

/**
 * Addresses exempt from libp2p's per-host inbound rate (5/s) and pending-connection limits:
 * loopback is this machine, where every nara of a local swarm shares one address.
 */
export const LOCAL_HOSTS = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']

/**
 * IPs exempt from gossipsub's IP-colocation penalty. The penalty is (peers on one IP - 10)^2
 * times -5: on loopback a swarm of 14 would push every peer below the graylist threshold
 * (-80), and gossip (heartbeats) would stop. On a real network it still counts.
 */
export const COLOCATION_WHITELIST = ['127.0.0.1', '::1']

/** Largest gossipsub RPC decoded: envelopes are at most 64 KiB, an RPC may batch several plus control data. */
export const MAX_GOSSIP_RPC_BYTES = 1024 * 1024

/**
 * The gossip mesh's shape: each nara forwards a message to about 4 mesh peers, kept
 * between 3 and 6 (gossipsub's defaults: 6, between 4 and 12), and tells 4 others
 * which ids it has (IHAVE). Every mesh peer sends each message once, so a nara
 * receives about D copies of each: with D = 6 a nara in an idle swarm of 50 handled 24
 * deliveries a second for 4 heartbeats, each a decode, a duplicate check and often a
 * signature check, on two cores shared by 50 processes. With D = 4 a message still
 * reaches every nara by several paths (and IHAVE gossip repairs a lost one). `Dout`
 * and `Dscore` keep their proportions. IHAVE goes to `Dlazy` peers only: gossipsub's
 * `gossipFactor` (0.25 of the peers outside the mesh, when that is more) sent it to 11
 * peers a second at 50, so a nara's gossip RPCs grew with the swarm.
 */
export const GOSSIP_MESH = { D: 4, Dlo: 3, Dhi: 6, Dscore: 2, Dout: 1, Dlazy: 4, gossipFactor: 0 } as const

/**
 * How long a nara that has reached the internet waits for AutoNAT to confirm one of its
 * public addresses before it calls itself private. AutoNAT v2 confirms a listen address
 * on one peer's successful dial-back (a few hundred ms on a good link); it never
 * declares an address unreachable until 8 peers from 8 different /8 networks failed to
 * dial it, which a small swarm never has. So silence past this window is the verdict.
 */
export const REACHABILITY_VERDICT_MS = 8_000

/** How many relays a private nara reserves a slot on: one can go away without it becoming unreachable. */
export const RELAY_RESERVATIONS = 2
/**
 * How long before a relay whose reservation failed is asked again: 5 s after the first
 * failure (the NAT test saw a restarted nara's hop stream closed 14 ms in, once in three
 * restarts), twice as long after each further one, and at most a minute (a relay full,
 * or this IP's share taken).
 */
export const RELAY_RETRY = { firstMs: 5_000, maxMs: 60_000 } as const
/** How long a private nara's dial to a public nara it has not met (to see whether it relays) may take. */
export const RELAY_DIAL_MS = 10_000

/**
 * What a public nara's relay grants. libp2p's defaults (2 min, 128 KiB per relayed
 * connection) suit a hole-punch handshake, not a peer that lives behind the relay:
 * nara keeps its mesh, presence heartbeats and gossip on the relayed connection for
 * as long as the peers know each other, and a stash store is up to ~11 KiB of envelope.
 * An hour or 32 MiB (a stash store every second for most of that hour, or ~100,000
 * heartbeats), then the connection closes and the peers dial again through the relay.
 */
export const RELAY_LIMITS = {
  durationMs: 60 * 60_000,
  dataBytes: 32n * 1024n * 1024n,
  /** reservations held at once, in total and from one source IP (one host cannot take them all) */
  maxReservations: 64,
  maxReservationsPerIp: 4,
  /** a client refreshes well before this; a relay that lost its client frees the slot by then */
  reservationTtlMs: 30 * 60_000
} as const

/**
 * How long after a relayed connection opens a direct connection to the same peer still
 * counts as DCUtR's work: its default is 3 attempts of 5 s each, plus the sync round trip.
 */
export const DIRECT_UPGRADE_WINDOW_MS = 20_000

/** naras answer only naras' mDNS queries, not every libp2p node's on the LAN */
export const MDNS_SERVICE_TAG = '_nara._udp.local'
/** how often a nara asks the LAN who is there; a newcomer asks at once, and the first answer is enough */
export const MDNS_INTERVAL_MS = 10_000

/**
 * How long a TCP connect may take before libp2p tries the peer's next address. libp2p
 * dials a peer's addresses one after another, and a peer's LAN address seen from
 * another network (or any firewalled one) never answers: without this, the kernel's
 * SYN retries held such a dial for minutes, and every later dial to that peer joined
 * it instead of trying its relayed address. Five seconds still outlast two lost SYNs
 * (retried after 1 s and 3 s); a connect to a busy nara completes in its kernel's
 * accept queue, so the handshake's own limits (above) are untouched.
 */
export const TCP_CONNECT_TIMEOUT_MS = 5_000
