import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, type ChildProcess } from 'node:child_process'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { NatNet, type NetHost } from '../helpers/nat-net.js'
import { skipWithoutNamespaces } from '../helpers/namespace-tools.js'
import { exited } from '../helpers/processes.js'

const PORT = 4001
/** How long a dial may take before it counts as failed: the net answers in milliseconds, a dropped SYN never. */
const DIAL_TIMEOUT_MS = 2_000

/** A TCP server that tells each client the address it sees the client at, then hangs up. */
const SERVER = 'const [port] = process.argv.slice(1);' +
  'require("net").createServer(s => { s.end(s.remoteAddress) }).listen(Number(port), "0.0.0.0", () => { console.log("listening") })'
/** Dials host:port and prints `{ ok, seenAs }` or `{ ok: false, error }` (`timeout` if nothing answered in time). */
const CLIENT = 'const [host, port, ms] = process.argv.slice(1); let seenAs = "";' +
  'const done = r => { process.stdout.write(JSON.stringify(r)); process.exit(0) };' +
  'const s = require("net").connect(Number(port), host); s.setEncoding("utf8");' +
  's.on("data", d => { seenAs += d }); s.on("end", () => done({ ok: true, seenAs }));' +
  's.on("error", e => done({ ok: false, error: e.code })); setTimeout(() => done({ ok: false, error: "timeout" }), Number(ms))'
/** Joins mDNS's group on port 5353 and prints the first datagram and its source. */
const MDNS_LISTENER = 'const s = require("dgram").createSocket({ type: "udp4", reuseAddr: true });' +
  's.on("message", (m, r) => { process.stdout.write(JSON.stringify({ message: m.toString(), from: r.address })); process.exit(0) });' +
  's.bind(5353, () => { s.addMembership("224.0.0.251"); console.log("listening") })'
/** Sends a datagram to mDNS's group every 100 ms until killed. */
const MDNS_SENDER = 'const s = require("dgram").createSocket("udp4");' +
  's.bind(() => { setInterval(() => { s.send("hello, neighbours", 5353, "224.0.0.251") }, 100) })'

const unavailable = NatNet.unavailable()

describe.skipIf(skipWithoutNamespaces('the NAT network self-test', unavailable))('NatNet: public hosts and NATed LANs that behave like the internet', () => {
  let net: NatNet
  const running = new Set<ChildProcess>()
  const pub = (i: number): NetHost => net.publicHosts[i]
  const lan = (r: number, i: number): NetHost => net.lanHosts[r][i]

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`the NAT network self-test ${unavailable}`)
    net = new NatNet({ publicHosts: 3, lans: [2, 1] })
    await Promise.all([pub(0), lan(0, 0), lan(1, 0)].map(serve))
  })

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL')
    await Promise.all([...running].map(async c => await exited(c).catch(() => null)))
    net?.destroy()
  })

  function spawnOn (host: NetHost, script: string, args: string[]): { child: ChildProcess, stdout: () => string } {
    const child = net.spawn(host, process.execPath, ['-e', script, ...args])
    running.add(child)
    child.once('exit', () => running.delete(child))
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
    return { child, stdout: () => stdout }
  }

  async function listening (host: NetHost, script: string, args: string[]): Promise<{ child: ChildProcess, stdout: () => string }> {
    const spawned = spawnOn(host, script, args)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`nothing listened on ${host.name}`)) }, 5_000)
      spawned.child.stdout?.on('data', () => { if (spawned.stdout().includes('listening\n')) { clearTimeout(timer); resolve() } })
      spawned.child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the listener on ${host.name} exited with ${code}`)) })
    })
    return spawned
  }

  async function serve (host: NetHost): Promise<void> {
    await listening(host, SERVER, [String(PORT)])
  }

  async function dial (from: NetHost, to: string): Promise<{ ok: boolean, seenAs?: string, error?: string }> {
    const client = spawnOn(from, CLIENT, [to, String(PORT), String(DIAL_TIMEOUT_MS)])
    await exited(client.child, DIAL_TIMEOUT_MS + 5_000)
    return JSON.parse(client.stdout())
  }

  it('libp2p counts the public hosts and WAN addresses as public, the LAN addresses as private', () => {
    const privateToLibp2p = (ip: string): boolean => isPrivate(multiaddr(`/ip4/${ip}/tcp/${PORT}`))
    expect([...net.publicHosts.map(h => h.ip), ...net.routers.map(r => r.wanIp)].filter(privateToLibp2p)).toEqual([])
    expect(net.lanHosts.flat().map(h => h.ip).every(privateToLibp2p)).toBe(true)
  })

  it('a LAN host reaches a public host, which sees it as its router\'s WAN address', async () => {
    expect(await dial(lan(0, 1), pub(0).ip)).toEqual({ ok: true, seenAs: net.routers[0].wanIp })
    expect(await dial(lan(1, 0), pub(0).ip)).toEqual({ ok: true, seenAs: net.routers[1].wanIp })
  })

  it('nothing on the internet reaches a LAN host unsolicited: not at its address, not at its router\'s WAN address', async () => {
    // pub2 is a neighbour on the ISP's segment that routes the LAN's subnet at the router: only the router's firewall stops it
    execFileSync('ip', ['-n', pub(2).ns, 'route', 'add', net.routers[0].lanSubnet, 'via', net.routers[0].wanIp])
    const [direct, viaRouter, viaWan] = await Promise.all([
      dial(pub(1), lan(0, 0).ip), dial(pub(2), lan(0, 0).ip), dial(pub(1), net.routers[0].wanIp)])
    expect(direct).toEqual({ ok: false, error: 'timeout' })
    expect(viaRouter).toEqual({ ok: false, error: 'timeout' })
    expect(viaWan).toEqual({ ok: false, error: 'timeout' })
  })

  it('LAN neighbours reach each other directly; a host behind another router cannot reach them', async () => {
    const [neighbour, otherHome] = await Promise.all([dial(lan(0, 1), lan(0, 0).ip), dial(lan(1, 0), lan(0, 0).ip)])
    expect(neighbour).toEqual({ ok: true, seenAs: lan(0, 1).ip })
    expect(otherHome).toEqual({ ok: false, error: 'timeout' })
  })

  it('setLoss(100) cuts the internet but not the LANs; setLoss(0) restores it', async () => {
    expect(await dial(pub(1), pub(0).ip)).toEqual({ ok: true, seenAs: pub(1).ip })
    net.setLoss(100)
    try {
      const [internet, home] = await Promise.all([dial(pub(1), pub(0).ip), dial(lan(0, 1), lan(0, 0).ip)])
      expect(internet).toEqual({ ok: false, error: 'timeout' })
      expect(home).toEqual({ ok: true, seenAs: lan(0, 1).ip })
    } finally {
      net.setLoss(0)
    }
    expect(await dial(pub(1), pub(0).ip)).toEqual({ ok: true, seenAs: pub(1).ip })
  })

  it('a multicast datagram to mDNS\'s group reaches a LAN neighbour', async () => {
    const listener = await listening(lan(0, 1), MDNS_LISTENER, [])
    const sender = spawnOn(lan(0, 0), MDNS_SENDER, [])
    try {
      await exited(listener.child, 5_000)
    } finally {
      sender.child.kill('SIGKILL')
    }
    expect(JSON.parse(listener.stdout().split('\n').at(-1)!)).toEqual({ message: 'hello, neighbours', from: lan(0, 0).ip })
  })
})
