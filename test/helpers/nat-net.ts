import { spawn, type ChildProcess } from 'node:child_process'
import { Namespaces, NFT_TOOL, ip, namespacesUnavailable, nft, sysctl } from './namespace-tools.js'

/** A machine of the net: its namespace and its one address. */
export interface NetHost {
  /** e.g. `pub0`, `lan1-h2`: stable within a run, for messages and nara names. */
  readonly name: string
  readonly ns: string
  readonly ip: string
}

/** A home router: NAT from its LAN to the internet. */
export interface HomeRouter {
  readonly name: string
  readonly ns: string
  /** Its public address on the internet: what the internet sees as the source of its LAN's traffic. */
  readonly wanIp: string
  /** Its address on its LAN, the LAN hosts' default gateway. */
  readonly lanIp: string
  /** The LAN's subnet, e.g. `192.168.1.0/24`. */
  readonly lanSubnet: string
}

export interface NatNetOptions {
  /** How many hosts sit directly on the internet, each with a public address. */
  publicHosts: number
  /** One entry per home network: how many hosts sit on its LAN, behind its own NAT router. */
  lans: number[]
}

// The internet is 11.0.0.0/16: libp2p counts 11/8 as public (RFC 1918, CGNAT, benchmarking and TEST-NET
// ranges it counts as private, and turns AutoNAT, relaying and DHT-server mode off there).
/** The backbone: every internet host's default gateway, on the internet bridge, not forwarding. */
const BACKBONE = '11.0.0.1'
const publicIp = (i: number): string => `11.0.1.${i + 1}`
const wanIp = (r: number): string => `11.0.2.${r + 1}`
const lanSubnet = (r: number): string => `192.168.${r + 1}`
/** The widest the address plan allows (one /24 each). */
const MAX_HOSTS = 200

/**
 * A small internet of Linux network namespaces: public hosts and NATed home networks.
 *
 *   pub0 11.0.1.1   pub1 11.0.1.2  ...                 each: default via the backbone
 *        │               │
 *   ═════╧═══════════════╧═══════╤══════════ internet: bridge0 in <run>-internet, 11.0.0.0/16,
 *                                │           backbone 11.0.0.1 (drops what is for no internet host)
 *                       wan 11.0.2.1                  each router: masquerades its LAN out of `wan`,
 *                        <run>-router0                forwards only LAN->WAN and replies, drops
 *                       lan 192.168.1.1               unsolicited input on `wan`
 *                                │
 *   ═════════╤═══════════╤═══════╧═══════════ LAN 0: bridge0 in <run>-lan0 (multicast floods)
 *      lan0-h0 192.168.1.10   lan0-h1 192.168.1.11    each: default via the router
 *
 * Like the real internet: a LAN host reaches public hosts (seen as its router's WAN address),
 * nothing reaches a LAN host unsolicited, packets for private addresses die on the internet
 * (silently, so a dial to one times out), and `setLoss` drops a share of the IPv4 packets
 * crossing the internet. Every name carries a random run id; `destroy()` removes every
 * namespace made (their links go with them).
 */
export class NatNet {
  private readonly spaces = new Namespaces()
  readonly publicHosts: NetHost[] = []
  readonly routers: HomeRouter[] = []
  /** `lanHosts[r]`: the hosts on router r's LAN. */
  readonly lanHosts: NetHost[][] = []
  private readonly internet: string

  /** Why this machine cannot build the net (a sentence), or undefined when it can. */
  static unavailable (): string | undefined {
    return namespacesUnavailable([NFT_TOOL])
  }

