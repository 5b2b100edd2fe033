import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork, MockRuntime, StashService, local, protobufPayload, type StashRecovered } from '../../../src/index.js'
import { PeerChange } from '../../../protocols/presence.js'

const running: MockRuntime[] = []
afterEach(async () => { for (const rt of running.splice(0)) await rt.stop() })

/** An owner booting alone, whose DHT lookups of its confidants are counted. */
async function countingOwner (recoveryDeadlineMs: number): Promise<{ rt: MockRuntime, lookups: () => number, recovered: Promise<StashRecovered> }> {
  const rt = new MockRuntime({ name: 'owner', network: new MemoryNetwork() })
  rt.setOnlinePeers([])
  let lookups = 0
  const find = rt.findAdvertisers.bind(rt)
  rt.findAdvertisers = (topic, options) => { lookups++; return find(topic, options) }
  const recovered = new Promise<StashRecovered>(resolve => { rt.on('stash:recovered', (m) => { resolve(m.payload as StashRecovered) }) })
  await rt.install(new StashService({ recoveryDeadlineMs }))
  running.push(rt)
  await rt.start()
  return { rt, lookups: () => lookups, recovered }
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
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(owner.lookups()).toBe(0)
    owner.rt.register(local('presence:peer-online', 'A peer came').withPayload(protobufPayload('PeerChange', PeerChange)))
    owner.rt.setOnlinePeers([peer])
    await owner.rt.emit({ kind: 'presence:peer-online', payload: { id: peer.id, name: peer.name, reason: '' } })
    expect(await owner.recovered).toEqual({ count: 0, version: 0 })
    expect(owner.lookups()).toBe(1)
  })
})
