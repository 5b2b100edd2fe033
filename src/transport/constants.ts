/** Our private Kad-DHT protocol, so nara nodes never mix routing tables with the public IPFS DHT. */
export const NARA_KAD_PROTOCOL = '/nara/kad/1.0.0'

/** Concurrent inbound streams per mesh protocol per connection: one busy peer cannot exhaust us. */
export const MAX_INBOUND_STREAMS_PER_PROTOCOL = 32

/** Concurrent outbound streams per mesh protocol per connection (libp2p's default). */
export const MAX_OUTBOUND_STREAMS_PER_PROTOCOL = 64

/** Requests in flight to one peer: more than ~10 fresh streams trips yamux's early-stream limit. */
export const MAX_CONCURRENT_REQUESTS_PER_PEER = 8

/** How long an inbound stream may take to deliver its one request frame before it is dropped. */
export const READ_TIMEOUT_MS = 10_000

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

/** Largest gossipsub RPC decoded: envelopes are at most 64 KiB, an RPC may batch several plus control data. */
export const MAX_GOSSIP_RPC_BYTES = 1024 * 1024
