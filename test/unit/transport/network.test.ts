import { afterEach, describe, expect, it, vi } from 'vitest'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { NodeAddress } from '@libp2p/interface-internal'
import { addressesFor, announceable, relayOf, scopeOf } from '../../../src/transport/address-scope.js'
import { ReachabilityTracker, type ReachabilityStatus } from '../../../src/transport/reachability.js'
import { DirectUpgrades, type DirectUpgradeOutcome } from '../../../src/transport/direct-upgrades.js'
import { RelayReservations, type RelayCandidateConnection } from '../../../src/transport/relay-reservations.js'

const ma = (s: string): Multiaddr => multiaddr(s)
const RELAY = '12D3KooWMLCA9pi5hLDvk7JKVFqyPZrben2hXp4G86MQzqZS8mUe'
const OTHER = '12D3KooWNRJGueRYxN752cnUVkrsjmGGnt3Zg221RBymM2aCJyyB'

afterEach(() => { vi.useRealTimers() })

describe('address scopes', () => {
  it('tells loopback, LAN, internet and relayed addresses apart', () => {
    expect(scopeOf(ma('/ip4/127.0.0.1/tcp/1'))).toBe('loopback')
    expect(scopeOf(ma('/ip6/::1/tcp/1'))).toBe('loopback')
    expect(scopeOf(ma('/ip4/192.168.1.10/tcp/1'))).toBe('private')
    expect(scopeOf(ma('/ip4/100.64.0.1/tcp/1'))).toBe('private')
    expect(scopeOf(ma('/ip4/11.0.1.1/tcp/1'))).toBe('public')
    expect(scopeOf(ma('/dns4/nara.example.com/tcp/4001'))).toBe('public')
    expect(scopeOf(ma(`/ip4/11.0.1.1/tcp/1/p2p/${RELAY}/p2p-circuit`))).toBe('relayed')
  })

  it('names the relay of a relayed address', () => {
    expect(relayOf(ma(`/ip4/11.0.1.1/tcp/1/p2p/${RELAY}/p2p-circuit/p2p/${OTHER}`))).toBe(RELAY)
    expect(relayOf(ma(`/ip4/11.0.1.1/tcp/1/p2p/${RELAY}`))).toBeUndefined()
    expect(relayOf(ma('/p2p-circuit'))).toBeUndefined()
  })

  it('announces loopback addresses only when a nara has nothing else', () => {
    const loopback = ma('/ip4/127.0.0.1/tcp/1')
    const lan = ma('/ip4/192.168.1.10/tcp/1')
    expect(announceable([loopback, lan])).toEqual([lan])
    expect(announceable([loopback])).toEqual([loopback])
  })

  it('offers a peer reached from the internet neither our LAN nor our loopback', () => {
    const ours = [ma('/ip4/127.0.0.1/tcp/1'), ma('/ip4/192.168.1.10/tcp/1'), ma('/ip4/11.0.1.1/tcp/1'), ma(`/ip4/11.0.1.2/tcp/1/p2p/${RELAY}/p2p-circuit`)]
    expect(addressesFor(ma('/ip4/11.0.2.1/tcp/5'), ours).map(String)).toEqual([String(ours[2]), String(ours[3])])
    expect(addressesFor(ma('/ip4/192.168.1.11/tcp/5'), ours)).toHaveLength(3)
    expect(addressesFor(ma('/ip4/127.0.0.1/tcp/5'), ours)).toHaveLength(4)
  })
})

