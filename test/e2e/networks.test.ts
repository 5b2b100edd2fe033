import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeersBody, StatusBody } from '../../src/api/types.js'
import { NatNet, type NetHost } from '../helpers/nat-net.js'
import { NFT_TOOL, namespacesUnavailable, skipWithoutNamespaces } from '../helpers/namespace-tools.js'
import { NamespaceNaras, type NamespaceNara } from '../helpers/namespace-naras.js'
import { waitFor } from '../helpers/wait.js'

const PORT = 4001
const EVERYWHERE = ['--listen', `/ip4/0.0.0.0/tcp/${PORT}`]
/** Done-when figures of the issue: each bound is the user's, not a tuning knob. */
const REACHABILITY_WITHIN_MS = 30_000
const PEERS_WITHIN_MS = 30_000

const unavailable = namespacesUnavailable([NFT_TOOL])

describe.skipIf(skipWithoutNamespaces('the across-networks test', unavailable))('naras across real networks: public hosts, two NATed homes', () => {
  let net: NatNet
  let naras: NamespaceNaras
  const figures: string[] = []
  let publics: NamespaceNara[] = []
  let natted: NamespaceNara[] = []
  const all = (): NamespaceNara[] => [...publics, ...natted]

  const bootstrapOf = (n: NamespaceNara): string => `/ip4/${(n.host as NetHost).ip}/tcp/${PORT}/p2p/${n.info.peerId}`
  const status = async (n: NamespaceNara): Promise<StatusBody> => (await naras.api<StatusBody>(n, '/status')).body
  const peers = async (n: NamespaceNara): Promise<PeersBody['peers']> => (await naras.api<PeersBody>(n, '/peers')).body.peers ?? []

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`the across-networks test ${unavailable}`)
    net = new NatNet({ publicHosts: 2, lans: [2, 1] })
    naras = new NamespaceNaras((host, command, args) => net.spawn(host, command, args))
    const first = await naras.start(net.publicHosts[0], [...EVERYWHERE, '--name', 'net-pub0'])
    const second = await naras.start(net.publicHosts[1], [...EVERYWHERE, '--name', 'net-pub1', '--bootstrap', bootstrapOf(first)])
    publics = [first, second]
    const boot = publics.flatMap(p => ['--bootstrap', bootstrapOf(p)])
    natted = await Promise.all([
      naras.start(net.lanHosts[0][0], [...EVERYWHERE, '--name', 'net-home0-a', ...boot]),
      naras.start(net.lanHosts[0][1], [...EVERYWHERE, '--name', 'net-home0-b', ...boot]),
      naras.start(net.lanHosts[1][0], [...EVERYWHERE, '--name', 'net-home1-a', ...boot])
    ])
  }, 60_000)

  afterAll(async () => {
    await naras?.stopAll()
    net?.destroy()
    if (figures.length > 0) console.log(`across networks:\n  ${figures.join('\n  ')}`)
  })

  it('AutoNAT: public naras report public, NATed naras private, each within 30 s of its start', async () => {
    await Promise.all(all().map(async n => {
      const expected = publics.includes(n) ? 'public' : 'private'
      const s = await waitFor(async () => { const s = await status(n); return s.reachability === expected ? s : undefined },
        `${n.info.name} to report ${expected}`, REACHABILITY_WITHIN_MS, 500)
      figures.push(`${n.info.name}: ${expected} ${Date.now() - n.startedAt} ms after its start${s.confirmedAddresses.length > 0 ? ` (${s.confirmedAddresses.join(', ')})` : ''}`)
      if (expected === 'public') expect(s.confirmedAddresses).toContain(`/ip4/${(n.host as NetHost).ip}/tcp/${PORT}`)
      else expect(s.confirmedAddresses).toEqual([])
    }))
  }, 60_000)

  it('every nara lists every other within 30 s; NATed naras in different homes reach each other relayed (or direct)', async () => {
    await Promise.all(all().map(async n => {
      const others = all().filter(o => o !== n).map(o => o.info.name).sort()
      await waitFor(async () => (await peers(n)).map(p => p.name).sort().join() === others.join(), `${n.info.name} to list every other nara`, PEERS_WITHIN_MS, 500)
      figures.push(`${n.info.name} lists all ${others.length} others ${Date.now() - n.startedAt} ms after its start`)
    }))
    // a NATed nara reaches a NATed nara of another home only through a relay (or a hole punch)
    const [a, , c] = natted
    const link = await waitFor(async () => (await peers(c)).find(p => p.name === a.info.name && p.connection !== 'none'),
      `${c.info.name} to reach ${a.info.name} across the two NATs`, PEERS_WITHIN_MS, 500)
    expect(['relayed', 'direct']).toContain(link.connection)
    if (link.connection === 'relayed') expect(publics.map(p => p.info.name)).toContain(link.relay)
    figures.push(`${c.info.name} reaches ${a.info.name} ${link.connection}${link.relay !== undefined ? ` via ${link.relay}` : ''} ${Date.now() - c.startedAt} ms after its start`)
  }, 60_000)
})
