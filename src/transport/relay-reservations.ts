import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { Multiaddr } from '@multiformats/multiaddr'
import { relayOf, scopeOf } from './address-scope.js'

/** A connection as the relay choice sees it. */
export interface RelayCandidateConnection {
  readonly remotePeer: { toString(): string }
  readonly remoteAddr: Multiaddr
  readonly direction: 'inbound' | 'outbound'
  /** set on a relayed connection */
  readonly limits?: unknown
}

export interface RelayReservationsOptions {
  /** how many relays to hold a slot on */
  wanted: number
  /** after a relay refused (or its reservation failed), how long before it is asked again: `firstMs`, doubling with each failure in a row, up to `maxMs` */
  retry: { firstMs: number, maxMs: number }
  connections: () => RelayCandidateConnection[]
  /** the protocols a peer is known to speak (identify) */
  protocolsOf: (peer: string) => Promise<string[]>
  /** listens on a `/p2p-circuit` address through one relay: libp2p's relay transport reserves a slot there */
  listen: (address: Multiaddr) => Promise<void>
  /**
   * Naras known to listen on a public address (from their announcements) that this one
   * has no direct connection to: where more relays may be. Dialled when the relays among
   * its connections are too few; identify then tells whether each relays. Each nara once.
   */
  knownPublic: () => Promise<Array<{ peer: string, address: Multiaddr }>>
  /** opens a connection to a nara at one of its public addresses */
  dial: (address: Multiaddr) => Promise<void>
  /** a relay that refused may be asked again now: the owner calls `fill()` if it still wants slots */
  retryDue: () => void
  /** a reservation failed: why, for the log */
  onFailure?: (peer: string, err: Error) => void
}

/**
 * The relays a private nara holds slots on, chosen by nara: peers it is connected to
 * directly, on a public address, that speak circuit relay v2's hop protocol. libp2p's
 * own relay discovery (a `/p2p-circuit` listen address) walks the DHT without pause
 * until it holds every slot it wants, which in a swarm with fewer relays than that
 * (one public nara, or one of two gone) spins a core for good; here a missing slot
 * meets more public naras (those it knows from their announcements and has not met, each
 * dialled once a minute at most), or waits for a relay that refused to be asked again.
 * A slot is gone when its relay's connection closes or when its relayed address leaves
 * the nara's own addresses (libp2p's reservation store dropped it: a refresh failed).
 */
export class RelayReservations {
  private readonly held = new Set<string>()
  /** relays whose reservation is under way: held, but not announced yet */
  private readonly reserving = new Set<string>()
  private readonly refused = new Map<string, { until: number, waitMs: number }>()
  /** naras dialled to see whether they relay: not dialled again before this (ms since the epoch) */
  private readonly sought = new Map<string, number>()
  private filling?: Promise<void>
  private again = false
  private retryTimer?: ReturnType<typeof setTimeout>

  constructor (private readonly opts: RelayReservationsOptions) {}

  /** The relays this nara holds a slot on now. */
  relays (): string[] {
    return [...this.held]
  }

  /** Reserves on relays until `wanted` are held or no candidate is left; concurrent calls share one run. */
  async fill (): Promise<void> {
    if (this.filling !== undefined) {
      this.again = true
      return await this.filling
    }
    this.filling = (async () => {
      do {
        this.again = false
        while (this.held.size < this.opts.wanted) {
          const next = await this.candidate()
          if (next === undefined) break
          await this.reserve(next.peer, next.address)
        }
        // too few relays among its connections: meet more (their identify calls fill() again)
        if (this.held.size < this.opts.wanted) await this.seek(this.opts.wanted - this.held.size)
      } while (this.again)
      if (this.held.size < this.opts.wanted) this.retryWhenDue()
    })().finally(() => { this.filling = undefined })
    await this.filling
  }

