import { RateLimitedError, RefusedError, TimeoutError, UnreachableError } from './errors.js'

/** How a `call()` ended. */
export type CallOutcome = 'ok' | 'timeout' | 'refused' | 'rate-limited' | 'unreachable' | 'failed'

/** The kind label of a message whose kind is not (yet) known, or not registered here. */
export const UNKNOWN_KIND = 'unknown'

/**
 * What the runtime reports as messages flow through it; a metrics exporter
 * implements it (src/metrics). Kinds are registered kinds only, or UNKNOWN_KIND,
 * so a peer sending made-up kinds cannot grow the set of labels.
 */
export interface RuntimeObserver {
  /** a message passed the receive pipeline */
  received(kind: string): void
  /** a message passed the emit pipeline */
  emitted(kind: string): void
  /** an inbound message was dropped, with the drop's reason code */
  dropped(kind: string, reason: string): void
  /** a call settled after `seconds` */
  callFinished(kind: string, outcome: CallOutcome, seconds: number): void
}

/** The outcome a call's rejection stands for. */
export function callOutcome (err: unknown): CallOutcome {
  if (err instanceof RateLimitedError) return 'rate-limited'
  if (err instanceof RefusedError) return 'refused'
  if (err instanceof TimeoutError) return 'timeout'
  if (err instanceof UnreachableError) return 'unreachable'
  return 'failed'
}
