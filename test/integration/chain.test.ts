import { afterAll, describe, expect, it } from 'vitest'
import { createNara, type StandaloneNara } from '../../src/index.js'
import { FAST, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'

describe('a 12-nara chain on 127.0.0.1 (each bootstraps only to the one before)', () => {
  const nodes: StandaloneNara[] = []
  afterAll(async () => { await stopAll(nodes) })

  it('converges: every nara lists the 11 others, though each is connected to a few', async () => {
    for (let i = 0; i < 12; i++) {
      const bootstrap = i === 0 ? [] : nodes[i - 1].multiaddrs()
      nodes.push(await createNara({ name: `chain-${i}`, machineId: 'integration', bootstrap, ...FAST }))
    }
    await waitFor(() => nodes.every(n => n.runtime.onlinePeers().length === 11), 'every nara to see the 11 others', 60_000, 200)
    for (const node of nodes) {
      expect(node.runtime.onlinePeers().map(p => p.name).sort()).toEqual(nodes.filter(n => n !== node).map(n => n.identity.name).sort())
    }
    // presence spreads by gossip, not by a connection to everyone: each nara dials a few
    // (the keeper's 4, its bootstrap peer, its DHT lookups), not every nara it hears of
    const peers = nodes.map(n => n.libp2p.getPeers().length)
    expect(Math.min(...peers)).toBeGreaterThan(0)
    expect(peers.filter(p => p === 11)).toEqual([])
    expect(peers.reduce((a, b) => a + b, 0) / peers.length).toBeLessThanOrEqual(8)
  }, 90_000)
})
