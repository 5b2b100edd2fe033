import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Identity, MemoryNetwork, MockRuntime, type Message } from '../../../src/index.js'
import { PresenceService, type PeerChange, type PresenceOptions } from '../../../src/services/presence/index.js'
import { registerPresenceBehaviors } from '../../../src/services/presence/behaviors.js'

const HEARTBEAT_MS = 50

/** Polls `check` until it holds or `timeoutMs` passes. */
async function waitFor (check: () => boolean, timeoutMs = 1_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

interface Node { rt: MockRuntime, presence: PresenceService, online: PeerChange[], offline: PeerChange[] }

describe('presence', () => {
  let network: MemoryNetwork
  let nodes: Node[]

  async function boot (name: string, options: PresenceOptions = { heartbeatMs: HEARTBEAT_MS }): Promise<Node> {
    const rt = new MockRuntime({ name, network })
    const presence = new PresenceService(options)
    await rt.install(presence)
    const node: Node = { rt, presence, online: [], offline: [] }
    rt.on('presence:peer-online', (msg: Message) => { node.online.push(msg.payload as PeerChange) })
    rt.on('presence:peer-offline', (msg: Message) => { node.offline.push(msg.payload as PeerChange) })
    nodes.push(node)
    await rt.start()
    return node
  }

  const namesOf = (rt: MockRuntime): string[] => rt.onlinePeers().map(p => p.name)

  beforeEach(() => {
    network = new MemoryNetwork()
    nodes = []
  })

  afterEach(async () => {
    await Promise.all(nodes.map(async n => { await n.rt.stop() }))
  })

  it('every runtime lists the two others after start', async () => {
    const [a, b, c] = [await boot('a'), await boot('b'), await boot('c')]
    for (const { rt, online } of [a, b, c]) {
      await waitFor(() => rt.onlinePeers().length === 2 && online.length === 2, 1_000, `${rt.me().name} sees 2 peers`)
    }

    expect(namesOf(a.rt)).toEqual(['b', 'c'])
    expect(namesOf(b.rt)).toEqual(['a', 'c'])
    expect(namesOf(c.rt)).toEqual(['a', 'b'])
    expect(a.rt.onlinePeers().map(p => p.id)).toEqual([b.rt.me().id, c.rt.me().id])
    const seenByA = a.presence.peer(b.rt.me().id)
    expect(seenByA).toMatchObject({ name: 'b', memoryMode: 'medium' })
    expect(seenByA?.lastSeen).toBeGreaterThan(0)
    expect(a.presence.peer(a.rt.me().id)).toBeUndefined()
    expect(a.online.map(p => p.name).sort()).toEqual(['b', 'c'])
  })

  it('a newcomer learns everyone at once through the howdy answers', async () => {
    const old = [await boot('a'), await boot('b'), await boot('c')]
    for (const { rt } of old) await waitFor(() => rt.onlinePeers().length === 2)

    const d = await boot('d', { heartbeatMs: 60_000 })
    // Each peer answers d's boot hey-there directly; no heartbeat is needed.
    for (const { rt } of old) await rt.idle()

    expect(d.online.map(p => p.name).sort()).toEqual(['a', 'b', 'c'])
    expect(namesOf(d.rt)).toEqual(['a', 'b', 'c'])
    for (const { rt } of old) {
      expect(rt.emittedOf('presence:howdy').filter(m => m.toId === d.rt.me().id)).toHaveLength(1)
      expect(namesOf(rt)).toContain('d')
    }
  })

  it('follows a welcome up with the naras it learned of since, and sends nothing when there are none', async () => {
    // follow-ups go out one of the welcomer's heartbeat intervals apart, for six of them; a fake clock runs those intervals
    const interval = 1_000
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    try {
      const a = await boot('a', { heartbeatMs: interval })
      const d = await boot('d', { heartbeatMs: 60_000 })
      await a.rt.idle()
      expect(namesOf(d.rt)).toEqual(['a'])

      // e and f joined about when d did, and only a heard their boot announcements (by gossip, which names the signing key)
      const joinsNow = async (name: string): Promise<void> => {
        const peer = Identity.create({ name, machineId: 'test' })
        a.rt.trust(peer)
        await a.rt.deliver(await a.rt.envelopeFrom(peer, { kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low', heartbeatMs: 60_000, addresses: [] } }), { authenticatedKey: peer.publicKey })
      }
      await joinsNow('e')
      await vi.advanceTimersByTimeAsync(interval)
      expect(namesOf(d.rt)).toContain('e')
      await joinsNow('f')
      await vi.advanceTimersByTimeAsync(interval)
      expect(namesOf(d.rt)).toContain('f')
      const toD = (): Array<Message<unknown>> => a.rt.emittedOf('presence:howdy').filter(m => m.toId === d.rt.me().id)
      expect(toD().map(m => (m.payload as { known: unknown[] }).known.length)).toEqual([0, 1, 1])
      // a learned of nobody since: the follow-ups left in the six intervals send nothing
      await vi.advanceTimersByTimeAsync(4 * interval)
      expect(toD()).toHaveLength(3)
      expect(namesOf(d.rt)).toEqual(['a', 'e', 'f'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('welcomes a neighbour that reached the swarm long after it started, once for all it announced while alone', async () => {
    const a = await boot('a')
    // A connected nara that speaks presence but announces nothing itself: this test delivers what it says.
    const late = new MockRuntime({ name: 'late', network })
    const welcomed: string[] = []
    registerPresenceBehaviors(late, {
      heyThere: async () => {},
      howdy: async (msg) => { welcomed.push(msg.fromName) },
      chau: async () => {},
      gone: async () => {}
    }, HEARTBEAT_MS)
    await late.start()
    const heyThere = async (alone: boolean): Promise<void> => {
      const outcome = await a.rt.deliver(await a.rt.envelopeFrom(late.identity, {
        kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low', heartbeatMs: 5_000, addresses: [], alone }
      }))
      expect(outcome).toEqual({ accepted: true })
    }
    const welcomes = (): number => a.rt.emittedOf('presence:howdy').filter(m => m.toId === late.me().id).length

    try {
      // Its boot announcement expired while it waited for its bootstrap peer: uptime alone says "not new".
      await heyThere(false)
      expect(welcomes()).toBe(0)
      // The announcements it held while it knew nobody arrive together once it is connected.
      await heyThere(true)
      await heyThere(true)
      await heyThere(true)
      expect(welcomes()).toBe(1)
      await late.idle()
      expect(welcomed).toEqual(['a'])
    } finally {
      await late.stop()
    }
  })

  it('says alone while it knows no nara online, and not once it knows one', async () => {
    const a = await boot('a')
    const aloneFlags = (): boolean[] => a.rt.emittedOf('presence:hey-there').map(m => (m.payload as { alone: boolean }).alone)
    expect(aloneFlags()[0]).toBe(true)
    await boot('b')
    await waitFor(() => a.rt.onlinePeers().length === 1)
    const before = aloneFlags().length
    await waitFor(() => aloneFlags().length > before, 3_000, 'a heartbeat of a after it met b')
    expect(aloneFlags().at(-1)).toBe(false)
  })

  it('a graceful stop says chau: the others drop it with reason "chau"', async () => {
    const [a, b, c] = [await boot('a'), await boot('b'), await boot('c')]
    for (const { rt } of [a, b, c]) await waitFor(() => rt.onlinePeers().length === 2)

    await b.rt.stop()
    expect(b.rt.emittedOf('presence:chau')).toHaveLength(1)
    for (const { rt, offline } of [a, c]) {
      await rt.idle()
      expect(offline).toEqual([{ id: b.rt.me().id, name: 'b', reason: 'chau' }])
      expect(namesOf(rt)).not.toContain('b')
    }
    expect(namesOf(a.rt)).toEqual(['c'])
    await b.presence.stop() // idempotent: no second chau
    expect(b.rt.emittedOf('presence:chau')).toHaveLength(1)
  })

  it('a peer that goes silent is marked offline with reason "silent" after offlineAfterMs', async () => {
    // a swarm rate this high keeps the interval the swarm's size calls for below heartbeatMs
    const a = await boot('a', { heartbeatMs: HEARTBEAT_MS, swarmHeartbeatsPerSecond: 100 })
    const ghost = Identity.create({ name: 'ghost', machineId: 'test' })
    a.rt.trust(ghost)

    const heardAt = Date.now()
    const outcome = await a.rt.deliver(await a.rt.envelopeFrom(ghost, {
      kind: 'presence:hey-there', payload: { uptimeMs: 12, memoryMode: 'high', heartbeatMs: 0 }
    }))
    expect(outcome).toEqual({ accepted: true })
    expect(a.online).toEqual([{ id: ghost.id, name: 'ghost', reason: '' }])
    expect(a.presence.peer(ghost.id)).toMatchObject({ uptimeMs: 12, memoryMode: 'high' })
    // Only a newcomer's neighbours welcome it, and the ghost is not connected to anyone.
    expect(a.rt.emittedOf('presence:howdy')).toEqual([])

    await waitFor(() => a.offline.length > 0, 2_000, 'the ghost to go silent')
    expect(Date.now() - heardAt).toBeGreaterThanOrEqual(a.presence.offlineAfterMs)
    expect(a.presence.offlineAfterMs).toBe(3 * HEARTBEAT_MS + 1_000)
    expect(a.offline).toEqual([{ id: ghost.id, name: 'ghost', reason: 'silent' }])
    expect(a.rt.onlinePeers()).toEqual([])
  })

  it('gives a peer three of the intervals the swarm now calls for, when it announced a shorter one while the swarm was small', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    try {
      // five naras at 10 heartbeats a second in all: each announces every 500 ms, silent after 2.5 s
      const a = await boot('a', { heartbeatMs: HEARTBEAT_MS, swarmHeartbeatsPerSecond: 10 })
      const hear = async (name: string, heartbeatMs: number): Promise<void> => {
        const peer = Identity.create({ name, machineId: 'test' })
        a.rt.trust(peer)
        await a.rt.deliver(await a.rt.envelopeFrom(peer, { kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low', heartbeatMs, addresses: [] } }))
      }
      for (const name of ['b', 'c', 'd']) await hear(name, 60_000)
      await hear('early', HEARTBEAT_MS) // its own limit: 3 x 50 ms + 1 s
      expect(a.presence.currentHeartbeatMs()).toBe(500)

      // past its own limit, short of the swarm's
      await vi.advanceTimersByTimeAsync(3 * 500 + 1_000 - 100)
      expect(a.offline).toEqual([])
      // past the swarm's: the next sweep (every 50 ms) calls it silent
      await vi.advanceTimersByTimeAsync(200)
      expect(a.offline).toEqual([{ id: expect.any(String), name: 'early', reason: 'silent' }])
      expect(namesOf(a.rt)).toEqual(['b', 'c', 'd'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('drops a hey-there with an invalid memory mode before any handler', async () => {
    const a = await boot('a')
    const mallory = Identity.create({ name: 'mallory', machineId: 'test' })
    a.rt.trust(mallory)

    const outcome = await a.rt.deliver(await a.rt.envelopeFrom(mallory, {
      kind: 'presence:hey-there', payload: { uptimeMs: 1, memoryMode: 'huge' }
    }))
    expect(outcome.accepted).toBe(false)
    if (!outcome.accepted) expect(outcome.reason.code).toBe('invalid-payload')
    expect(a.online).toEqual([])
    expect(a.rt.onlinePeers()).toEqual([])
    expect(a.rt.emittedOf('presence:howdy')).toEqual([])
  })

  it('a peer whose uptime went down restarted: offline (reason "restarted"), then online again', async () => {
    const a = await boot('a')
    const phoenix = Identity.create({ name: 'phoenix', machineId: 'test' })
    a.rt.trust(phoenix)
    await a.rt.deliver(await a.rt.envelopeFrom(phoenix, { kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low' } }))
    await a.rt.deliver(await a.rt.envelopeFrom(phoenix, { kind: 'presence:hey-there', payload: { uptimeMs: 61_000, memoryMode: 'low' } }))
    await a.rt.deliver(await a.rt.envelopeFrom(phoenix, { kind: 'presence:hey-there', payload: { uptimeMs: 20, memoryMode: 'low' } }))
    expect(a.offline).toEqual([{ id: phoenix.id, name: 'phoenix', reason: 'restarted' }])
    expect(a.online.map(p => p.name)).toEqual(['phoenix', 'phoenix'])
    expect(namesOf(a.rt)).toEqual(['phoenix'])
  })

  it('ignores a late hey-there older than the chau that preceded it', async () => {
    const a = await boot('a')
    const ghost = Identity.create({ name: 'ghost', machineId: 'test' })
    a.rt.trust(ghost)
    const before = Date.now() - 100

    await a.rt.deliver(await a.rt.envelopeFrom(ghost, { kind: 'presence:hey-there', payload: { uptimeMs: 5, memoryMode: 'low' } }))
    await a.rt.deliver(await a.rt.envelopeFrom(ghost, { kind: 'presence:chau', payload: {} }))
    await a.rt.deliver(await a.rt.envelopeFrom(ghost, { kind: 'presence:hey-there', payload: { uptimeMs: 4, memoryMode: 'low' } }, { timestamp: before }))

    expect(a.offline).toEqual([{ id: ghost.id, name: 'ghost', reason: 'chau' }])
    expect(a.online).toHaveLength(1)
    expect(a.rt.onlinePeers()).toEqual([])
  })

  it('announces less often as the swarm grows: the whole swarm sends about one heartbeat a second', async () => {
    const a = await boot('a', {})
    const hear = async (count: number): Promise<void> => {
      for (let i = a.rt.onlinePeers().length; i < count; i++) {
        const peer = Identity.create({ name: `peer-${i}`, machineId: 'test' })
        a.rt.trust(peer)
        await a.rt.deliver(await a.rt.envelopeFrom(peer, { kind: 'presence:hey-there', payload: { uptimeMs: 60_000, memoryMode: 'low' } }))
      }
      expect(a.rt.onlinePeers()).toHaveLength(count)
    }

    await hear(3)
    expect(a.presence.currentHeartbeatMs()).toBe(5_000) // a swarm of 4: the 5 s floor
    await hear(9)
    expect(a.presence.currentHeartbeatMs()).toBe(10_000)
    await hear(29)
    expect(a.presence.currentHeartbeatMs()).toBe(30_000)
    await hear(49)
    expect(a.presence.currentHeartbeatMs()).toBe(50_000)
    await hear(69)
    expect(a.presence.currentHeartbeatMs()).toBe(60_000) // the longest interval
  })

  it('rejects nonsensical options', () => {
    expect(() => new PresenceService({ heartbeatMs: 0 })).toThrow(RangeError)
    expect(new PresenceService().offlineAfterMs).toBe(16_000)
  })
})
