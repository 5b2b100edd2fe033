import { afterEach, describe, expect, it } from 'vitest'
import { createNara, type StandaloneNara } from '../../src/index.js'
import { FAST, stopAll } from '../helpers/swarm.js'
import { Scrape } from '../helpers/prometheus.js'
import { waitFor } from '../helpers/wait.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)
/** Audits fast enough for a test: every ~0.5 s, 1 s to answer. */
const AUDITS = { auditIntervalMs: 500, auditTimeoutMs: 1_000 }
const YEAR_MS = 365 * 24 * 3_600_000

describe('stash among liars, hoarders and churn (libp2p on 127.0.0.1)', () => {
  let nodes: StandaloneNara[] = []
  afterEach(async () => { await stopAll(nodes); nodes = [] })

  async function join (name: string, via?: StandaloneNara): Promise<StandaloneNara> {
    const node = await createNara({ name, machineId: 'hostile', ...FAST, stash: { ...FAST.stash, ...AUDITS }, ...(via !== undefined ? { bootstrap: via.multiaddrs() } : {}) })
    nodes.push(node)
    return node
  }

  async function swarm (count: number, prefix: string): Promise<StandaloneNara[]> {
    const first = await join(`${prefix}-0`)
    for (let i = 1; i < count; i++) await join(`${prefix}-${i}`, first)
    await waitFor(() => nodes.every(n => n.runtime.onlinePeers().length === nodes.length - 1), `${nodes.length} naras to see each other`, 15_000)
    return [...nodes]
  }

  const holders = (owner: StandaloneNara): StandaloneNara[] => nodes.filter(n => n !== owner && n.stash.stored.has(owner.identity.id))
  const isConfidant = (owner: StandaloneNara, n: StandaloneNara): boolean => owner.stash.confidants().some(c => c.id === n.identity.id)

  async function rebootWithSoul (soul: string, name: string, via: StandaloneNara): Promise<StandaloneNara> {
    const node = await createNara({ name, soul, machineId: 'hostile-reborn', bootstrap: via.multiaddrs(), ...FAST, stash: { ...FAST.stash, ...AUDITS } })
    nodes.push(node)
    return node
  }

  it('does not choose a liar claiming a year of uptime, nor a fresh identity, ahead of peers seen for longer', async () => {
    const [owner, ...elders] = await swarm(4, 'liar')
    // the elders have been seen for a while before the newcomers arrive
    await waitFor(() => elders.every(e => (owner.runtime.onlinePeers().find(p => p.id === e.identity.id)?.onlineSince ?? Infinity) < Date.now() - 1_000), 'the elders to be seen for a second')
    const liar = await join('liar', owner)
    Reflect.set(liar.presence, 'startedAt', Date.now() - YEAR_MS) // every announcement from now on claims a year of uptime
    const fresh = await join('fresh', owner)
    await waitFor(() => (owner.runtime.onlinePeers().find(p => p.id === liar.identity.id)?.uptimeMs ?? 0) > YEAR_MS / 2, 'the owner to hear the liar\'s claim')
    await waitFor(() => owner.runtime.onlinePeers().some(p => p.id === fresh.identity.id), 'the owner to see the fresh identity')

    // the runtime sees where each connection comes from (all 127.0.0.1 here: grouped by port, so no two collide)
    expect(owner.runtime.addressOf(elders[0].identity.id)).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    const report = await owner.stash.set(text('{"level":3}'))
    expect(report.confidants.map(c => c.id).sort()).toEqual(elders.map(e => e.identity.id).sort())
  }, 60_000)

  it('finds a hoarder by audit and replaces it before the owner reboots; the rebooted owner recovers', async () => {
    const [owner, ...others] = await swarm(5, 'hoard')
    await owner.stash.set(text('{"level":5}'))
    const hoarder = others.find(n => isConfidant(owner, n))
    if (hoarder === undefined) throw new Error('no confidant')
    const began = performance.now()
    hoarder.stash.stored.delete(owner.identity.id) // it acknowledged, then dropped the stash
    await waitFor(() => owner.stash.stats().auditsFailed.missing >= 1, 'the audit to find the hoarder', 10_000)
    const detectedMs = performance.now() - began
    await waitFor(() => !isConfidant(owner, hoarder) && owner.stash.confidants().length === 3 && holders(owner).length === 3, 'three honest holders again', 10_000)
    const scrape = new Scrape((await owner.metrics.scrape()).text)
    expect(scrape.value('nara_stash_audits_total', { result: 'missing' })).toBe(1)
    expect(scrape.value('nara_stash_repairs_total')).toBeGreaterThanOrEqual(1)
    console.log(`hoarder detected after ${Math.round(detectedMs)} ms, replaced after ${Math.round(performance.now() - began)} ms (auditIntervalMs ${AUDITS.auditIntervalMs})`)

    const reborn = await rebootWithSoul(owner.identity.soulString(), owner.identity.name, await stopped(owner, others[0]))
    const result = await reborn.stash.recovered()
    expect(result.count).toBeGreaterThanOrEqual(1)
    expect(decode(reborn.stash.get())).toBe('{"level":5}')
  }, 60_000)

  it('churn: two of three confidants stop one after the other; repair restores three holders each time; the owner recovers', async () => {
    const [owner, ...others] = await swarm(8, 'churn')
    await owner.stash.set(text('{"level":8}'))
    for (const round of [1, 2]) {
      const leaving = others.find(n => isConfidant(owner, n) && nodes.includes(n))
      if (leaving === undefined) throw new Error('no confidant left to stop')
      const began = performance.now()
      await leaving.stop()
      nodes = nodes.filter(n => n !== leaving)
      await waitFor(() => !isConfidant(owner, leaving) && owner.stash.confidants().length === 3 && holders(owner).length >= 3, `three holders after loss ${round}`, 20_000)
      console.log(`churn: confidant loss ${round} repaired in ${Math.round(performance.now() - began)} ms`)
    }
    // a confidant restarted with wiped memory (too quick for presence to notice) is found by audit
    const wiped = others.find(n => isConfidant(owner, n) && nodes.includes(n))
    if (wiped === undefined) throw new Error('no confidant')
    wiped.stash.stored.clear()
    await waitFor(() => owner.stash.stats().auditsFailed.missing >= 1, 'the audit to find the wiped confidant', 10_000)
    await waitFor(() => owner.stash.confidants().length === 3 && holders(owner).length >= 3, 'three holders after the wipe', 10_000)

    const reborn = await rebootWithSoul(owner.identity.soulString(), owner.identity.name, await stopped(owner, others.find(n => nodes.includes(n)) as StandaloneNara))
    const result = await reborn.stash.recovered()
    expect(result.count).toBeGreaterThanOrEqual(1)
    expect(decode(reborn.stash.get())).toBe('{"level":8}')
  }, 90_000)

  it('treats a frozen confidant (connected, answering nothing) as failed and replaces it; once it thaws nothing is corrupted', async () => {
    const [owner, ...others] = await swarm(5, 'frozen')
    await owner.stash.set(text('{"level":2}'))
    const frozen = others.find(n => isConfidant(owner, n))
    if (frozen === undefined) throw new Error('no confidant')
    const thaw = Promise.withResolvers<void>()
    const audit = frozen.stash.audit.bind(frozen.stash)
    // its stash handlers hang: the audit stream stays open and no proof comes
    frozen.stash.audit = async (msg, p) => { await thaw.promise; await audit(msg, p) }
    await waitFor(() => owner.stash.stats().auditsFailed.timeout >= 1, 'the frozen confidant to time out', 10_000)
    await waitFor(() => !isConfidant(owner, frozen) && owner.stash.confidants().length === 3, 'a replacement', 10_000)
    thaw.resolve()
    const passed = owner.stash.stats().auditsPassed
    await waitFor(() => owner.stash.stats().auditsPassed >= passed + 6, 'further audits to pass', 10_000)
    for (const c of owner.stash.confidants()) expect(decode((await owner.stash.fetchFrom(c.id))?.data)).toBe('{"level":2}')
    // the thawed nara still holds a copy that opens to the same data
    expect(decode((await owner.stash.fetchFrom(frozen.identity.id))?.data)).toBe('{"level":2}')
  }, 60_000)

  /** Stops the owner; resolves with the nara the reborn owner should join through. */
  async function stopped (owner: StandaloneNara, via: StandaloneNara): Promise<StandaloneNara> {
    await owner.stop()
    nodes = nodes.filter(n => n !== owner)
    return via
  }
})
