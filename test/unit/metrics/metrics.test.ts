import { afterAll, describe, expect, it } from 'vitest'
import { Identity, MemoryNetwork } from '../../../src/index.js'
import { buildApi } from '../../../src/api/index.js'
import { fakeNode, type FakeNode } from '../api/fake-node.js'
import { histogramSeries, Scrape } from '../../helpers/prometheus.js'

const nodes: FakeNode[] = []
afterAll(async () => { for (const n of nodes) await n.stop() })

async function scrapeOf (node: FakeNode): Promise<Scrape> {
  const app = buildApi(node)
  try {
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    return new Scrape(res.body)
  } finally {
    await app.close()
  }
}

describe('nara metrics', () => {
  it('count drops by kind and reason; an undecodable message is of kind "unknown", a made-up kind too', async () => {
    const node = await fakeNode('drops')
    nodes.push(node)
    const alice = Identity.create({ name: 'alice', machineId: 'metrics-test' })
    node.runtime.trust(alice)
    await node.runtime.deliver(new Uint8Array([1, 2, 3]))
    const store = await node.runtime.envelopeFrom(alice, { kind: 'stash:store', to: node.identity.id, payload: {} }, { payload: new Uint8Array([0xff, 0xff]) })
    await node.runtime.deliver(store)
    await node.runtime.deliver({ ...store, kind: 'made:up' })
    const s = await scrapeOf(node)
    expect(s.family('nara_messages_dropped_total')?.type).toBe('COUNTER')
    expect(s.value('nara_messages_dropped_total', { kind: 'unknown', reason: 'malformed-envelope' })).toBe(1)
    expect(s.value('nara_messages_dropped_total', { kind: 'stash:store', reason: 'malformed-payload' })).toBe(1)
    expect(s.value('nara_messages_dropped_total', { kind: 'unknown', reason: 'unknown-kind' })).toBe(1)
    expect(s.family('nara_messages_dropped_total')?.metrics.some(m => m.labels?.kind === 'made:up')).toBe(false)
  })

  it('time calls by kind and outcome, and count a set that no confidant kept as no store', async () => {
    const network = new MemoryNetwork()
    const owner = await fakeNode('owner', network)
    const mute = await fakeNode('mute', network, { withStash: false })
    nodes.push(owner, mute)
    await expect(owner.stash.set(new TextEncoder().encode('{}'))).rejects.toThrow(/no confidant acknowledged/)
    // mute serves no stash protocol
    expect(await histogramSeries(owner.metrics.registry, 'nara_call_duration_seconds', { kind: 'stash:store', outcome: 'unreachable' })).toMatchObject({ count: 1 })
    expect(await histogramSeries(owner.metrics.registry, 'nara_call_duration_seconds', { kind: 'stash:store', outcome: 'ok' })).toEqual({})
    const s = await scrapeOf(owner)
    expect(s.value('nara_stash_stores_total', { role: 'owner' })).toBe(0)
    // a request the transport could not deliver was never emitted
    expect(s.sample('nara_messages_emitted_total', { kind: 'stash:store' })).toBeUndefined()
    expect(s.value('nara_peers_online')).toBe(1)
    expect(s.value('nara_calls_pending')).toBe(0)
    // before a boot-time recovery has finished there is no duration to report
    expect(s.family('nara_stash_recovery_duration_seconds')?.metrics).toEqual([])
  })
})
