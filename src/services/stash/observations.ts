// The owner's own record of its confidants' behaviour, which choosing confidants trusts.
import type { NaraID } from '../../identity/index.js'

/** What this nara has itself seen of one peer as a confidant. */
export interface Observation {
  /** stores acknowledged and audits passed */
  successes: number
  /** audits failed (wrong proof, stash missing, no answer) */
  failures: number
  /** when it was last audited (ms since the Unix epoch) */
  lastAuditAt?: number
}

/** How many peers' records are kept: the least recently touched is forgotten first. */
export const MAX_OBSERVED_PEERS = 512

/** A bounded per-peer record of exchanges with confidants, the evidence confidant choice trusts. */
export class Observations {
  private readonly byPeer = new Map<NaraID, Observation>()

  constructor (private readonly max = MAX_OBSERVED_PEERS) {}

  /** What was seen of `id`, if anything. */
  of (id: NaraID): Observation | undefined {
    return this.byPeer.get(id)
  }

  /** `id` acknowledged a store or (`audited`) passed an audit. */
  succeeded (id: NaraID, audited = false): void {
    const o = this.touch(id)
    o.successes++
    if (audited) o.lastAuditAt = Date.now()
  }

  /** `id` failed an audit. */
  failed (id: NaraID): void {
    const o = this.touch(id)
    o.failures++
    o.lastAuditAt = Date.now()
  }

  /** How many peers are on record. */
  get size (): number {
    return this.byPeer.size
  }

  /** The peer's record, moved to the most recent end (Map order is the eviction order). */
  private touch (id: NaraID): Observation {
    const o = this.byPeer.get(id) ?? { successes: 0, failures: 0 }
    this.byPeer.delete(id)
    this.byPeer.set(id, o)
    if (this.byPeer.size > this.max) this.byPeer.delete(this.byPeer.keys().next().value as NaraID)
    return o
  }
}
