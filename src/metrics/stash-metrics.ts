import { Counter, Gauge, type Registry } from 'prom-client'
import type { StashService } from '../services/stash/index.js'

/**
 * The stash's metrics, read from `stash.stats()` at each scrape. Its counters only
 * grow, so exporting them as counters (reset, then set to the current total) is exact.
 */
export function registerStashMetrics (registry: Registry, stash: StashService): void {
  const registers = [registry]
  const stats = (): ReturnType<StashService['stats']> => stash.stats()
  gauge(registry, 'nara_stash_held', 'Stashes this nara keeps for other naras', () => stats().held)
  gauge(registry, 'nara_stash_held_bytes', 'Ciphertext bytes this nara keeps for other naras', () => stats().heldBytes)
  gauge(registry, 'nara_stash_capacity', 'How many stashes this nara keeps for others at most (its memory mode)', () => stats().capacity)
  gauge(registry, 'nara_stash_confidants', 'Confidants keeping this nara\'s own stash', () => stats().confidants)
  new Counter({
    name: 'nara_stash_stores_total',
    help: 'Stashes stored: role="owner" this nara\'s own (a set that a confidant acknowledged), role="confidant" accepted from others',
    labelNames: ['role'],
    registers,
    collect () {
      const s = stats()
      this.reset()
      this.inc({ role: 'owner' }, s.stores)
      this.inc({ role: 'confidant' }, s.storesAccepted)
    }
  })
  new Counter({
    name: 'nara_stash_stores_refused_total',
    help: 'Newcomers\' stores refused as their confidant: reason="storage-full" (full of online owners), "origin-share" (their origin peer has its share)',
    labelNames: ['reason'],
    registers,
    collect () {
      const s = stats()
      this.reset()
      for (const [reason, n] of Object.entries(s.storesRefused)) this.inc({ reason }, n)
    }
  })
  new Counter({
    name: 'nara_stash_repairs_total',
    help: 'Confidants added to replace one that went away or to fill an empty place',
    registers,
    collect () {
      this.reset()
      this.inc(stats().repairs)
    }
  })
  new Counter({
    name: 'nara_stash_audits_total',
    help: 'Possession audits of this nara\'s confidants: result="passed", or the failure reason (wrong-proof, missing, timeout, unreachable)',
    labelNames: ['result'],
    registers,
    collect () {
      const s = stats()
      this.reset()
      this.inc({ result: 'passed' }, s.auditsPassed)
      for (const [reason, n] of Object.entries(s.auditsFailed)) this.inc({ result: reason }, n)
    }
  })
  new Counter({
    name: 'nara_stash_recoveries_total',
    help: 'Boot-time recoveries finished: outcome="recovered" brought the stash back, "none" found no copy that opens',
    labelNames: ['outcome'],
    registers,
    collect () {
      const recovery = stats().recovery
      this.reset()
      this.inc({ outcome: 'recovered' }, recovery?.recovered === true ? 1 : 0)
      this.inc({ outcome: 'none' }, recovery?.recovered === false ? 1 : 0)
    }
  })
  new Gauge({
    name: 'nara_stash_recovery_duration_seconds',
    help: 'How long the boot-time recovery took, from the refresh broadcast to its outcome (absent until it finished)',
    labelNames: ['outcome'],
    registers,
    collect () {
      const recovery = stats().recovery
      this.reset()
      if (recovery !== undefined) this.set({ outcome: recovery.recovered ? 'recovered' : 'none' }, recovery.durationMs / 1000)
    }
  })
}

function gauge (registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name, help, registers: [registry], collect () { this.set(read()) } })
}