describe('reachability from AutoNAT', () => {
  const address = (s: string, verified: boolean, type: NodeAddress['type'] = 'transport'): NodeAddress => ({ multiaddr: ma(s), verified, type, expires: 0 })

  function tracker (addresses: NodeAddress[]): { t: ReachabilityTracker, changes: ReachabilityStatus[] } {
    const changes: ReachabilityStatus[] = []
    const t = new ReachabilityTracker({ addresses: () => addresses, verdictMs: 8_000, onChange: (s) => { changes.push(s) } })
    return { t, changes }
  }

  it('is unknown until the nara reaches the internet: a swarm on loopback or a LAN never asks', () => {
    const { t } = tracker([address('/ip4/192.168.1.10/tcp/4001', true)])
    t.connectionOpened(ma('/ip4/192.168.1.11/tcp/4001'))
    t.connectionOpened(ma('/ip4/127.0.0.1/tcp/4001'))
    t.update()
    expect(t.status().reachability).toBe('unknown')
    t.stop()
  })

  it('is private at once when it has no public address for AutoNAT to try', () => {
    const { t, changes } = tracker([address('/ip4/192.168.1.10/tcp/4001', true), address('/ip4/11.0.2.1/tcp/50000', false, 'observed')])
    t.connectionOpened(ma('/ip4/11.0.1.1/tcp/4001'))
    expect(changes.map(c => c.reachability)).toEqual(['private'])
    t.stop()
  })

  it('waits for AutoNAT when it has a public address, then is public once confirmed, or private when the window passes', () => {
    vi.useFakeTimers()
    const addresses = [address('/ip4/11.0.1.1/tcp/4001', false)]
    const { t, changes } = tracker(addresses)
    t.connectionOpened(ma('/ip4/11.0.1.2/tcp/4001'))
    expect(t.status().reachability).toBe('unknown')
    vi.advanceTimersByTime(7_999)
    expect(changes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(t.status()).toEqual({ reachability: 'private', confirmed: [] })
    addresses[0] = address('/ip4/11.0.1.1/tcp/4001', true)
    t.update()
    expect(t.status()).toEqual({ reachability: 'public', confirmed: ['/ip4/11.0.1.1/tcp/4001'] })
    expect(changes.map(c => c.reachability)).toEqual(['private', 'public'])
    t.stop()
  })

  it('takes no announced address as proof (an operator may announce what does not work), but waits for AutoNAT', () => {
    const { t } = tracker([address('/dns4/nara.example.com/tcp/4001', true, 'announce'), address('/ip4/192.168.1.10/tcp/4001', true)])
    t.connectionOpened(ma('/ip4/11.0.1.1/tcp/4001'))
    expect(t.status()).toEqual({ reachability: 'unknown', confirmed: [] })
    t.stop()
  })
})

describe('direct upgrades of relayed peers', () => {
  it('counts a direct connection within the window as direct, and none as relayed', () => {
    vi.useFakeTimers()
    const direct = new Set<string>()
    const outcomes: DirectUpgradeOutcome[] = []
    const upgrades = new DirectUpgrades({ windowMs: 20_000, hasDirect: (p) => direct.has(p), onOutcome: (o) => { outcomes.push(o) } })
    upgrades.relayedOpened('a')
    upgrades.relayedOpened('a') // a second relayed connection is the same attempt
    upgrades.relayedOpened('b')
    direct.add('a')
    upgrades.directOpened('a')
    vi.advanceTimersByTime(20_000)
    expect(outcomes).toEqual(['direct', 'relayed'])
    upgrades.relayedOpened('a') // already direct: nothing to upgrade
    vi.advanceTimersByTime(20_000)
    expect(outcomes).toEqual(['direct', 'relayed'])
  })
})

describe('relay reservations of a private nara', () => {
  const conn = (peer: string, addr: string, direction: 'inbound' | 'outbound' = 'outbound', limits?: unknown): RelayCandidateConnection =>
    ({ remotePeer: { toString: () => peer }, remoteAddr: ma(addr), direction, ...(limits !== undefined ? { limits } : {}) })

  type Known = Array<{ peer: string, address: Multiaddr }>
  function reservations (connections: RelayCandidateConnection[], protocols: Record<string, string[]>, refuse = new Set<string>(), known: Known = []): { r: RelayReservations, listened: string[], failures: string[], dialled: string[] } {
    const listened: string[] = []
    const failures: string[] = []
    const dialled: string[] = []
    const r: RelayReservations = new RelayReservations({
      wanted: 2,
      retry: { firstMs: 5_000, maxMs: 60_000 },
      connections: () => connections,
      protocolsOf: async (peer) => protocols[peer] ?? [],
      knownPublic: async () => known.filter(k => !connections.some(c => c.remotePeer.toString() === k.peer)),
      dial: async (address) => {
        dialled.push(address.toString())
        if ([...refuse].some(p => address.toString().includes(p))) throw new Error('ECONNREFUSED')
      },
      listen: async (address) => {
        listened.push(address.toString())
        if ([...refuse].some(p => address.toString().includes(p))) throw new Error('RESERVATION_REFUSED')
      },
      retryDue: () => { void r.fill() },
      onFailure: (peer, err) => { failures.push(`${peer}: ${err.message}`) }
    })
    return { r, listened, failures, dialled }
  }

  it('reserves on peers it dialled at public addresses that speak the hop protocol, no more than wanted', async () => {
    const third = '12D3KooWBqNSWapMcP14cA3qaypSNt7gQcxQfevTziYxF8eSg3K6'
    const connections = [
      conn('lan-peer', '/ip4/192.168.1.11/tcp/4001'),
      conn('inbound', '/ip4/11.0.2.9/tcp/50000', 'inbound'),
      conn('relayed', `/ip4/11.0.1.3/tcp/4001/p2p/${RELAY}/p2p-circuit`, 'outbound', { bytes: 1n }),
      conn('no-hop', '/ip4/11.0.1.4/tcp/4001'),
      conn(RELAY, '/ip4/11.0.1.1/tcp/4001'),
      conn(OTHER, `/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}`),
      conn(third, '/ip4/11.0.1.5/tcp/4001')
    ]
    const hop = [RELAY_V2_HOP_CODEC]
    const { r, listened } = reservations(connections, { 'lan-peer': hop, inbound: hop, relayed: hop, [RELAY]: hop, [OTHER]: hop, [third]: hop })
    await r.fill()
    expect(listened).toEqual([`/ip4/11.0.1.1/tcp/4001/p2p/${RELAY}/p2p-circuit`, `/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}/p2p-circuit`])
    expect(r.relays()).toEqual([RELAY, OTHER])
  })

  it('meets public naras it knows of when its connections hold too few relays, each once a minute at most', async () => {
    vi.useFakeTimers()
    const third = '12D3KooWBqNSWapMcP14cA3qaypSNt7gQcxQfevTziYxF8eSg3K6'
    const hop = [RELAY_V2_HOP_CODEC]
    const connections = [conn(RELAY, '/ip4/11.0.1.1/tcp/4001')]
    const known = [{ peer: OTHER, address: ma(`/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}`) }, { peer: third, address: ma(`/ip4/11.0.1.5/tcp/4001/p2p/${third}`) }]
    const unreachable = new Set([third])
    const { r, listened, dialled } = reservations(connections, { [RELAY]: hop, [OTHER]: hop }, unreachable, known)
    await r.fill()
    expect(r.relays()).toEqual([RELAY])
    expect(dialled).toEqual([`/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}`]) // one slot short: one nara met
    // the dial opened a connection; identify says it relays, and fill() runs again
    connections.push(conn(OTHER, `/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}`))
    await r.fill()
    expect(r.relays()).toEqual([RELAY, OTHER])
    expect(listened.at(-1)).toBe(`/ip4/11.0.1.2/tcp/4001/p2p/${OTHER}/p2p-circuit`)
    // a relay gone: the next public nara it knows is dialled; neither is dialled again within a minute of its last dial
    connections.splice(1, 1)
    expect(r.connectionClosed(OTHER)).toBe(true)
    await r.fill()
    expect(dialled.slice(1)).toEqual([`/ip4/11.0.1.5/tcp/4001/p2p/${third}`])
    await r.fill()
    await vi.advanceTimersByTimeAsync(59_000)
    await r.fill()
    expect(dialled).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_500) // a minute after the first dials: one of the two is tried again
    await r.fill()
    expect(dialled).toHaveLength(3)
    r.stop()
  })

  it('asks a relay that refused again by itself, 5 s later, then twice as long after each refusal; frees the slot of a relay whose connection closed', async () => {
    vi.useFakeTimers()
    const connections = [conn(RELAY, '/ip4/11.0.1.1/tcp/4001'), conn(OTHER, '/ip4/11.0.1.2/tcp/4001')]
    const hop = [RELAY_V2_HOP_CODEC]
    const refuse = new Set([OTHER])
    const { r, listened, failures } = reservations(connections, { [RELAY]: hop, [OTHER]: hop }, refuse)
    const asked = (): number => listened.filter(a => a.includes(OTHER)).length
    await r.fill()
    expect(r.relays()).toEqual([RELAY])
    expect(failures).toEqual([`${OTHER}: RESERVATION_REFUSED`])
    await r.fill() // an event meanwhile: still waiting
    expect(asked()).toBe(1)
    await vi.advanceTimersByTimeAsync(4_900)
    expect(asked()).toBe(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(asked()).toBe(2)
    refuse.clear()
    await vi.advanceTimersByTimeAsync(9_800)
    expect(asked()).toBe(2)
    await vi.advanceTimersByTimeAsync(200)
    expect(asked()).toBe(3)
    expect(r.relays()).toEqual([RELAY, OTHER])
    connections.shift()
    expect(r.connectionClosed(RELAY)).toBe(true)
    expect(r.relays()).toEqual([OTHER])
    expect(r.connectionClosed(RELAY)).toBe(false)
    r.stop()
  })

  it('gives up a slot whose relayed address left the nara\'s addresses, but not one still being reserved', async () => {
    const connections = [conn(RELAY, '/ip4/11.0.1.1/tcp/4001'), conn(OTHER, '/ip4/11.0.1.2/tcp/4001')]
    const hop = [RELAY_V2_HOP_CODEC]
    const { r } = reservations(connections, { [RELAY]: hop, [OTHER]: hop })
    await r.fill()
    const relayed = (relay: string): Multiaddr => ma(`/ip4/11.0.1.1/tcp/4001/p2p/${relay}/p2p-circuit`)
    const own = ma('/ip4/192.168.1.10/tcp/4001')
    expect(r.addressesChanged([own, relayed(RELAY), relayed(OTHER)])).toBe(false)
    expect(r.addressesChanged([own, relayed(OTHER)])).toBe(true)
    expect(r.relays()).toEqual([OTHER])
    // a reservation under way has no address yet: an address change meanwhile keeps it
    let answer: () => void = () => {}
    const slow = new RelayReservations({
      wanted: 1,
      retry: { firstMs: 5_000, maxMs: 60_000 },
      connections: () => connections,
      protocolsOf: async () => hop,
      knownPublic: async () => [],
      dial: async () => {},
      listen: async () => { await new Promise<void>(resolve => { answer = resolve }) },
      retryDue: () => {}
    })
    const filling = slow.fill()
    await vi.waitFor(() => { expect(slow.relays()).toEqual([RELAY]) })
    expect(slow.addressesChanged([own])).toBe(false)
    answer()
    await filling
    expect(slow.relays()).toEqual([RELAY])
    expect(slow.addressesChanged([own])).toBe(true)
  })
})
