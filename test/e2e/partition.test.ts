import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import type { HeldBody, PeersBody, StashBody, StashSetBody } from '../../src/api/types.js'
import type { StartSummary } from '../../src/cli/format.js'
import { NODE_FLAGS } from '../../src/cli/node-flags.js'
import { CLI, exited } from '../helpers/processes.js'
import { PartitionNet } from '../helpers/netns.js'
import { skipWithoutNamespaces } from '../helpers/namespace-tools.js'
import { waitFor } from '../helpers/wait.js'

const PORT = 4001
const API_PORT = 7420
/** Audits every ~1 s, so an owner notices a lost confidant soon after the network heals. */
const AUDIT_FLAGS = ['--audit-interval', '1']

/** A `nara start` in namespace `index` of the partition net. */
interface Member { index: number, child: ChildProcess, info: StartSummary }

const unavailable = PartitionNet.unavailable()

describe.skipIf(skipWithoutNamespaces('the partition test', unavailable))('a partition: a group of naras cut off from the owner, then healed', () => {
  let net: PartitionNet | undefined
  const running = new Set<ChildProcess>()

  beforeAll(() => {
    if (unavailable !== undefined) throw new Error(`the partition test ${unavailable}`)
    net = new PartitionNet([3, 2])
  })

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL')
    await Promise.all([...running].map(async c => await exited(c).catch(() => null)))
    net?.destroy()
  })

  /** Spawns a command in the i-th nara's namespace; afterAll kills it if it still runs. */
  function spawnIn (index: number, args: string[]): ChildProcess {
    const child = net!.spawn(index, process.execPath, args)
    running.add(child)
    child.once('exit', () => running.delete(child))
    return child
  }

  async function start (index: number, bootstrap: string[]): Promise<Member> {
    const child = spawnIn(index, [...NODE_FLAGS, CLI, 'start', '--json', '--name', `e2e-part-${index}`,
      '--listen', `/ip4/${net!.member(index).ip}/tcp/${PORT}`, '--api-port', String(API_PORT), '--log-level', 'warn',
      ...bootstrap.flatMap(b => ['--bootstrap', b]), ...AUDIT_FLAGS])
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
    const info = await new Promise<StartSummary>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => { reject(new Error(`nara ${index} did not start: ${stderr}`)) }, 20_000)
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString()
        const line = stdout.split('\n').find(l => l.startsWith('{'))
        if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as StartSummary) }
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nara ${index} exited with ${code}: ${stderr}`)) })
    })
    return { index, child, info }
  }

  /** Calls a nara's API from inside its namespace (the API listens on that namespace's 127.0.0.1 only). */
  async function api<T> (m: Member, path: string, body?: unknown): Promise<{ status: number, body: T }> {
    const script = 'const [u, b] = process.argv.slice(1); fetch(u, b === undefined ? {} : { method: "PUT", body: b, headers: { "content-type": "application/json" } })' +
      '.then(async r => { process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() })) }, e => { process.stdout.write(JSON.stringify({ status: 0, body: { error: String(e) } })) })'
    const child = spawnIn(m.index, ['-e', script, `http://127.0.0.1:${API_PORT}${path}`, ...(body === undefined ? [] : [JSON.stringify(body)])])
    let out = ''
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    await exited(child, 30_000)
    return JSON.parse(out) as { status: number, body: T }
  }

  const heldVersion = async (m: Member, ownerId: string): Promise<number | undefined> =>
    (await api<{ held: HeldBody[] }>(m, '/stash/held')).body.held.find(h => h.ownerId === ownerId)?.version

  const peersOf = async (m: Member): Promise<string[]> => (await api<PeersBody>(m, '/peers')).body.peers.map(p => p.id)

  it('the owner stores a newer state with the naras it can reach; after healing, repair restores three holders and a kill -9 owner recovers the newest', async () => {
    const boot = await start(0, [])
    const rest = await Promise.all([1, 2, 3, 4].map(async i => await start(i, [boot.info.multiaddrs[0]])))
    const nodes = [boot, ...rest]
    await waitFor(async () => (await Promise.all(nodes.map(peersOf))).every(p => p.length === nodes.length - 1), 'five naras to see each other', 20_000, 300)
    const owner = rest[0] // group A: naras 0-2; group B: naras 3-4
    const ownerId = owner.info.id
    const ids = (ms: Member[]): string[] => ms.map(m => m.info.id)
    const groupA = nodes.filter(n => n.index < 3)
    const groupB = nodes.filter(n => n.index >= 3)
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
    owner.child.kill('SIGKILL')
    await exited(owner.child)
    const reborn = await start(owner.index, [boot.info.multiaddrs[0]])
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
