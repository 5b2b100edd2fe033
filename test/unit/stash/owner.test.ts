import { afterEach, describe, expect, it, vi } from 'vitest'
import { MAX_PLAINTEXT_BYTES, MemoryNetwork, StashService, local, protobufPayload } from '../../../src/index.js'
import { rebootOwner, stashNara, stopStashNaras } from '../../helpers/stash.js'
import { PeerChange } from '../../../protocols/presence.js'
import { waitFor } from '../../helpers/wait.js'
import { decodeSealed } from '../../../src/services/stash/sealed.js'
import type { PeerInfo } from '../../../src/index.js'

afterEach(stopStashNaras)

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('stash: owner and confidants on an in-memory network', () => {
  it('stores with three confidants, each acknowledging', async () => {
    const network = new MemoryNetwork()
    const confidants = await Promise.all(['c1', 'c2', 'c3', 'c4'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    expect(owner.stash.lastStoredAt()).toBeUndefined()

    const before = Date.now()
    const report = await owner.stash.set(text('{"level":7}'))

    expect(report.confidants).toHaveLength(3)
    expect(report.failures).toEqual([])
    const holders = confidants.filter(c => c.stash.stored.has(owner.rt.me().id))
    expect(holders.map(c => c.rt.me().id).sort()).toEqual(report.confidants.map(c => c.id).sort())
    expect(owner.stash.get()).toEqual(text('{"level":7}'))
    expect(owner.stash.confidants()).toHaveLength(3)
    expect(owner.stash.lastStoredAt()).toBeGreaterThanOrEqual(before)
  })

  it('prefers the peers it has seen online longest; a claimed uptime only breaks ties', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    const since = Date.now() - 60_000
    owner.rt.setOnlinePeers(peers.map((p, i) => ({ id: p.rt.me().id, name: p.rt.me().name, uptimeMs: i * 1000, lastSeen: Date.now(), onlineSince: since })))
    const report = await owner.stash.set(text('x'))
    expect(report.confidants.map(c => c.name).sort()).toEqual(['c', 'd', 'e'])
  })

  it('replaces a refusing candidate with the next one', async () => {
    const network = new MemoryNetwork()
    const stale = await stashNara(network, 'stale')
    await stashNara(network, 'ok1')
    await stashNara(network, 'ok2')
    await stashNara(network, 'ok3')
    const owner = await stashNara(network, 'owner')
    // A confidant that refuses (it claims a newer version) is replaced by the next candidate.
    const far = Number.MAX_SAFE_INTEGER
    stale.stash.stored.set(owner.rt.me().id, { ownerId: owner.rt.me().id, ownerName: owner.rt.me().name, version: far, nonce: new Uint8Array(24), ciphertext: new Uint8Array(1), storedAt: 0, origin: owner.rt.me().id })
    const report = await owner.stash.set(text('x'))
    expect(report.confidants.map(c => c.name).sort()).toEqual(['ok1', 'ok2', 'ok3'])
    expect(report.failures).toEqual([{ id: stale.rt.me().id, error: expect.stringContaining('stale-version') }])
  })

  it('refuses a stash that is too large, and one with nobody online', async () => {
    const network = new MemoryNetwork()
    const owner = await stashNara(network, 'owner')
    await expect(owner.stash.set(new Uint8Array(MAX_PLAINTEXT_BYTES + 1))).rejects.toMatchObject({ name: 'StashTooLargeError' })
    await expect(owner.stash.set(text('x'))).rejects.toMatchObject({ name: 'NotEnoughPeersError' })
    expect(owner.stash.get()).toBeUndefined()
  })

  it('recovers after a restart: refresh broadcast, confidants push, newest version wins, stash:recovered once', async () => {
    const network = new MemoryNetwork()
    await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const first = await stashNara(network, 'owner')
    await first.stash.set(text('old'))
    await first.stash.set(text('new'))
    const identity = first.rt.identity
    await first.rt.stop()

    // a fake clock, so that the recovery's deadline (2 s) can be run past below
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { stash, recovered } = await rebootOwner(network, identity)
      await stash.recovered()
      expect(recovered).toEqual([{ count: 3, version: stash.currentVersion() }])
      expect(stash.get()).toEqual(text('new'))
      expect(stash.confidants()).toHaveLength(3)
      // every timer the recovery set has had its turn: still the one stash:recovered
      await vi.advanceTimersByTimeAsync(2 * 2_000)
      expect(recovered).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a nara nobody holds anything for recovers nothing, once, at the deadline', async () => {
    const network = new MemoryNetwork()
    await stashNara(network, 'c1')
    const owner = await stashNara(network, 'owner', { stash: new StashService({ recoveryDeadlineMs: 100 }) })
    expect(await owner.stash.recovered()).toEqual({ count: 0, version: 0 })
    expect(owner.rt.emittedOf('stash:recovered')).toHaveLength(1)
  })

  it('the owner can ask a confidant for its stash directly', async () => {
    const network = new MemoryNetwork()
    await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    const report = await owner.stash.set(text('direct'))
    expect(await owner.stash.fetchFrom(report.confidants[0].id)).toEqual({ version: report.version, data: text('direct') })
  })

  it('repairs: when a confidant goes offline, another one takes its place', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['c1', 'c2', 'c3', 'c4'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    const report = await owner.stash.set(text('keep me'))
    const gone = report.confidants[0]
    const spare = peers.find(p => !report.confidants.some(c => c.id === p.rt.me().id))!
    await peers.find(p => p.rt.me().id === gone.id)!.rt.stop()

    // Presence would emit this local event; here the test plays presence.
    owner.rt.register(local('presence:peer-offline', 'A peer went away').withPayload(protobufPayload('PeerChange', PeerChange)))
    await owner.rt.emit({ kind: 'presence:peer-offline', payload: { id: gone.id, name: gone.name, reason: 'chau' } })

    await waitFor(() => owner.stash.confidants().some(c => c.id === spare.rt.me().id), 'a replacement confidant')
    expect(owner.stash.confidants()).toHaveLength(3)
    expect(owner.stash.confidants().some(c => c.id === gone.id)).toBe(false)
    expect(spare.stash.stored.has(owner.rt.me().id)).toBe(true)

    // every holder's copy names every holder, the replacement included: a reborn owner asks all of them
    const holders = owner.stash.confidants().map(c => c.id).sort()
    await waitFor(async () => {
      const lists = await Promise.all(peers.filter(p => holders.includes(p.rt.me().id)).map(async p => {
        const held = p.stash.stored.get(owner.rt.me().id)!
        return decodeSealed(await owner.rt.open({ nonce: held.nonce, ciphertext: held.ciphertext }))!.confidants.map(c => c.id).sort()
      }))
      return lists.every(list => list.join() === holders.join())
    }, 'every copy to name the replacement')
  })

  it('a stash left short of confidants is topped up again at each audit round, with no peer coming or going', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner', { stash: new StashService({ recoveryDeadlineMs: 2_000, auditIntervalMs: 300 }) })
    // c3 cannot take a copy for a while (a stale connection after a partition healed): its first two stores fail
    const [, , busy] = peers
    const store = busy.stash.store.bind(busy.stash)
    let refusals = 0
    busy.stash.store = async (msg, p) => {
      if (refusals < 2) {
        refusals++
        throw new Error('not now')
      }
      await store(msg, p)
    }
    const report = await owner.stash.set(text('keep me'))
    expect(report.confidants).toHaveLength(2)
    await waitFor(() => owner.stash.confidants().length === 3, 'the third confidant, at a later audit round', 5_000)
    expect(refusals).toBe(2)
    expect(busy.stash.stored.has(owner.rt.me().id)).toBe(true)
  })

  it('a repair store answered after a newer set does not count: the late confidant is given the newest copy', async () => {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['c1', 'c2', 'c3', 'c4'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    const ownerId = owner.rt.me().id
    const first = await owner.stash.set(text('{"level":1}'))
    const gone = peers.find(p => p.rt.me().id === first.confidants[0].id)!
    const late = peers.find(p => !first.confidants.some(c => c.id === p.rt.me().id))!
    const infoOf = (p: typeof late): PeerInfo => ({ id: p.rt.me().id, name: p.rt.me().name, uptimeMs: 0, lastSeen: Date.now(), onlineSince: Date.now() - 60_000 })

    // The spare is behind a partition: the first store it gets is answered only once released.
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    const store = late.stash.store.bind(late.stash)
    let held = false
    late.stash.store = async (msg, p) => {
      if (!held) { held = true; await released }
      await store(msg, p)
    }

    // A confidant leaves: the repair starts storing version 1 with the spare, which hangs.
    await gone.rt.stop()
    owner.rt.register(local('presence:peer-offline', 'A peer went away').withPayload(protobufPayload('PeerChange', PeerChange)))
    await owner.rt.emit({ kind: 'presence:peer-offline', payload: { id: gone.rt.me().id, name: gone.rt.me().name, reason: 'chau' } })
    await waitFor(() => held, 'the repair store to reach the spare')

    // Meanwhile the owner sets version 2 with the two confidants it can reach.
    const reachable = peers.filter(p => p !== gone && p !== late)
    owner.rt.setOnlinePeers(reachable.map(infoOf))
    const second = await owner.stash.set(text('{"level":2}'))
    expect(second.confidants).toHaveLength(2)

    // The partition heals: the spare answers the old store, late.
    owner.rt.setOnlinePeers([...reachable, late].map(infoOf))
    release()
    await waitFor(() => owner.stash.confidants().length === 3 && late.stash.stored.get(ownerId)?.version === second.version,
      'the spare to be a confidant holding version 2')
    for (const c of owner.stash.confidants()) {
      expect(peers.find(p => p.rt.me().id === c.id)!.stash.stored.get(ownerId)?.version).toBe(second.version)
    }
  })
})