  constructor (options: NatNetOptions) {
    if (options.publicHosts > MAX_HOSTS || options.lans.length > MAX_HOSTS || options.lans.some(n => n > MAX_HOSTS)) {
      throw new RangeError(`a NatNet holds at most ${MAX_HOSTS} public hosts, ${MAX_HOSTS} LANs and ${MAX_HOSTS} hosts a LAN`)
    }
    try {
      this.internet = this.bridgeNamespace('internet')
      ip('-n', this.internet, 'addr', 'add', `${BACKBONE}/16`, 'dev', 'bridge0')
      for (let i = 0; i < options.publicHosts; i++) {
        const ns = this.spaces.add(`pub${i}`)
        this.spaces.link(ns, 'eth0', this.internet, `pub${i}`, `${publicIp(i)}/16`)
        ip('-n', ns, 'route', 'add', 'default', 'via', BACKBONE)
        this.publicHosts.push({ name: `pub${i}`, ns, ip: publicIp(i) })
      }
      options.lans.forEach((size, r) => { this.home(r, size) })
    } catch (err) {
      this.destroy()
      throw err
    }
  }

  /** Spawns a command on a host (`ip netns exec` execs it: the PID is the command's); stdout and stderr are piped. */
  spawn (host: { ns: string }, command: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', host.ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  }

  /** Drops `percent` % of the IPv4 packets crossing the internet, at random, each way; 0 stops dropping. LANs keep no loss. */
  setLoss (percent: number): void {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`loss is a whole percentage from 0 to 100, not ${percent}`)
    // `add` then `delete` removes the table whether or not it was there
    const clear = 'add table bridge loss\ndelete table bridge loss\n'
    const lossy = percent === 100 ? '' : `numgen random mod 100 < ${percent} ` // nft refuses `< 100`: out of 0-99
    nft(this.internet, percent === 0
      ? clear
      : `${clear}table bridge loss {
  chain forward {
    type filter hook forward priority filter; policy accept
    ether type ip ${lossy}drop
  }
}
`)
  }

  /** Deletes every namespace made (idempotent). Processes inside must have been stopped first. */
  destroy (): void {
    this.spaces.destroy()
  }

  /** The random id every namespace name of this net starts with. */
  get runId (): string {
    return this.spaces.runId
  }

  /** Home network r: its router on the internet and `size` hosts on the LAN behind it. */
  private home (r: number, size: number): void {
    const subnet = lanSubnet(r)
    const router: HomeRouter = { name: `router${r}`, ns: this.spaces.add(`router${r}`), wanIp: wanIp(r), lanIp: `${subnet}.1`, lanSubnet: `${subnet}.0/24` }
    const lan = this.bridgeNamespace(`lan${r}`)
    this.spaces.link(router.ns, 'wan', this.internet, `wan${r}`, `${router.wanIp}/16`)
    this.spaces.link(router.ns, 'lan', lan, 'router', `${router.lanIp}/24`)
    ip('-n', router.ns, 'route', 'add', 'default', 'via', BACKBONE)
    sysctl(router.ns, 'net.ipv4.ip_forward', '1')
    nft(router.ns, natRuleset(router.lanSubnet))
    this.routers.push(router)
    const hosts: NetHost[] = []
    for (let i = 0; i < size; i++) {
      const name = `lan${r}-h${i}`
      const host = { name, ns: this.spaces.add(name), ip: `${subnet}.${i + 10}` }
      this.spaces.link(host.ns, 'eth0', lan, `h${i}`, `${host.ip}/24`)
      ip('-n', host.ns, 'route', 'add', 'default', 'via', router.lanIp)
      hosts.push(host)
    }
    this.lanHosts.push(hosts)
  }

  /** A namespace holding a switch: `bridge0`, flooding multicast to every port (no IGMP snooping). */
  private bridgeNamespace (name: string): string {
    const ns = this.spaces.add(name)
    ip('-n', ns, 'link', 'add', 'name', 'bridge0', 'type', 'bridge', 'mcast_snooping', '0')
    ip('-n', ns, 'link', 'set', 'dev', 'bridge0', 'up')
    return ns
  }

}

/** A home router's NAT: the LAN leaves masqueraded as the WAN address; from the WAN only replies come in. */
function natRuleset (subnet: string): string {
  return `table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept
    ip saddr ${subnet} oifname "wan" masquerade
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
  chain input {
    type filter hook input priority filter; policy accept
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
}
`
}
