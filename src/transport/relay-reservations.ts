import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { Multiaddr } from '@multiformats/multiaddr'
import { scopeOf } from './address-scope.js'

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
  /** after a relay refused (or its reservation failed), how long before it is asked again */
  retryAfterMs: number
  connections: () => RelayCandidateConnection[]
  /** the protocols a peer is known to speak (identify) */
  protocolsOf: (peer: string) => Promise<string[]>
  /** listens on a `/p2p-circuit` address through one relay: libp2p's relay transport reserves a slot there */
  listen: (address: Multiaddr) => Promise<void>
}

/**
 * The relays a private nara holds slots on, chosen by nara: peers it is connected to
 * directly, on a public address, that speak circuit relay v2's hop protocol. libp2p's
 * own relay discovery (a `/p2p-circuit` listen address) walks the DHT without pause
 * until it holds every slot it wants, which in a swarm with fewer relays than that
 * (one public nara, or one of two gone) spins a core for good; here a missing slot just
 * waits for the next relay to connect. A relay's connection closing frees its slot.
 */
export class RelayReservations {
  private readonly held = new Set<string>()
  private readonly refusedUntil = new Map<string, number>()
  private filling?: Promise<void>
  private again = false

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
      } while (this.again)
    })().finally(() => { this.filling = undefined })
    await this.filling
  }

  /** A connection closed: when it was the last direct one to a relay we hold a slot on, that slot is gone. */
  connectionClosed (peer: string): boolean {
    if (!this.held.has(peer) || this.direct().some(c => c.remotePeer.toString() === peer)) return false
    this.held.delete(peer)
    return true
  }

  private async reserve (peer: string, address: Multiaddr): Promise<void> {
    this.held.add(peer)
    try {
      await this.opts.listen(address)
    } catch {
      this.held.delete(peer)
      this.refusedUntil.set(peer, Date.now() + this.opts.retryAfterMs)
    }
  }

  private direct (): RelayCandidateConnection[] {
    return this.opts.connections().filter(c => c.limits === undefined && scopeOf(c.remoteAddr) === 'public')
  }

  /** A relay not held yet, not refused lately, that we dialled at its public address. */
  private async candidate (): Promise<{ peer: string, address: Multiaddr } | undefined> {
    for (const connection of this.direct()) {
      const peer = connection.remotePeer.toString()
      // an inbound connection's address is the peer's outgoing port, not where it listens
      if (connection.direction !== 'outbound' || this.held.has(peer) || (this.refusedUntil.get(peer) ?? 0) > Date.now()) continue
      if (!(await this.opts.protocolsOf(peer)).includes(RELAY_V2_HOP_CODEC)) continue
      const relay = connection.remoteAddr.getComponents().some(c => c.name === 'p2p') ? connection.remoteAddr : connection.remoteAddr.encapsulate(`/p2p/${peer}`)
      return { peer, address: relay.encapsulate('/p2p-circuit') }
    }
    return undefined
  }
}
