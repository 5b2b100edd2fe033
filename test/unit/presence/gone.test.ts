import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Identity, MemoryNetwork, MockRuntime, type Message } from '../../../src/index.js'
import { PresenceService, type PeerChange } from '../../../src/services/presence/index.js'
import { GONE_FRESH_MS, GONE_GRACE_MS } from '../../../src/services/presence/gone-claims.js'
import type { PresenceAnnounce } from '../../../src/services/presence/payloads.js'

// Heartbeats a minute apart: a peer's silence limit is three minutes, so whatever goes
// offline in these tests went by presence:gone.
const HEARTBEAT_MS = 60_000

interface Node { rt: MockRuntime, presence: PresenceService, offline: PeerChange[] }

describe('presence: a crashed nara is gone', () => {
  let network: MemoryNetwork
  let nodes: Node[]

  async function boot (name: string): Promise<Node> {
    const rt = new MockRuntime({ name, network })
    const presence = new PresenceService({ heartbeatMs: HEARTBEAT_MS })
    await rt.install(presence)
    const node: Node = { rt, presence, offline: [] }
    rt.on('presence:peer-offline', (msg: Message) => { node.offline.push(msg.payload as PeerChange) })
    nodes.push(node)
    await rt.start()
    return node
  }

  /** A nara `a` heard of that is on no network: `a` has no connection to it, and it hears nothing. */
  async function heardOf (a: Node, name: string, payload: Partial<PresenceAnnounce> = {}): Promise<Identity> {
    const peer = Identity.create({ name, machineId: 'test' })
    a.rt.trust(peer)
    await announce(a, peer, payload)
    return peer
  }

  async function announce (a: Node, peer: Identity, payload: Partial<PresenceAnnounce> = {}): Promise<void> {
    const outcome = await a.rt.deliver(await a.rt.envelopeFrom(peer, {
      kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low', heartbeatMs: HEARTBEAT_MS, addresses: [], ...payload }
    }), { authenticatedKey: peer.publicKey })
    expect(outcome).toEqual({ accepted: true })
  }

  /** `witness` tells `a` (by gossip, signed by the witness) that `gone` is gone, `ageMs` ago. */
  async function claim (a: Node, witness: Identity, gone: string, ageMs = 0): Promise<void> {
    const envelope = await a.rt.envelopeFrom(witness, { kind: 'presence:gone', payload: { id: gone } }, { timestamp: Date.now() - ageMs })
    expect(await a.rt.deliver(envelope, { authenticatedKey: witness.publicKey })).toEqual({ accepted: true })
  }

  const names = (n: Node): string[] => n.rt.onlinePeers().map(p => p.name)

  beforeEach(() => {
    // grace periods and sweeps run on a fake clock
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    network = new MemoryNetwork()
    nodes = []
  })

  afterEach(async () => {
    await Promise.all(nodes.map(async n => { await n.rt.stop() }))
    vi.useRealTimers()
  })

  it('a nara that crashed is offline for its neighbours (reason gone) long before its silence limit', async () => {
    const [a, b, c] = [await boot('a'), await boot('b'), await boot('c')]
    for (const n of [a, b]) expect(names(n)).toContain('c')

    await c.rt.crash()
    // each waits up to 3 s before it probes c, then 2 s for c to answer the claim
    await vi.advanceTimersByTimeAsync(3_000 + GONE_GRACE_MS + 1_000)

    for (const n of [a, b]) {
      expect(n.offline).toEqual([{ id: c.rt.me().id, name: 'c', reason: 'gone' }])
      expect(names(n)).not.toContain('c')
      // each could not reach c again, and said so
      expect(n.rt.emittedOf('presence:gone').map(m => (m.payload as { id: string }).id)).toEqual([c.rt.me().id])
    }
    expect(c.rt.emittedOf('presence:chau')).toEqual([])
  })

  it('says nothing of a nara that restarted before it was probed', async () => {
    const [a, b] = [await boot('a'), await boot('b')]
    await b.rt.crash()
    await vi.advanceTimersByTimeAsync(500)
    // b is back half a second later, under the same identity, and announces itself
    const reborn = new MockRuntime({ name: 'b', network })
    const presence = new PresenceService({ heartbeatMs: HEARTBEAT_MS })
    await reborn.install(presence)
    nodes.push({ rt: reborn, presence, offline: [] })
    await reborn.start()
    await vi.advanceTimersByTimeAsync(3_000 + GONE_GRACE_MS + 1_000)

    // a heard b's new announcement before its probe was due: no probe, no claim
    expect(a.rt.emittedOf('presence:still-there')).toEqual([])
    expect(a.rt.emittedOf('presence:gone')).toEqual([])
    expect(a.offline).toEqual([])
    expect(names(a)).toEqual(['b'])
  })

  it('ignores a claim about a peer it is connected to itself', async () => {
    const [a, b] = [await boot('a'), await boot('b')]
    const liar = Identity.create({ name: 'liar', machineId: 'test' })
    a.rt.trust(liar)

    await claim(a, liar, b.rt.me().id)
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS + 1_000)

    expect(names(a)).toEqual(['b'])
    expect(a.offline).toEqual([])
  })

  it('ignores a stale claim, and takes a fresh one about a peer it cannot see', async () => {
    const a = await boot('a')
    const witness = await heardOf(a, 'witness')
    const far = await heardOf(a, 'far')

    await claim(a, witness, far.id, GONE_FRESH_MS + 1_000)
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS + 1_000)
    expect(names(a)).toEqual(['far', 'witness'])

    await claim(a, witness, far.id)
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS + 1_000)
    expect(names(a)).toEqual(['witness'])
    expect(a.offline).toEqual([{ id: far.id, name: 'far', reason: 'gone' }])

    // a copy of its last announcement does not bring it back; a newer one does
    await a.rt.deliver(await a.rt.envelopeFrom(far, {
      kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low', heartbeatMs: HEARTBEAT_MS, addresses: [] }
    }, { timestamp: Date.now() - 10_000 }), { authenticatedKey: far.publicKey })
    expect(names(a)).toEqual(['witness'])
    await announce(a, far)
    expect(names(a)).toEqual(['far', 'witness'])
  })

  it('keeps a peer that answers the claim, whether its answer comes after the claim or before', async () => {
    const a = await boot('a')
    const liar = await heardOf(a, 'liar')
    const target = await heardOf(a, 'target')

    await claim(a, liar, target.id)
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS / 2)
    await announce(a, target, { refutesGone: true })
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS + 1_000)
    expect(names(a)).toEqual(['liar', 'target'])

    // gossip brought the answer first: the claim it answers comes within the grace period
    await vi.advanceTimersByTimeAsync(5_000)
    await announce(a, target, { refutesGone: true })
    await claim(a, liar, target.id)
    await vi.advanceTimersByTimeAsync(GONE_GRACE_MS + 1_000)
    expect(names(a)).toEqual(['liar', 'target'])
    expect(a.offline).toEqual([])
  })

  it('a nara named gone answers at once, once a second however many claims come', async () => {
    const a = await boot('a')
    const liar = await heardOf(a, 'liar')
    const refutations = (): number => a.rt.emittedOf('presence:hey-there').filter(m => (m.payload as PresenceAnnounce).refutesGone).length

    await claim(a, liar, a.rt.me().id)
    expect(refutations()).toBe(1)
    await claim(a, liar, a.rt.me().id)
    expect(refutations()).toBe(1)
    await vi.advanceTimersByTimeAsync(1_000)
    await claim(a, liar, a.rt.me().id)
    expect(refutations()).toBe(2)
    // the answer is a heartbeat: the next regular one comes a full interval after it
    const heartbeats = a.rt.emittedOf('presence:hey-there').length
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS / 2)
    expect(a.rt.emittedOf('presence:hey-there')).toHaveLength(heartbeats)
  })
})
