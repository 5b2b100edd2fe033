import { afterEach, describe, expect, it } from 'vitest'
import { createNara, type StandaloneNara } from '../../src/index.js'
import { FAST, startSwarm, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const REFRESH_TOPIC = '/nara/stash/refresh'
/**
 * Far beyond any test's own timeout: a recovery that reports its copies finished
 * because every expected confidant answered, never because a deadline or quiet
 * window ran out.
 */
const NEVER_MS = 10 * 60_000

describe('recovery on 127.0.0.1', () => {
  let nodes: StandaloneNara[] = []
  afterEach(async () => { await stopAll(nodes); nodes = [] })

  /** A swarm of `count`, whose first nara stores a stash and is then stopped; returns what a reborn nara needs. */
  async function ownerGone (count: number): Promise<{ soul: string, name: string, confidants: StandaloneNara[], others: StandaloneNara[] }> {
    nodes = await startSwarm(count, 'rec')
    const owner = nodes[0]
    const report = await owner.stash.set(text('{"level":9}'))
    expect(report.confidants).toHaveLength(3)
    const soul = owner.identity.soulString()
    const name = owner.identity.name
    await owner.stop()
    nodes = nodes.slice(1)
    const held = new Set(report.confidants.map(c => c.id))
    return { soul, name, confidants: nodes.filter(n => held.has(n.identity.id)), others: nodes.filter(n => !held.has(n.identity.id)) }
  }

  async function reborn (soul: string, name: string, via: StandaloneNara): Promise<StandaloneNara> {
    const node = await createNara({ name, soul, machineId: 'elsewhere', bootstrap: via.multiaddrs(), ...FAST, stash: { recoveryDeadlineMs: NEVER_MS } })
    nodes.push(node)
    return node
  }

  it('finishes as soon as every confidant named inside the first copy has answered', async () => {
    const { soul, name, others } = await ownerGone(5)
    const node = await reborn(soul, name, others[0])
    const result = await node.stash.recovered()
    expect(result.count).toBe(3)
    expect(new TextDecoder().decode(node.stash.get())).toBe('{"level":9}')
    expect(node.stash.recovering).toBe(false)
  }, 30_000)

  it('finds its confidants through the DHT when its stash:refresh broadcast cannot reach them', async () => {
    const { soul, name, confidants, others } = await ownerGone(6)
    // The confidants stop listening to stash:refresh (nara hears a topic through its validator): the broadcast reaches none of them.
    for (const c of confidants) {
      c.libp2p.services.pubsub.unsubscribe(REFRESH_TOPIC)
      c.libp2p.services.pubsub.topicValidators.delete(REFRESH_TOPIC)
    }
    await waitFor(() => others.every(o => confidants.every(c => !o.libp2p.services.pubsub.getSubscribers(REFRESH_TOPIC).some(p => p.equals(c.libp2p.peerId)))),
      'the others to see the confidants unsubscribe', 10_000)

    const node = await reborn(soul, name, others[0])
    const result = await node.stash.recovered()
    expect(result.count).toBe(3)
    expect(new TextDecoder().decode(node.stash.get())).toBe('{"level":9}')
  }, 30_000)
})
