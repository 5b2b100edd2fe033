import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork, StashService, type Message, type PeerInfo, type StashStore } from '../../../src/index.js'
import { addressGroup, rankConfidants, spreadByAddress } from '../../../src/services/stash/confidants.js'
import { Observations } from '../../../src/services/stash/observations.js'
import type { StashAudit } from '../../../src/services/stash/payloads.js'
import { stashNara, stopStashNaras } from '../../helpers/stash.js'
import { waitFor } from '../../helpers/wait.js'

afterEach(stopStashNaras)

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const HOUR = 3_600_000

function peer (id: string, seenForMs: number, claimedUptimeMs: number, now: number): PeerInfo {
  return { id, name: id, uptimeMs: claimedUptimeMs, lastSeen: now, onlineSince: now - seenForMs }
}

describe('confidant ranking trusts observation, not claims', () => {
  const now = Date.now()

  it('ranks a fresh identity claiming a year of uptime behind every peer seen for longer', () => {
    const liar = peer('liar', 1_000, 365 * 24 * HOUR, now)
    const honest = [peer('a', 5 * 60_000, 5 * 60_000, now), peer('b', 2_000, 2_000, now), peer('c', HOUR, HOUR, now)]
    expect(rankConfidants([liar, ...honest], new Set(), undefined, now).map(p => p.id)).toEqual(['c', 'a', 'b', 'liar'])
  })

  it('lets the claimed uptime break an exact tie of observation only', () => {
    const ranked = rankConfidants([peer('low', 60_000, 1, now), peer('high', 60_000, HOUR, now)], new Set(), undefined, now)
    expect(ranked.map(p => p.id)).toEqual(['high', 'low'])
  })

  it('ranks a peer that failed an audit behind peers that never did, and credits successful exchanges', () => {
    const seen = new Observations()
    seen.failed('old-but-failed')
    for (let i = 0; i < 5; i++) seen.succeeded('proven')
    const peers = [peer('old-but-failed', 10 * HOUR, 10 * HOUR, now), peer('proven', 60_000, 60_000, now), peer('unproven', 2 * 60_000, 2 * 60_000, now)]
    expect(rankConfidants(peers, new Set(), (id) => seen.of(id), now).map(p => p.id)).toEqual(['proven', 'unproven', 'old-but-failed'])
  })

  it('keeps a bounded record, forgetting the least recently touched peer', () => {
    const seen = new Observations(3)
    for (const id of ['a', 'b', 'c']) seen.succeeded(id)
    seen.succeeded('a')
    seen.failed('d')
    expect(seen.size).toBe(3)
    expect(seen.of('b')).toBeUndefined()
    expect(seen.of('a')).toMatchObject({ successes: 2, failures: 0 })
    expect(seen.of('d')).toMatchObject({ successes: 0, failures: 1 })
  })
})

/** Acknowledges every store, then drops it. */
class Hoarder extends StashService {
  override async store (msg: Message<StashStore>, p: StashStore): Promise<void> {
    await super.store(msg, p)
    this.stored.delete(p.ownerId)
  }
}

/** Holds its connection but answers no audit until released. */
class Frozen extends StashService {
  private thaw = Promise.withResolvers<void>()
  release (): void { this.thaw.resolve() }
  override async audit (msg: Message<StashAudit>, p: StashAudit): Promise<void> {
    await this.thaw.promise
    await super.audit(msg, p)
  }
}

const FAST_AUDITS = { recoveryDeadlineMs: 2_000, auditIntervalMs: 100, auditTimeoutMs: 300 }

/** An owner with three honest-looking confidants (one of them `suspect`) and one spare peer. */
async function ownerWith (suspect: StashService): Promise<{ owner: Awaited<ReturnType<typeof stashNara>>, suspectId: string, spareId: string }> {
  const network = new MemoryNetwork()
  const s = await stashNara(network, 'suspect', { stash: suspect })
  const h1 = await stashNara(network, 'h1')
  const h2 = await stashNara(network, 'h2')
  const owner = await stashNara(network, 'owner', { stash: new StashService(FAST_AUDITS) })
  const spare = await stashNara(network, 'spare')
  // the spare has been seen for the shortest time, so the suspect is chosen first and the spare replaces it
  const now = Date.now()
  const seen = (n: typeof s, forMs: number): PeerInfo => ({ ...n.rt.me(), uptimeMs: forMs, lastSeen: now, onlineSince: now - forMs })
  owner.rt.setOnlinePeers([seen(s, 60_000), seen(h1, 60_000), seen(h2, 60_000), seen(spare, 1_000)])
  const report = await owner.stash.set(text('{"level":9}'))
  expect(report.confidants.map(c => c.name).sort()).toEqual(['h1', 'h2', 'suspect'])
  return { owner, suspectId: s.rt.me().id, spareId: spare.rt.me().id }
}

