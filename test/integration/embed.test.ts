import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { Identity, NARA_KAD_PROTOCOL, createNara, nara, type NaraLibp2pService, type NaraNode } from '../../src/index.js'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { FAST } from '../helpers/swarm.js'
import { Scrape } from '../helpers/prometheus.js'
import { waitFor } from '../helpers/wait.js'

type AppServices = { identify: ReturnType<ReturnType<typeof identify>>, ping: Ping, pubsub: ReturnType<ReturnType<typeof gossipsub>>, dht: KadDHT, nara: NaraLibp2pService }

describe('embedding nara in an existing libp2p node', () => {
  const toStop: Array<{ stop: () => void | Promise<void> }> = []
  afterEach(async () => { for (const s of toStop.splice(0).reverse()) await s.stop() })

  async function appNode (identity: Identity, registry?: Registry): Promise<Libp2p<AppServices>> {
    const node = await createLibp2p({
      privateKey: identity.privateKey,
      ...(registry !== undefined ? { metrics: prometheusMetrics({ registry, collectDefaultMetrics: false }) } : {}),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
        // The DHT is how the app finds naras it is not connected to yet.
        dht: kadDHT({ protocol: NARA_KAD_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
        nara: nara({ identity, ...FAST, ...(registry !== undefined ? { metricsRegistry: registry } : {}) })
      }
    })
    toStop.push(node)
    return node
  }

  it('runs the full runtime on the app\'s own libp2p node and gossipsub', async () => {
    const peers: NaraNode[] = []
    for (let i = 0; i < 3; i++) {
      const peer = await createNara({ name: `standalone-${i}`, machineId: 'embed-test', ...(i > 0 ? { bootstrap: peers[0].multiaddrs() } : {}), ...FAST })
      toStop.push(peer)
      peers.push(peer)
    }
    const identity = Identity.create({ name: 'embedded', machineId: 'embed-test' })
    const app = await appNode(identity)
    await app.dial(multiaddr(peers[0].multiaddrs()[0]))

    const embedded = app.services.nara.node
    expect(embedded.peerId()).toBe(app.peerId.toString())
    await waitFor(() => embedded.runtime.onlinePeers().length === 3, 'the embedded nara to see the swarm', 15_000)
    await waitFor(() => peers.every(p => p.runtime.onlinePeers().some(o => o.id === identity.id)), 'the swarm to see the embedded nara', 15_000)

    const report = await embedded.stash.set(new TextEncoder().encode('embedded state'))
    expect(report.confidants).toHaveLength(3)
    expect(peers.filter(p => p.stash.stored.has(identity.id))).toHaveLength(3)
  })

  it('has nara\'s metrics in a registry of its own, or in the app\'s beside libp2p\'s when given it', async () => {
    const alone = await appNode(Identity.create({ name: 'embedded-own', machineId: 'embed-test' }))
    const own = new Scrape(await alone.services.nara.node.metrics.registry.metrics())
    expect(own.value('nara_stash_capacity')).toBe(20)
    expect(own.families.some(f => f.name.startsWith('libp2p_'))).toBe(false)

    const registry = new Registry()
    const shared = await appNode(Identity.create({ name: 'embedded-shared', machineId: 'embed-test' }), registry)
    expect(shared.services.nara.node.metrics.registry).toBe(registry)
    const both = new Scrape(await registry.metrics())
    expect(both.value('nara_peers_online')).toBe(0)
    expect(both.value('libp2p_transport_manager_listeners')).toBe(1)
  })

  it('refuses a libp2p node keyed by something else than the nara identity', async () => {
    const identity = Identity.create({ name: 'embedded', machineId: 'embed-test' })
    const other = Identity.create({ name: 'other', machineId: 'embed-test' })
    await expect(createLibp2p({
      privateKey: other.privateKey,
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { pubsub: gossipsub(), nara: nara({ identity }) }
    })).rejects.toThrow(/nara identity key/)
  })
})
