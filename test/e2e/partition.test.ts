import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HeldBody, PeersBody, StashBody, StashSetBody } from '../../src/api/types.js'
import { PartitionNet } from '../helpers/netns.js'
import { skipWithoutNamespaces } from '../helpers/namespace-tools.js'
import { NamespaceNaras, type Host, type NamespaceNara } from '../helpers/namespace-naras.js'
import { waitFor } from '../helpers/wait.js'

const PORT = 4001
/** Audits every ~1 s, so an owner notices a lost confidant soon after the network heals. */
const AUDIT_FLAGS = ['--audit-interval', '1']

/** Namespace `index` of the partition net (group A: 0-2, group B: 3-4). */
interface Member extends Host { readonly index: number }
const indexOf = (n: NamespaceNara): number => (n.host as Member).index

const unavailable = PartitionNet.unavailable()

describe.skipIf(skipWithoutNamespaces('the partition test', unavailable))('a partition: a group of naras cut off from the owner, then healed', () => {
  let net: PartitionNet | undefined
  let naras: NamespaceNaras | undefined

  beforeAll(() => {
    if (unavailable !== undefined) throw new Error(`the partition test ${unavailable}`)
    net = new PartitionNet([3, 2])
    naras = new NamespaceNaras((host, command, args) => net!.spawn((host as Member).index, command, args))
  })

  afterAll(async () => {
    await naras?.stopAll()
    net?.destroy()
  })

  async function start (index: number, bootstrap: string[]): Promise<NamespaceNara> {
    const member: Member = { name: `n${index}`, ns: net!.member(index).ns, index }
    return await naras!.start(member, ['--name', `e2e-part-${index}`, '--listen', `/ip4/${net!.member(index).ip}/tcp/${PORT}`,
      ...bootstrap.flatMap(b => ['--bootstrap', b]), ...AUDIT_FLAGS])
  }

  const api = async <T>(m: NamespaceNara, path: string, body?: unknown): Promise<{ status: number, body: T }> => await naras!.api<T>(m, path, body)

  const heldVersion = async (m: NamespaceNara, ownerId: string): Promise<number | undefined> =>
    (await api<{ held: HeldBody[] }>(m, '/stash/held')).body.held.find(h => h.ownerId === ownerId)?.version

  const peersOf = async (m: NamespaceNara): Promise<string[]> => (await api<PeersBody>(m, '/peers')).body.peers.map(p => p.id)

  it('the owner stores a newer state with the naras it can reach; after healing, repair restores three holders and a kill -9 owner recovers the newest', async () => {
    const boot = await start(0, [])
    const rest = await Promise.all([1, 2, 3, 4].map(async i => await start(i, [boot.info.multiaddrs[0]])))
    const nodes = [boot, ...rest]
    await waitFor(async () => (await Promise.all(nodes.map(peersOf))).every(p => p.length === nodes.length - 1), 'five naras to see each other', 20_000, 300)
    const owner = rest[0] // group A: naras 0-2; group B: naras 3-4
    const ownerId = owner.info.id
    const ids = (ms: NamespaceNara[]): string[] => ms.map(m => m.info.id)
    const groupA = nodes.filter(n => indexOf(n) < 3)
    const groupB = nodes.filter(n => indexOf(n) >= 3)
    const first = await api<StashSetBody>(owner, '/stash', { level: 1 })
    expect(first.status).toBe(200)
    expect(first.body.confidants).toHaveLength(3)

    net!.cut()
    const cutAt = Date.now()
    await waitFor(async () => (await peersOf(owner)).every(id => !ids(groupB).includes(id)), 'the owner to see group B go offline', 30_000, 500)
    await waitFor(async () => (await peersOf(groupB[0])).every(id => !ids(groupA).includes(id)), 'group B to see group A go offline', 15_000, 500)
    // the newer state can only go to the owner's own group
    const second = await api<StashSetBody>(owner, '/stash', { level: 2 })
    expect(second.status).toBe(200)
    expect(second.body.version).toBeGreaterThan(first.body.version)
    expect(ids(groupA)).toEqual(expect.arrayContaining(second.body.confidants.map(c => c.id)))
    const partitionMs = Date.now() - cutAt

    net!.heal()
    const healedAt = Date.now()
    // the groups find each other again, and the owner tops its stash up to three holders of the newest version
    const healed = await waitFor(async () => {
      const stash = (await api<StashBody>(owner, '/stash')).body
      if (stash.confidants.length !== 3) return undefined
      const versions = await Promise.all(stash.confidants.map(async c => await heldVersion(nodes.find(n => n.info.id === c.id)!, ownerId)))
      return versions.every(v => v === second.body.version) ? stash : undefined
    }, 'three holders of the newest version after healing', 45_000, 500)
    expect(healed.confidants.some(c => ids(groupB).includes(c.id))).toBe(true)
    console.log(`partition: cut for ${Math.round(partitionMs / 1000)} s; three holders again ${Math.round((Date.now() - healedAt) / 1000)} s after healing`)

    // kill -9 the owner and start it again in its namespace: it gets the newest state, not a stale copy from group B
    await naras!.kill(owner)
    const reborn = await start(indexOf(owner), [boot.info.multiaddrs[0]])
    expect(reborn.info.id).toBe(ownerId)
    const recovered = await waitFor(async () => {
      const res = await api<StashBody>(reborn, '/stash')
      return res.status === 200 ? res.body : undefined
    }, 'the restarted owner to recover its stash', 20_000, 300)
    expect(recovered.data).toEqual({ level: 2 })
    expect(recovered.version).toBe(second.body.version)
    // no holder went back to an older version
    for (const c of healed.confidants) expect(await heldVersion(nodes.find(n => n.info.id === c.id)!, ownerId)).toBe(second.body.version)
  }, 120_000)
})
