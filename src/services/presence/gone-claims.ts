import type { NaraID } from '../../identity/index.js'

/**
 * How long a claim that a peer is gone (presence:gone) waits before the peer is taken
 * offline. The peer hears the claim too, by the same gossip, and answers with a
 * hey-there at once (`refutes_gone`); this is its time to be heard.
 */
export const GONE_GRACE_MS = 2_000
/** A presence:gone signed longer ago than this is stale, and ignored. */
export const GONE_FRESH_MS = 10_000

interface Claim {
  /** when the first claim about the peer arrived (ms since the Unix epoch) */
  since: number
  /** the signing time of the peer's newest announcement then: a newer one voids the claim */
  sentAt: number
}

/**
 * The claims that peers are gone, each waiting out its grace period, and the
 * refutations heard recently. A refutation voids the claims that arrive within a grace
 * period of it either way: gossip may bring a peer's answer before the claim it
 * answers. Holds only peers of the presence table (the caller checks), so it stays as
 * bounded as the table.
 */
export class GoneClaims {
  private readonly pending = new Map<NaraID, Claim>()
  private readonly refuted = new Map<NaraID, number>()

  /** A claim about `id` arrived at `now`; `sentAt` signs its newest announcement. Returns whether it now waits. */
  claim (id: NaraID, now: number, sentAt: number): boolean {
    const refutedAt = this.refuted.get(id)
    if (refutedAt !== undefined && now - refutedAt < GONE_GRACE_MS) return false
    if (!this.pending.has(id)) this.pending.set(id, { since: now, sentAt })
    return true
  }

  /** `id` said at `now` that it is not gone: its pending claim, and those arriving within the grace period, are void. */
  refute (id: NaraID, now: number): void {
    this.pending.delete(id)
    this.refuted.set(id, now)
  }

  /** Removes and returns the claims whose grace period is over at `now`. */
  due (now: number): Array<{ id: NaraID, sentAt: number }> {
    for (const [id, at] of this.refuted) if (now - at >= GONE_GRACE_MS) this.refuted.delete(id)
    const due: Array<{ id: NaraID, sentAt: number }> = []
    for (const [id, claim] of this.pending) {
      if (now - claim.since < GONE_GRACE_MS) continue
      this.pending.delete(id)
      due.push({ id, sentAt: claim.sentAt })
    }
    return due
  }

  /** Whether a claim about `id` is waiting. */
  has (id: NaraID): boolean {
    return this.pending.has(id)
  }

  /** The peer left the table some other way (chau, silence): nothing to decide about it. */
  forget (id: NaraID): void {
    this.pending.delete(id)
  }

  clear (): void {
    this.pending.clear()
    this.refuted.clear()
  }
}
