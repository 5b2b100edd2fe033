import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork, MockRuntime, StashService, local, protobufPayload, type EncryptedStash, type StashRecovered } from '../../../src/index.js'
import { PeerChange } from '../../../protocols/presence.js'
import { rebootOwner, stashNara, stopStashNaras } from '../../helpers/stash.js'
import { waitFor } from '../../helpers/wait.js'

afterEach(stopStashNaras)
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

type Tamper = (confidants: StashService[], ownerId: string, olderCopies: EncryptedStash[]) => void

async function ownerAfterRestart (tamper: Tamper): Promise<{ stash: StashService, recovered: StashRecovered[] }> {
  const network = new MemoryNetwork()
  const confidants = await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
  const first = await stashNara(network, 'owner')
  await first.stash.set(text('old'))
  const olderCopies = confidants.map(c => c.stash.stored.get(first.rt.me().id)!)
  await first.stash.set(text('newest'))
  const identity = first.rt.identity
  await first.rt.stop()
  tamper(confidants.map(c => c.stash), identity.id, olderCopies)

  const { stash, recovered } = await rebootOwner(network, identity)
  await waitFor(() => recovered.length > 0, 'stash:recovered')
  return { stash, recovered }
}

describe('stash recovery does not trust what confidants claim', () => {
  it('a copy with an inflated version that does not open is skipped; the real newest copy wins', async () => {
    const { stash, recovered } = await ownerAfterRestart((confidants, ownerId) => {
      const held = confidants[0].stored.get(ownerId)!
      confidants[0].stored.set(ownerId, { ...held, version: 2 ** 50, ciphertext: new Uint8Array(held.ciphertext.byteLength).fill(9) })
    })
    expect(new TextDecoder().decode(stash.get())).toBe('newest')
    expect(recovered).toEqual([{ count: 2, version: stash.currentVersion() }])
  })

  it('an older ciphertext relabelled as newer is rejected: the version is sealed inside', async () => {
    let relabelled = 0
    const { stash } = await ownerAfterRestart((confidants, ownerId, olderCopies) => {
      const newest = confidants[0].stored.get(ownerId)!
      // confidant 0 swaps in the owner's older ciphertext under a label newer than the newest
      expect(olderCopies[0].version).toBeLessThan(newest.version)
      confidants[0].stored.set(ownerId, { ...olderCopies[0], version: newest.version + 1 })
      relabelled = newest.version + 1
    })
    expect(relabelled).toBeGreaterThan(0)
    expect(new TextDecoder().decode(stash.get())).toBe('newest')
    expect(stash.currentVersion()).not.toBe(relabelled)
  })

  it('a set() made while recovery is still collecting is not overwritten by an older copy', async () => {
    const network = new MemoryNetwork()
    await Promise.all(['c1', 'c2', 'c3'].map(async n => await stashNara(network, n)))
    const first = await stashNara(network, 'owner')
    await first.stash.set(text('before the crash'))
    const identity = first.rt.identity
    await first.rt.stop()

    // In memory the boot recovery would finish at once; recover by hand after the set() instead.
    const stash = new StashService({ recoverOnStart: false, recoveryDeadlineMs: 2_000 })
    await stashNara(network, 'owner', { identity, stash })
    await stash.set(text('written at boot'))
    await stash.recover()
    const result = await stash.recovered()
    expect(new TextDecoder().decode(stash.get())).toBe('written at boot')
    expect(result.count).toBe(0)
  })
})

describe('stash repair', () => {
  async function ownerWithFiveCandidates (): Promise<{ owner: { rt: MockRuntime, stash: StashService }, peers: Array<{ rt: MockRuntime, stash: StashService }> }> {
    const network = new MemoryNetwork()
    const peers = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5'].map(async n => await stashNara(network, n)))
    const owner = await stashNara(network, 'owner')
    owner.rt.register(local('presence:peer-offline', 'A peer left').withPayload(protobufPayload('PeerChange', PeerChange)))
    owner.rt.register(local('presence:peer-online', 'A peer came').withPayload(protobufPayload('PeerChange', PeerChange)))
    return { owner, peers }
  }

  it('two confidants leaving at once get two different replacements', async () => {
    const { owner, peers } = await ownerWithFiveCandidates()
    const report = await owner.stash.set(text('keep me'))
    const [gone1, gone2] = report.confidants
    for (const gone of [gone1, gone2]) await peers.find(p => p.rt.me().id === gone.id)!.rt.stop()
    await Promise.all([gone1, gone2].map(async gone =>
      await owner.rt.emit({ kind: 'presence:peer-offline', payload: { id: gone.id, name: gone.name, reason: 'chau' } })))
    await waitFor(() => owner.stash.confidants().length === 3, 'three confidants again')
    const ids = owner.stash.confidants().map(c => c.id)
    expect(new Set(ids).size).toBe(3)
    expect(ids).not.toContain(gone1.id)
    expect(ids).not.toContain(gone2.id)
  })

  it('a confidant that restarted (and lost its memory) is replaced or refilled', async () => {
    const { owner, peers } = await ownerWithFiveCandidates()
    const report = await owner.stash.set(text('keep me'))
    const restarted = peers.find(p => p.rt.me().id === report.confidants[0].id)!
    restarted.stash.stored.clear() // what a restart does to a memory-only confidant
    await owner.rt.emit({ kind: 'presence:peer-offline', payload: { id: restarted.rt.me().id, name: restarted.rt.me().name, reason: 'restarted' } })
    await owner.rt.emit({ kind: 'presence:peer-online', payload: { id: restarted.rt.me().id, name: restarted.rt.me().name, reason: '' } })
    await waitFor(() => owner.stash.confidants().length === 3, 'three confidants again')
    const holders = peers.filter(p => p.stash.stored.has(owner.rt.me().id))
    expect(holders.map(p => p.rt.me().id).sort()).toEqual(owner.stash.confidants().map(c => c.id).sort())
  })

  it('a stash kept by fewer confidants than wanted is topped up when a peer comes online', async () => {
    const network = new MemoryNetwork()
    await stashNara(network, 'p1')
    const owner = await stashNara(network, 'owner')
    owner.rt.register(local('presence:peer-online', 'A peer came').withPayload(protobufPayload('PeerChange', PeerChange)))
    expect((await owner.stash.set(text('x'))).confidants).toHaveLength(1)
    const late = await Promise.all(['p2', 'p3'].map(async n => await stashNara(network, n)))
    for (const p of late) await owner.rt.emit({ kind: 'presence:peer-online', payload: { id: p.rt.me().id, name: p.rt.me().name, reason: '' } })
    await waitFor(() => owner.stash.confidants().length === 3, 'three confidants')
    expect(late.every(p => p.stash.stored.has(owner.rt.me().id))).toBe(true)
  })
})
