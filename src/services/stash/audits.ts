// Possession audits, both sides: the proof a confidant gives, and the owner's regular challenges.
import { equalBytes } from '@noble/ciphers/utils.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { AUDIT_CHALLENGE_BYTES, type StashProof } from './payloads.js'
import { TimeoutError } from '../../runtime/index.js'
import type { StashContext } from './context.js'
import type { ResolvedStashOptions } from './options.js'
import type { OwnerSide } from './owner.js'
import type { SealedConfidant } from './sealed.js'

/** Why an audit failed: a wrong proof, the stash not (or no longer) held, or no answer in time (or at all). */
export type AuditFailure = 'wrong-proof' | 'missing' | 'timeout' | 'unreachable'

/** A confidant's proof that it holds exactly `held`: HMAC-SHA256 keyed by the owner's fresh challenge. */
export function possessionProof (challenge: Uint8Array, held: { nonce: Uint8Array, ciphertext: Uint8Array }): Uint8Array {
  return hmac.create(sha256, challenge).update(held.nonce).update(held.ciphertext).digest()
}

/** The options the auditor reads. */
export type AuditOptions = Pick<ResolvedStashOptions, 'auditIntervalMs' | 'auditTimeoutMs'>

/**
 * The owner's possession audits: every interval (jittered) each confidant is
 * challenged with a fresh nonce and must answer with the proof over the copy it
 * was given. A confidant that fails is dropped, its failure remembered in the
 * owner's observations, and the stash repaired; a stash short of confidants is
 * topped up again each round.
 */
export class Auditor {
  /** audits passed */
  passed = 0
  /** audits failed, by reason */
  readonly failed: Record<AuditFailure, number> = { 'wrong-proof': 0, missing: 0, timeout: 0, unreachable: 0 }
  private timer?: ReturnType<typeof setTimeout>

  constructor (private readonly ctx: StashContext, private readonly owner: OwnerSide, private readonly options: AuditOptions) {}

  /** Audits every confidant after a jittered pause, then again, until stopped. */
  schedule (): void {
    clearTimeout(this.timer)
    const jitter = 0.8 + 0.4 * Math.random()
    this.timer = setTimeout(() => {
      void this.auditAll().finally(() => { if (!this.ctx.stopped) this.schedule() })
    }, Math.round(this.options.auditIntervalMs * jitter))
    this.timer.unref?.()
  }

  /** Stops the audits scheduled. */
  cancel (): void {
    clearTimeout(this.timer)
  }

  /**
   * Audits every confidant once, in parallel (one audit per confidant at a time); a failed
   * one is replaced. A stash still short of confidants is topped up again: the candidates
   * that refused may answer now (a partition healed, a peer's connection came back).
   */
  async auditAll (): Promise<void> {
    const failed = (await Promise.all(this.owner.confidants().map(async (c) => await this.auditOne(c)))).some(f => f)
    if ((failed || this.owner.short()) && !this.ctx.stopped) this.owner.repair()
  }

  /** Challenges one confidant; true when it failed (and was dropped). */
  private async auditOne (confidant: SealedConfidant): Promise<boolean> {
    const expected = this.owner.storedWithConfidant(confidant.id)
    if (expected === undefined || this.ctx.stopped) return false
    const challenge = randomBytes(AUDIT_CHALLENGE_BYTES)
    let failure: AuditFailure | undefined
    try {
      const reply = await this.ctx.rt.call({ kind: 'stash:audit', to: confidant.id, payload: { ownerId: this.ctx.rt.me().id, challenge } }, { timeoutMs: this.options.auditTimeoutMs })
      const proof = reply.payload as StashProof
      if (reply.kind !== 'stash:proof') failure = 'unreachable'
      else if (!proof.found) failure = 'missing'
      else if (proof.version !== expected.version || !equalBytes(proof.proof, possessionProof(challenge, expected))) failure = 'wrong-proof'
    } catch (err) {
      failure = err instanceof TimeoutError ? 'timeout' : 'unreachable'
    }
    // a store with this confidant during the audit changed what it must prove: judge it next round
    if (this.ctx.stopped || this.owner.storedWithConfidant(confidant.id) !== expected) return false
    if (failure === undefined) {
      this.passed++
      this.owner.observations.succeeded(confidant.id, true)
      return false
    }
    this.failed[failure]++
    this.owner.observations.failed(confidant.id)
    this.owner.forget(confidant.id)
    this.ctx.log.warn('confidant failed its audit: replacing it', { confidant: confidant.name, confidantId: confidant.id, reason: failure })
    return true
  }
}
