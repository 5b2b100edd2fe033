/** Envelopes larger than this are dropped unless a behavior sets its own limit (withMaxSize). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024

/** How long `call` waits for a reply unless the behavior or the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000

/** Messages stamped further than this from our clock are dropped: it bounds the replay window. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** Remembered message ids for duplicate detection; with the skew window this bounds memory. */
export const DEDUPE_CAPACITY = 20_000

/** Distinct (sender, kind) rate-limit buckets kept before the idlest are forgotten. */
export const RATE_LIMIT_BUCKETS = 10_000

/** Reply kind for requests the receiver would not serve (rate limited, refused, failed). */
export const REFUSED_KIND = 'runtime:refused'

/** Senders whose last message of a retained kind is kept (per kind). */
export const RETAINED_PER_KIND = 1024
