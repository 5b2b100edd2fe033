import { afterAll, describe, expect, it } from 'vitest'
import type { HeldBody, PeersBody, StashBody, StashSetBody } from '../../src/api/types.js'
import { killAll, startNara, exited, type RunningNara } from '../helpers/processes.js'
import { scrape } from '../helpers/prometheus.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

/** Audits every ~1 s: a frozen confidant is caught after about one interval plus the 5 s audit timeout. */
const AUDIT_FLAGS = ['--audit-interval', '1']

async function api<T> (nara: RunningNara, path: string, init?: RequestInit): Promise<{ status: number, body: T }> {
  const res = await fetch(`${nara.info.api}${path}`, init)
  return { status: res.status, body: await res.json() as T }
}

async function putStash (owner: RunningNara, value: unknown): Promise<StashSetBody> {
  const res = await api<StashSetBody & { error?: string }>(owner, '/stash', { method: 'PUT', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } })
  if (res.status !== 200) throw new Error(`PUT /stash answered ${res.status}: ${res.body.error ?? ''}`)
  return res.body
}

/** The version of `owner`'s stash that `nara` holds, or undefined when it holds none. */
async function heldVersion (nara: RunningNara, ownerId: string): Promise<number | undefined> {
  return (await api<{ held: HeldBody[] }>(nara, '/stash/held')).body.held.find(h => h.ownerId === ownerId)?.version
}

describe('a frozen confidant process (SIGSTOP: connected, answering nothing)', () => {
  it('is failed by the owner\'s audit and replaced; after SIGCONT it overwrites nothing and a kill -9 owner recovers its newest state', async () => {
    const prefix = 'e2e-frozen'
    const boot = await startNara(['--name', `${prefix}-0`, ...AUDIT_FLAGS])
    const joinVia = (via: RunningNara, i: number): Promise<RunningNara> => startNara(['--name', `${prefix}-${i}`, '--bootstrap', via.info.multiaddrs[0], ...AUDIT_FLAGS])
    const others = await Promise.all([1, 2, 3, 4].map(async i => await joinVia(boot, i)))
    const nodes = [boot, ...others]
    await waitFor(async () => (await Promise.all(nodes.map(async n => (await api<PeersBody>(n, '/peers')).body.peers.length))).every(c => c === nodes.length - 1),
      'five naras to see each other', 20_000, 200)

    let owner = others[0]
    const ownerId = owner.info.id
    const first = await putStash(owner, { level: 1 })
    expect(first.confidants).toHaveLength(3)
    const byId = (id: string): RunningNara => nodes.find(n => n.info.id === id)!
    const frozen = byId(first.confidants[0].id)
    const frozenPid = frozen.child.pid!

    process.kill(frozenPid, 'SIGSTOP')
    try {
      // the owner's audit times out (its connection to the frozen process stays open) and it is replaced
      await waitFor(async () => (await scrape(owner.info.api)).scrape.value('nara_stash_audits_total', { result: 'timeout' }) >= 1,
        'the owner\'s audit of the frozen confidant to time out', 25_000, 250)
      const replaced = await waitFor(async () => {
        const stash = (await api<StashBody>(owner, '/stash')).body
        return stash.confidants.length === 3 && stash.confidants.every(c => c.id !== frozen.info.id) ? stash : undefined
      }, 'three confidants without the frozen one', 15_000, 250)
      for (const c of replaced.confidants) expect(await heldVersion(byId(c.id), ownerId)).toBe(first.version)
      const { scrape: metrics } = await scrape(owner.info.api)
      expect(metrics.value('nara_stash_repairs_total')).toBeGreaterThanOrEqual(1)
      expect(metrics.value('nara_stash_confidants')).toBe(3)

      // a newer state while the frozen confidant still holds the old one
      const second = await putStash(owner, { level: 2 })
      expect(second.version).toBeGreaterThan(first.version)
      expect(second.confidants.map(c => c.id)).not.toContain(frozen.info.id)
    } finally {
      process.kill(frozenPid, 'SIGCONT')
    }
    await waitFor(async () => (await api<PeersBody>(frozen, '/peers').catch(() => undefined))?.status === 200, 'the thawed nara to answer', 10_000, 200)
    const newest = (await api<StashBody>(owner, '/stash')).body
    expect(newest.data).toEqual({ level: 2 })
    const holders = newest.confidants.map(c => byId(c.id))
    // a few audit rounds after the thaw: whatever the thawed process had queued has been handled
    const passed = (await scrape(owner.info.api)).scrape.value('nara_stash_audits_total', { result: 'passed' })
    await waitFor(async () => (await scrape(owner.info.api)).scrape.value('nara_stash_audits_total', { result: 'passed' }) >= passed + 6,
      'two more audit rounds to pass', 15_000, 250)
    for (const h of holders) expect(await heldVersion(h, ownerId)).toBe(newest.version)
    expect(await heldVersion(frozen, ownerId) ?? 0).toBeLessThan(newest.version)

    // kill -9 the owner and start it again with the same name: it comes back with the newest state
    owner.child.kill('SIGKILL')
    await exited(owner.child)
    const via = nodes.find(n => n !== owner && n !== frozen)!
    owner = await startNara(['--name', `${prefix}-1`, '--bootstrap', via.info.multiaddrs[0], ...AUDIT_FLAGS])
    expect(owner.info.id).toBe(ownerId)
    const recovered = await waitFor(async () => {
      const res = await api<StashBody>(owner, '/stash')
      return res.status === 200 ? res.body : undefined
    }, 'the restarted owner to recover its stash', 20_000, 200)
    expect(recovered.data).toEqual({ level: 2 })
    expect(recovered.version).toBe(newest.version)
    expect(recovered.recovery?.version).toBe(newest.version)
    for (const h of holders) expect(await heldVersion(h, ownerId)).toBe(newest.version)
  }, 120_000)
})