  /** Stops the retry timer. */
  stop (): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  /** A connection closed: when it was the last direct one to a relay we hold a slot on, that slot is gone. */
  connectionClosed (peer: string): boolean {
    if (!this.held.has(peer) || this.direct().some(c => c.remotePeer.toString() === peer)) return false
    this.held.delete(peer)
    return true
  }

  /**
   * The nara's own addresses changed: a held slot whose relayed address is gone from
   * them (and not still being reserved) is gone. Returns whether one was.
   */
  addressesChanged (addresses: readonly Multiaddr[]): boolean {
    const announced = new Set(addresses.map(relayOf))
    let lost = false
    for (const peer of this.held) {
      if (this.reserving.has(peer) || announced.has(peer)) continue
      this.held.delete(peer)
      lost = true
    }
    return lost
  }

  private async reserve (peer: string, address: Multiaddr): Promise<void> {
    this.held.add(peer)
    this.reserving.add(peer)
    try {
      await this.opts.listen(address)
      this.refused.delete(peer)
    } catch (err) {
      this.held.delete(peer)
      const previous = this.refused.get(peer)?.waitMs
      const waitMs = previous === undefined ? this.opts.retry.firstMs : Math.min(this.opts.retry.maxMs, previous * 2)
      this.refused.set(peer, { until: Date.now() + waitMs, waitMs })
      this.opts.onFailure?.(peer, err as Error)
    } finally {
      this.reserving.delete(peer)
    }
  }

  /** Short of slots: when a refusal runs out, tell the owner (one timer, for the earliest). */
  private retryWhenDue (): void {
    const now = Date.now()
    // a relay not asked for a while starts its waits afresh: the map holds recent failures only
    for (const [peer, { until }] of this.refused) if (now - until > this.opts.retry.maxMs) this.refused.delete(peer)
    const due = Math.min(...[...this.refused.values()].map(r => r.until).filter(until => until > now))
    if (!Number.isFinite(due)) return
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.opts.retryDue()
    }, due - now)
    this.retryTimer.unref?.()
  }

  /**
   * Dials up to `count` naras with a public address it has not met yet, none of them
   * again within the longest retry wait: a swarm without enough relays is not redialled
   * over and over. A nara keeps only a few connections of its choosing, so the relays
   * of a swarm are not usually among them.
   */
  private async seek (count: number): Promise<void> {
    const now = Date.now()
    for (const [peer, until] of this.sought) if (until <= now) this.sought.delete(peer)
    const chosen = (await this.opts.knownPublic()).filter(({ peer }) => !this.held.has(peer) && !this.sought.has(peer)).slice(0, count)
    for (const { peer } of chosen) this.sought.set(peer, now + this.opts.retry.maxMs)
    await Promise.all(chosen.map(async ({ peer, address }) => {
      await this.opts.dial(address).catch((err: Error) => { this.opts.onFailure?.(peer, new Error(`could not reach it: ${err.message}`)) })
    }))
  }

  private direct (): RelayCandidateConnection[] {
    return this.opts.connections().filter(c => c.limits === undefined && scopeOf(c.remoteAddr) === 'public')
  }

  /** A relay not held yet, not refused lately, that we dialled at its public address. */
  private async candidate (): Promise<{ peer: string, address: Multiaddr } | undefined> {
    for (const connection of this.direct()) {
      const peer = connection.remotePeer.toString()
      // an inbound connection's address is the peer's outgoing port, not where it listens
      if (connection.direction !== 'outbound' || this.held.has(peer) || (this.refused.get(peer)?.until ?? 0) > Date.now()) continue
      if (!(await this.opts.protocolsOf(peer)).includes(RELAY_V2_HOP_CODEC)) continue
      const relay = connection.remoteAddr.getComponents().some(c => c.name === 'p2p') ? connection.remoteAddr : connection.remoteAddr.encapsulate(`/p2p/${peer}`)
      return { peer, address: relay.encapsulate('/p2p-circuit') }
    }
    return undefined
  }
}
