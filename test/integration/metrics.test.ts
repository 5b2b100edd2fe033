import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNara, type StandaloneNara } from '../../src/index.js'
import { startApi, type ApiServer } from '../../src/api/index.js'
import { FAST, startSwarm, stopAll } from '../helpers/swarm.js'
import { histogramSeries, scrape } from '../helpers/prometheus.js'
import { waitFor } from '../helpers/wait.js'

describe('GET /metrics of real naras, parsed as Prometheus text', () => {
  let nodes: StandaloneNara[] = []
  const apis: ApiServer[] = []
  const api = async (node: StandaloneNara): Promise<string> => {
    const server = await startApi(node)
    apis.push(server)
    return server.url
  }

  beforeAll(async () => {
    nodes = await startSwarm(5, 'metrics')
    await nodes[0].stash.set(new TextEncoder().encode('{"level":7}'))
  }, 60_000)
  afterAll(async () => {
    for (const server of apis) await server.close()
    await stopAll(nodes)
  })

  it('the owner counts its store, its confidants, the store calls and their acks, and libp2p its traffic', async () => {
    const { contentType, scrape: s } = await scrape(await api(nodes[0]))
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(s.value('nara_stash_stores_total', { role: 'owner' })).toBe(1)
    expect(s.value('nara_stash_confidants')).toBe(3)
    expect(s.value('nara_peers_online')).toBe(4)
    expect(s.value('nara_messages_received_total', { kind: 'stash:ack' })).toBe(3)
    expect(s.value('nara_messages_received_total', { kind: 'presence:hey-there' })).toBeGreaterThanOrEqual(4)
    expect(s.family('nara_call_duration_seconds')?.type).toBe('HISTOGRAM')
    const calls = await histogramSeries(nodes[0].metrics.registry, 'nara_call_duration_seconds', { kind: 'stash:store', outcome: 'ok' })
    expect(calls.count).toBe(3)
    expect(calls.sum).toBeGreaterThan(0)
    // libp2p's own metrics share the registry: the bootstrap node accepted connections and sent store frames
    const connections = s.family('libp2p_connection_manager_connections')?.metrics.reduce((sum, m) => sum + Number(m.value), 0)
    expect(connections).toBeGreaterThanOrEqual(1)
    expect(s.value('libp2p_data_transfer_bytes_total', { protocol: '/nara/stash/store/1 sent' })).toBeGreaterThan(0)
    expect(s.value('process_cpu_user_seconds_total')).toBeGreaterThan(0)
  })

  it('a confidant counts the stash it holds and its bytes', async () => {
    const owner = nodes[0].identity.id
    const confidant = nodes.find(n => n.stash.stored.has(owner))!
    const { scrape: s } = await scrape(await api(confidant))
    expect(s.value('nara_stash_held')).toBe(1)
    expect(s.value('nara_stash_held_bytes')).toBe(confidant.stash.stored.get(owner)!.ciphertext.byteLength)
    expect(s.value('nara_stash_capacity')).toBe(20)
    expect(s.value('nara_stash_stores_total', { role: 'confidant' })).toBe(1)
    expect(s.value('nara_messages_received_total', { kind: 'stash:store' })).toBe(1)
    expect(s.value('nara_messages_emitted_total', { kind: 'stash:ack' })).toBe(1)
  })

  it('a lost confidant counts as a repair; a reborn owner reports its recovery and how long it took', async () => {
    const owner = nodes[0]
    const lost = nodes.find(n => n.stash.stored.has(owner.identity.id))!
    await lost.stop()
    nodes = nodes.filter(n => n !== lost)
    const url = await api(owner)
    await waitFor(async () => (await scrape(url)).scrape.value('nara_stash_repairs_total') === 1, 'the owner to replace its lost confidant', 15_000)
    expect((await scrape(url)).scrape.value('nara_stash_confidants')).toBe(3)

    const { name } = owner.identity
    const soul = owner.identity.soulString()
    await owner.stop()
    nodes = nodes.filter(n => n !== owner)
    const reborn = await createNara({ name, soul, machineId: 'another-machine', bootstrap: nodes[0].multiaddrs(), ...FAST })
    nodes.push(reborn)
    await reborn.stash.recovered()
    const { scrape: s } = await scrape(await api(reborn))
    expect(s.value('nara_stash_recoveries_total', { outcome: 'recovered' })).toBe(1)
    expect(s.value('nara_stash_recoveries_total', { outcome: 'none' })).toBe(0)
    expect(s.value('nara_stash_recovery_duration_seconds', { outcome: 'recovered' })).toBeGreaterThan(0)
    expect(s.value('nara_stash_confidants')).toBe(3)
  })
})
