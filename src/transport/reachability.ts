import { scopeOf } from './address-scope.js'
import type { NodeAddress } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Whether peers on the internet can dial this nara: AutoNAT's verdict. */
export type Reachability = 'public' | 'private' | 'unknown'

export interface ReachabilityStatus {
  reachability: Reachability
  /** public addresses AutoNAT confirmed: a peer on the internet dialled them back */
  confirmed: string[]
}

export interface ReachabilityOptions {
  /** every address libp2p knows for this node, with whether it is verified */
  addresses: () => NodeAddress[]
  /** how long after first reaching the internet a nara with no confirmed address calls itself private */
  verdictMs: number
  onChange: (status: ReachabilityStatus) => void
}

/**
 * Reads AutoNAT v2's work: an address it confirmed is a public address a peer dialled
 * back. `unknown` until the nara has reached a peer on the internet; `public` once a
 * public address is confirmed; `private` when none is, `verdictMs` after that first
 * internet peer (AutoNAT asks as soon as it connects to one) — or at once when the nara
 * has no public address for AutoNAT to try (it listens on a LAN behind a router and
 * nothing maps a public address to it): then there is nothing to wait for, and a nara
 * restarting behind NAT reserves its relay slots in its first second. A swarm on
 * loopback or on one LAN never reaches the internet, so the question never arises:
 * `unknown`.
 */
export class ReachabilityTracker {
  private internetSince?: number
  private verdictTimer?: ReturnType<typeof setTimeout>
  private last: ReachabilityStatus = { reachability: 'unknown', confirmed: [] }

  constructor (private readonly opts: ReachabilityOptions) {}

  status (): ReachabilityStatus {
    return this.last
  }

  /** A connection opened: one to a public address means this nara has reached the internet. */
  connectionOpened (remote: Multiaddr): void {
    if (this.internetSince !== undefined || scopeOf(remote) !== 'public') return
    this.internetSince = Date.now()
    this.verdictTimer = setTimeout(() => { this.update() }, this.opts.verdictMs)
    this.verdictTimer.unref?.()
    this.update()
  }

  /** This node's addresses or their verification changed. */
  update (): void {
    const confirmed = this.opts.addresses()
      .filter(a => a.verified && a.type !== 'announce' && scopeOf(a.multiaddr) === 'public')
      .map(a => a.multiaddr.toString())
    const verdictDue = this.internetSince !== undefined && (Date.now() - this.internetSince >= this.opts.verdictMs || !this.hasCandidate())
    const reachability: Reachability = confirmed.length > 0 ? 'public' : verdictDue ? 'private' : 'unknown'
    const changed = reachability !== this.last.reachability || confirmed.join() !== this.last.confirmed.join()
    this.last = { reachability, confirmed }
    if (changed) this.opts.onChange(this.last)
  }

  /**
   * Whether AutoNAT has a public address of ours to try: one we listen on, announce or
   * map (UPnP). An observed one does not count: it is the router's address and the port
   * of an outgoing connection, which nothing forwards to us.
   */
  private hasCandidate (): boolean {
    return this.opts.addresses().some(a => a.type !== 'observed' && scopeOf(a.multiaddr) === 'public')
  }

  stop (): void {
    clearTimeout(this.verdictTimer)
  }
}
