import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork, MockRuntime, StashService, local, protobufPayload, type StashRecovered } from '../../../src/index.js'
import { PeerChange } from '../../../protocols/presence.js'
import { waitFor } from '../../helpers/wait.js'

const running: MockRuntime[] = []
afterEach(async () => { for (const rt of running.splice(0)) await rt.stop() })

/** An owner booting alone, whose DHT lookups of its confidants are counted. */
async function countingOwner (recoveryDeadlineMs: number): Promise<{ rt: MockRuntime, lookups: () => number, peerOnlineWaits: () => number, recovered: Promise<StashRecovered> }> {
  const rt = new MockRuntime({ name: 'owner', network: new MemoryNetwork() })
  rt.setOnlinePeers([])
  let lookups = 0
  const find = rt.findAdvertisers.bind(rt)
  rt.findAdvertisers = (topic, options) => { lookups++; return find(topic, options) }
  const recovered = new Promise<StashRecovered>(resolve => { rt.on('stash:recovered', (m) => { resolve(m.payload as StashRecovered) }) })
  await rt.install(new StashService({ recoveryDeadlineMs }))
  running.push(rt)
  await rt.start()
  // subscriptions to presence:peer-online from here on: the lookup waiting to be in the swarm
  // (the one the stash makes on start, for repairs, is already in place)
  let peerOnlineWaits = 0
  const on = rt.on.bind(rt)
  rt.on = (kind, handler) => { if (kind === 'presence:peer-online') peerOnlineWaits++; return on(kind, handler) }
  return { rt, lookups: () => lookups, peerOnlineWaits: () => peerOnlineWaits, recovered }
}

describe('stash: the DHT lookup of a reborn owner\'s confidants', () => {
  it('is not made while the nara knows no peer online (still joining): recovery ends at its deadline without one', async () => {
    // the deadline leaves room for the first lookup (after 1.5 s) and a retry, were they made blind
    const owner = await countingOwner(4_000)
    expect(await owner.recovered).toEqual({ count: 0, version: 0 })
    expect(owner.lookups()).toBe(0)
  })

  it('is made once a peer comes online, and ends the recovery when it finds nobody holding the stash', async () => {
    // a deadline past the test's own timeout: only the lookup's "nobody holds it" can end this recovery
    const owner = await countingOwner(60_000)
    const peer = { id: 'peer', name: 'peer', uptimeMs: 60_000, lastSeen: Date.now(), onlineSince: Date.now() }
    // the lookup's turn comes (after 1.5 s): it either looks up blind or waits for a peer
    await waitFor(() => owner.lookups() > 0 || owner.peerOnlineWaits() > 0, 'the lookup to look up or wait for a peer')
    expect(owner.lookups()).toBe(0)
    owner.rt.register(local('presence:peer-online', 'A peer came').withPayload(protobufPayload('PeerChange', PeerChange)))
    owner.rt.setOnlinePeers([peer])
    await owner.rt.emit({ kind: 'presence:peer-online', payload: { id: peer.id, name: peer.name, reason: '' } })
    expect(await owner.recovered).toEqual({ count: 0, version: 0 })
    expect(owner.lookups()).toBe(1)
  })
})
