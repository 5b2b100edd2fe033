import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CAPACITY_BY_MEMORY_MODE, DEFAULT_ADMISSION, createNara, fairShare, type StandaloneNara } from '../../src/index.js'
import { startApi, type ApiServer } from '../../src/api/index.js'
import { FAST, stopAll } from '../helpers/swarm.js'
import { scrape } from '../helpers/prometheus.js'
import { waitFor } from '../helpers/wait.js'
import { PlainForwarder, freshIdentity, gossipScore, heyThereMessage, plainStore, type StoreAnswer } from '../helpers/sybil.js'
import type { Identity } from '../../src/index.js'

const SYBILS = 1_000
const STORING = 100
const STASH_BYTES = 10 * 1024
const OWNERS = 3
/** a presence table smaller than what admission lets through, so the flood meets its cap */
const MAX_PEERS = 64
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Runs `work` over `items`, at most `width` at once. */
async function inParallel<T, R> (items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i])
    }
  }))
  return results
}

describe('a sybil: one plain libp2p peer with 1,000 fresh identities against a nara (libp2p on 127.0.0.1)', () => {
  let target: StandaloneNara
  let owners: StandaloneNara[] = []
  let api: ApiServer
  let forwarder: PlainForwarder
  let sybils: Identity[] = []
  let answers: StoreAnswer[] = []
  let floodBeganAt = 0
  let onlineAfterFlood: string[] = []
  const capacity = CAPACITY_BY_MEMORY_MODE.medium

  beforeAll(async () => {
    target = await createNara({ name: 'sybil-target', machineId: 'sybil', memoryMode: 'medium', ...FAST, presence: { ...FAST.presence, maxPeers: MAX_PEERS } })
    api = await startApi(target)
    for (let i = 0; i < OWNERS; i++) owners.push(await createNara({ name: `real-owner-${i}`, machineId: 'sybil', bootstrap: target.multiaddrs(), ...FAST }))
    const all = [target, ...owners]
    await waitFor(() => all.every(n => n.runtime.onlinePeers().length === all.length - 1), 'the real naras to see each other', 15_000)
    for (const [i, owner] of owners.entries()) await owner.stash.set(text(`{"owner":${i}}`))
    await waitFor(() => owners.every(o => target.stash.stored.has(o.identity.id)), 'the target to hold every real owner\'s stash', 15_000)

    sybils = Array.from({ length: SYBILS }, (_, i) => freshIdentity(i, 'sybil'))
    const messages = await Promise.all(sybils.map(async s => await heyThereMessage(s)))
    forwarder = await PlainForwarder.connect(target.multiaddrs()[0])
    floodBeganAt = Date.now()
    // the identities that will store go first, so they are among those admitted
    await forwarder.forward(messages.slice(0, STORING))
    await waitFor(() => sybils.slice(0, STORING).every(s => target.runtime.keyring.has(s.id)), 'the first sybils to be admitted', 15_000)
    await forwarder.forward(messages.slice(STORING))
    // every hey-there was either admitted (its sender is known now) or dropped by admission control
    await waitFor(() => sybils.filter(s => target.runtime.keyring.has(s.id)).length + target.runtime.drops.get('admission-new-identities') === SYBILS,
      'every sybil hey-there to be admitted or refused', 30_000)
    // the table as the flood left it: the storing sybils below connect and leave, and are then found gone
    await waitFor(() => target.presence.online().length >= MAX_PEERS, 'the presence table to fill', 15_000)
    onlineAfterFlood = target.presence.online().map(p => p.id)
    answers = await inParallel(sybils.slice(0, STORING), 25, async s => await plainStore(target.multiaddrs()[0], target.identity.id, s, STASH_BYTES))
  }, 120_000)

  afterAll(async () => {
    await api?.close()
    await forwarder?.stop()
    await stopAll([target, ...owners])
  })

  it('admits no more new identities through one forwarder than the limit per window; the rest are counted drops', async () => {
    const windows = Math.floor((Date.now() - floodBeganAt) / DEFAULT_ADMISSION.windowMs) + 1
    const admitted = sybils.filter(s => target.runtime.keyring.has(s.id)).length
    expect(admitted).toBeLessThanOrEqual(DEFAULT_ADMISSION.newIdentities * windows)
    expect(target.runtime.drops.get('admission-new-identities')).toBe(SYBILS - admitted)
    // the structures keyed by identity hold the admitted sybils at most, not 1,000
    expect(target.runtime.keyring.size).toBeLessThanOrEqual(1 + OWNERS + admitted)
  })

  it('fills its presence table to its cap and no further; the real naras keep their places', () => {
    expect(onlineAfterFlood).toHaveLength(MAX_PEERS)
    const online = target.presence.online().map(p => p.id)
    for (const owner of owners) expect(online).toContain(owner.identity.id)
    expect(target.presence.refused).toBeGreaterThan(0)
    expect(target.runtime.stats().admissionPeaks.newIdentities).toBe(DEFAULT_ADMISSION.newIdentities)
    // refused by admission, not proven forged: Ignored, so they cost the forwarder no score (a busy honest relay looks the same)
    expect(gossipScore(target, forwarder.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('gives the stashes of the identities one peer brought in a fair share of the slots, refusing the rest with a reason', () => {
    const acked = answers.filter(a => a.kind === 'stash:ack').length
    expect(acked).toBe(fairShare(capacity))
    expect(answers.filter(a => a.kind === 'runtime:refused' && a.code === 'origin-share')).toHaveLength(STORING - acked)
    expect(target.stash.stats().storesRefused['origin-share']).toBe(STORING - acked)
  })

  it('keeps the real owners\' stashes and confidant places: each owner gets its own stash back from it', async () => {
    for (const owner of owners) {
      expect(target.stash.stored.has(owner.identity.id)).toBe(true)
      expect(owner.stash.confidants().map(c => c.id)).toContain(target.identity.id)
      const copy = await owner.stash.fetchFrom(target.identity.id)
      expect(new TextDecoder().decode(copy?.data)).toBe(new TextDecoder().decode(owner.stash.get()))
    }
  })

  it('still has room for an honest newcomer that connects directly', async () => {
    const newcomer = freshIdentity(0, 'newcomer')
    expect(await plainStore(target.multiaddrs()[0], target.identity.id, newcomer, STASH_BYTES)).toEqual({ kind: 'stash:ack' })
    expect(target.stash.stored.has(newcomer.id)).toBe(true)
  })

  it('once full, makes room only by forgetting owners that are offline: direct sybils push out each other, never a real owner', async () => {
    const direct = Array.from({ length: capacity }, (_, i) => freshIdentity(i, 'direct'))
    const replies = await inParallel(direct, 10, async s => await plainStore(target.multiaddrs()[0], target.identity.id, s, STASH_BYTES))
    expect(replies.every(r => r.kind === 'stash:ack')).toBe(true)
    expect(target.stash.stored.size).toBe(capacity)
    for (const owner of owners) expect(target.stash.stored.has(owner.identity.id)).toBe(true)
  })

  it('stays responsive, and its metrics count what admission control and the confidant refused', async () => {
    const status = await fetch(`${api.url}/status`)
    expect(status.status).toBe(200)
    expect((await status.json() as { id: string }).id).toBe(target.identity.id)
    const { scrape: s } = await scrape(api.url)
    expect(s.value('nara_messages_dropped_total', { kind: 'presence:hey-there', reason: 'admission-new-identities' })).toBe(target.runtime.drops.get('admission-new-identities'))
    expect(s.value('nara_stash_stores_refused_total', { reason: 'origin-share' })).toBe(target.stash.stats().storesRefused['origin-share'])
  })
})
