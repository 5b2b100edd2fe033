// What the stash reports for monitoring (the metrics read it).
import type { AuditFailure, Auditor } from './audits.js'
import type { ConfidantSide, StoreRefusal } from './confidant.js'
import type { OwnerSide } from './owner.js'
import type { RecoveryReport } from './owner-recovery.js'

/** What the stash has done since this nara started, for monitoring (the metrics read it). */
export interface StashStats {
  /** stashes held for other naras */
  readonly held: number
  /** the ciphertext bytes of the stashes held */
  readonly heldBytes: number
  /** how many stashes this nara may hold (by memory mode) */
  readonly capacity: number
  /** confidants keeping this nara's own stash */
  readonly confidants: number
  /** successful `set`s of this nara's own stash */
  readonly stores: number
  /** stores accepted from other naras as their confidant */
  readonly storesAccepted: number
  /** stores of newcomers refused as their confidant, by reason */
  readonly storesRefused: Readonly<Record<StoreRefusal, number>>
  /** confidants added after the last `set` or recovery, replacing lost ones or filling empty places */
  readonly repairs: number
  /** audits of this nara's confidants that they passed */
  readonly auditsPassed: number
  /** audits they failed, by reason (each failure drops the confidant and repairs) */
  readonly auditsFailed: Readonly<Record<AuditFailure, number>>
  /** the boot-time recovery, once it has finished */
  readonly recovery?: { readonly recovered: boolean, readonly durationMs: number }
}

/** Gathers the stats from the parts of a stash service. */
export function stashStats (owner: OwnerSide, confidant: ConfidantSide, audits: Auditor, recovery: RecoveryReport | undefined): StashStats {
  return {
    held: confidant.stored.size,
    heldBytes: confidant.heldBytes(),
    capacity: confidant.capacity(),
    confidants: owner.confidants().length,
    stores: owner.stores,
    storesAccepted: confidant.accepted,
    repairs: owner.repairs,
    auditsPassed: audits.passed,
    auditsFailed: { ...audits.failed },
    storesRefused: { ...confidant.refused },
    ...(recovery !== undefined ? { recovery: { recovered: recovery.count > 0, durationMs: recovery.endedAtMs - recovery.beganAtMs } } : {})
  }
}