describe('possession audits', () => {
  it('finds a hoarder that acknowledged the store and dropped it, and replaces it', async () => {
    const { owner, suspectId, spareId } = await ownerWith(new Hoarder(FAST_AUDITS))
    await waitFor(() => owner.stash.stats().auditsFailed.missing >= 1, 'the hoarder to fail an audit')
    await waitFor(() => owner.stash.confidants().some(c => c.id === spareId), 'the spare to replace the hoarder')
    expect(owner.stash.confidants().map(c => c.id)).not.toContain(suspectId)
    expect(owner.stash.stats().repairs).toBeGreaterThanOrEqual(1)
  })

  it('fails a confidant whose copy was altered (its proof is wrong), and replaces it', async () => {
    const suspect = new StashService(FAST_AUDITS)
    const { owner, suspectId, spareId } = await ownerWith(suspect)
    const held = suspect.stored.get(owner.rt.me().id)
    if (held === undefined) throw new Error('suspect holds nothing')
    const garbage = new Uint8Array(held.ciphertext.byteLength).fill(7)
    suspect.stored.set(owner.rt.me().id, { ...held, ciphertext: garbage })
    await waitFor(() => owner.stash.stats().auditsFailed['wrong-proof'] >= 1, 'the altered copy to fail an audit')
    await waitFor(() => owner.stash.confidants().some(c => c.id === spareId), 'the spare to replace it')
    expect(owner.stash.confidants().map(c => c.id)).not.toContain(suspectId)
  })

  it('fails a frozen confidant on timeout and replaces it; once it thaws nothing is corrupted', async () => {
    const frozen = new Frozen(FAST_AUDITS)
    const { owner, suspectId, spareId } = await ownerWith(frozen)
    await waitFor(() => owner.stash.stats().auditsFailed.timeout >= 1, 'the frozen confidant to time out')
    await waitFor(() => owner.stash.confidants().some(c => c.id === spareId), 'the spare to replace it')
    expect(owner.stash.confidants().map(c => c.id)).not.toContain(suspectId)
    frozen.release()
    // the late proofs are ignored; the remaining confidants keep passing, and all hold what opens to the data
    const passed = owner.stash.stats().auditsPassed
    await waitFor(() => owner.stash.stats().auditsPassed >= passed + 6, 'further audits to pass')
    expect(owner.stash.confidants()).toHaveLength(3)
    for (const c of owner.stash.confidants()) expect(await owner.stash.fetchFrom(c.id)).toMatchObject({ data: text('{"level":9}') })
  })

  it('stores again with a confidant that lost its memory, when it is still the one to use', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner', { stash: new StashService(FAST_AUDITS) })
    await owner.stash.set(text('kept'))
    const wiped = peers[0]
    wiped.stash.stored.clear() // a restart with wiped memory, too quick for presence to notice
    await waitFor(() => owner.stash.stats().auditsFailed.missing >= 1, 'the wiped confidant to fail an audit')
    await waitFor(() => wiped.stash.stored.has(owner.rt.me().id), 'the stash to be stored with it again')
    await waitFor(() => owner.stash.confidants().length === 3, 'three confidants again')
  })

  it('passes honest confidants audit after audit', async () => {
    const network = new MemoryNetwork()
    await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner', { stash: new StashService(FAST_AUDITS) })
    await owner.stash.set(text('kept'))
    await waitFor(() => owner.stash.stats().auditsPassed >= 9, 'three rounds of audits')
    const failed = owner.stash.stats().auditsFailed
    expect(failed).toEqual({ 'wrong-proof': 0, missing: 0, timeout: 0, unreachable: 0 })
    expect(owner.stash.stats().repairs).toBe(0)
  })
})

describe('confidants are spread across addresses', () => {
  it('groups by IP, and on loopback by IP and port', () => {
    expect(addressGroup('/ip4/10.0.0.7/tcp/4001/p2p/12D3Koo')).toBe('10.0.0.7')
    expect(addressGroup('/ip4/127.0.0.1/tcp/4001')).toBe('127.0.0.1:4001')
    expect(addressGroup('/ip6/::1/tcp/9')).toBe('::1:9')
    expect(addressGroup('/dns4/example.org/tcp/1')).toBeUndefined()
    expect(addressGroup(undefined)).toBeUndefined()
  })

  it('puts a second peer behind an address already used after everyone else', () => {
    const groups: Record<string, string> = { a: '10.0.0.1', b: '10.0.0.1', c: '10.0.0.2', d: '10.0.0.3' }
    const ranked = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }]
    expect(spreadByAddress(ranked, id => groups[id]).map(p => p.id)).toEqual(['a', 'c', 'd', 'b'])
    expect(spreadByAddress(ranked, id => groups[id], ['10.0.0.2']).map(p => p.id)).toEqual(['a', 'd', 'b', 'c'])
  })

  it('does not store with two peers behind one address while another is available', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['a', 'b', 'c', 'd'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    const now = Date.now()
    // a and b (seen longest) are behind one machine's address; d is the least trusted
    owner.rt.setOnlinePeers(peers.map((p, i) => ({ ...p.rt.me(), uptimeMs: 0, lastSeen: now, onlineSince: now - (10 - i) * 60_000 })))
    const address: Record<string, string> = { a: '/ip4/10.0.0.1/tcp/1', b: '/ip4/10.0.0.1/tcp/2', c: '/ip4/10.0.0.2/tcp/1', d: '/ip4/10.0.0.3/tcp/1' }
    owner.rt.addressOf = (id) => address[peers.find(p => p.rt.me().id === id)?.rt.me().name ?? '']
    const report = await owner.stash.set(text('x'))
    expect(report.confidants.map(c => c.name).sort()).toEqual(['a', 'c', 'd'])
  })
})
