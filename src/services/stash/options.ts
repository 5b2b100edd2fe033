// The service's options: their defaults and the values it refuses.
import { MAX_SEALED_CONFIDANTS } from './sealed.js'
import type { RecoveryOptions } from './recovery.js'

/** How a stash service behaves; every field has a default. */
export interface StashOptions extends Partial<RecoveryOptions> {
  /** how many confidants keep each stash (at most 5) @default 3 */
  targetConfidants?: number
  /** fewer online peers than this and `set` fails at once @default 1 */
  minConfidants?: number
  /** how long to wait for each confidant's ack @default 5000 */
  storeTimeoutMs?: number
  /** broadcast stash:refresh on start and recover @default true */
  recoverOnStart?: boolean
  /** how often each confidant is challenged to prove it holds the stash (± 20 % jitter) @default 45000 */
  auditIntervalMs?: number
  /** how long a confidant has to answer an audit @default 5000 */
  auditTimeoutMs?: number
}

/** The options with their defaults filled in (the recovery reads its own). */
export type ResolvedStashOptions = Required<Omit<StashOptions, keyof RecoveryOptions>>

/** Fills in the defaults; throws a RangeError on a value the stash cannot work with. */
export function resolveOptions (options: StashOptions): ResolvedStashOptions {
  const resolved = {
    targetConfidants: options.targetConfidants ?? 3,
    minConfidants: options.minConfidants ?? 1,
    storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
    recoverOnStart: options.recoverOnStart ?? true,
    auditIntervalMs: options.auditIntervalMs ?? 45_000,
    auditTimeoutMs: options.auditTimeoutMs ?? 5_000
  }
  if (!(resolved.auditIntervalMs > 0) || !(resolved.auditTimeoutMs > 0)) {
    throw new RangeError('stash: auditIntervalMs and auditTimeoutMs must be positive')
  }
  const target = resolved.targetConfidants
  if (!Number.isInteger(target) || target < 1 || target > MAX_SEALED_CONFIDANTS) {
    throw new RangeError(`stash: targetConfidants must be an integer from 1 to ${MAX_SEALED_CONFIDANTS}, got ${target}`)
  }
  return resolved
}
