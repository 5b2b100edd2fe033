import { RELAY_V2_HOP_CODEC, circuitRelayServer, type CircuitRelayServerComponents, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { start, stop, type Connection, type Libp2pEvents, type Logger, type PeerId, type Startable, type TypedEventTarget } from '@libp2p/interface'
import { scopeOf } from './address-scope.js'
import { DirectUpgrades, type DirectUpgradeOutcome } from './direct-upgrades.js'
import { ReachabilityTracker, type ReachabilityStatus } from './reachability.js'
import { RelayReservations } from './relay-reservations.js'
import { DIRECT_UPGRADE_WINDOW_MS, REACHABILITY_VERDICT_MS, RELAY_DIAL_MS, RELAY_LIMITS, RELAY_RESERVATIONS, RELAY_RETRY } from './constants.js'
import type { TransportManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Whether a nara relays for others: always, never, or once AutoNAT says it is public. */
export type RelayMode = 'auto' | 'on' | 'off'
export const RELAY_MODES: readonly RelayMode[] = ['auto', 'on', 'off']

export interface NetworkServiceInit {
  relay: RelayMode
  /** reserve relay slots once private (off for a nara that only ever listens on loopback) */
  reserveWhenPrivate: boolean
}

export type NetworkServiceComponents = CircuitRelayServerComponents & {
  transportManager: Pick<TransportManager, 'listen' | 'getAddrs'>
  events: TypedEventTarget<Libp2pEvents>
}

/** What the network service tells the rest of nara. */
export interface NetworkStatus extends ReachabilityStatus {
  /** whether this nara serves circuit relay v2 now */
  relaying: boolean
  /** relay reservations this nara holds for others */
  reservationsServed: number
  /** the PeerIDs of the relays this nara holds a slot on */
  relays: string[]
}

/**
 * How a nara lives on a real network, as a libp2p service: it follows AutoNAT's
 * verdict (reachability.ts); once public it serves circuit relay v2 (with `relay:
 * 'auto'`) within nara's limits and a per-source-IP share; once private it holds
 * slots on relays it is connected to, and takes another when one goes
 * (relay-reservations.ts); and it counts what DCUtR makes of relayed peers.
 */
export class NetworkService implements Startable {
  private readonly tracker: ReachabilityTracker
  private readonly upgrades: DirectUpgrades
  private readonly reservations: RelayReservations
  private relayServer?: CircuitRelayService & Partial<Startable>
  private started = false
  private readonly outcomeListeners = new Set<(outcome: DirectUpgradeOutcome) => void>()
  private readonly log: Logger

  constructor (private readonly components: NetworkServiceComponents, private readonly init: NetworkServiceInit) {
    this.log = components.logger.forComponent('nara:network')
    this.tracker = new ReachabilityTracker({
      addresses: () => components.addressManager.getAddressesWithMetadata(),
      verdictMs: REACHABILITY_VERDICT_MS,
      onChange: () => { this.background(this.follow()) }
    })
    this.upgrades = new DirectUpgrades({
      windowMs: DIRECT_UPGRADE_WINDOW_MS,
      hasDirect: (peer) => components.connectionManager.getConnections().some(c => c.remotePeer.toString() === peer && c.limits === undefined),
      onOutcome: (outcome) => { for (const listener of this.outcomeListeners) listener(outcome) }
    })
    this.reservations = new RelayReservations({
      wanted: RELAY_RESERVATIONS,
      retry: RELAY_RETRY,
      connections: () => components.connectionManager.getConnections(),
      protocolsOf: async (peer) => {
        const connection = components.connectionManager.getConnections().find(c => c.remotePeer.toString() === peer)
        if (connection === undefined) return []
        try {
          return (await components.peerStore.get(connection.remotePeer)).protocols
        } catch {
          return [] // not identified yet: its protocols come with peer:identify
        }
      },
      knownPublic: async () => await publicNarasNotMet(components),
      dial: async (address) => { await components.connectionManager.openConnection(address, { signal: AbortSignal.timeout(RELAY_DIAL_MS) }) },
      listen: async (address) => { await components.transportManager.listen([address]) },
      retryDue: () => { this.background(this.reserveRelays()) },
      onFailure: (peer, err) => { this.log('could not reserve a slot on relay %s: %s', peer, err.message) }
    })
  }

  readonly [Symbol.toStringTag] = 'nara:network'

  async start (): Promise<void> {
    this.started = true
    this.components.events.addEventListener('connection:open', this.onConnection)
    this.components.events.addEventListener('connection:close', this.onConnectionClosed)
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
    this.components.events.addEventListener('transport:listening', this.onListening)
    // a peer's protocols became known (identify) or changed (identify push): it may be a relay
    this.components.events.addEventListener('peer:identify', this.onPeerProtocols)
    this.components.events.addEventListener('peer:update', this.onPeerProtocols)
    if (this.init.relay === 'on') await this.serveRelay()
  }

  async stop (): Promise<void> {
    this.started = false
    this.components.events.removeEventListener('connection:open', this.onConnection)
    this.components.events.removeEventListener('connection:close', this.onConnectionClosed)
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.components.events.removeEventListener('transport:listening', this.onListening)
    this.components.events.removeEventListener('peer:identify', this.onPeerProtocols)
    this.components.events.removeEventListener('peer:update', this.onPeerProtocols)
    this.tracker.stop()
    this.upgrades.stop()
    this.reservations.stop()
    if (this.relayServer !== undefined) await stop(this.relayServer)
  }

  /** Reachability, confirmed addresses, whether this nara relays and on which relays it holds slots. */
  status (): NetworkStatus {
    return {
      ...this.tracker.status(),
      relaying: this.relayServer !== undefined,
      reservationsServed: this.relayServer?.reservations.size ?? 0,
      relays: this.reservations.relays()
    }
  }

  /** Calls `listener` with the outcome for each peer first reached through a relay; returns the unsubscribe function. */
  onDirectUpgrade (listener: (outcome: DirectUpgradeOutcome) => void): () => void {
    this.outcomeListeners.add(listener)
    return () => { this.outcomeListeners.delete(listener) }
  }

  /**
   * The connection gater's say on a relay reservation: a source IP already holding its
   * share is refused (a refresh of a reservation it holds is not a new one).
   */
  denyReservation (peer: PeerId): boolean {
    const reservations = this.relayServer?.reservations
    if (reservations === undefined || reservations.has(peer)) return false
    const ip = ipOf(this.components.connectionManager.getConnections(peer)[0]?.remoteAddr.toString())
    if (ip === undefined) return false
    let fromIp = 0
    for (const reservation of reservations.values()) if (ipOf(reservation.addr.toString()) === ip) fromIp++
    return fromIp >= RELAY_LIMITS.maxReservationsPerIp
  }

  private readonly onConnection = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    const peer = connection.remotePeer.toString()
    if (connection.limits !== undefined || scopeOf(connection.remoteAddr) === 'relayed') this.upgrades.relayedOpened(peer)
    else this.upgrades.directOpened(peer)
    this.tracker.connectionOpened(connection.remoteAddr)
  }

  private readonly onSelfUpdate = (): void => {
    this.tracker.update()
  }

  private readonly onConnectionClosed = (event: CustomEvent<Connection>): void => {
    if (this.reservations.connectionClosed(event.detail.remotePeer.toString())) this.background(this.reserveRelays())
  }

  /** A listener's addresses changed: libp2p's relay transport withdraws a relayed address when it drops that slot. */
  private readonly onListening = (): void => {
    if (this.reservations.addressesChanged(this.components.transportManager.getAddrs())) this.background(this.reserveRelays())
  }

  private readonly onPeerProtocols = (): void => {
    this.background(this.reserveRelays())
  }

  /** Work an event started: a failure is logged, never an unhandled rejection that ends the process. */
  private background (work: Promise<void>): void {
    work.catch((err: Error) => { this.log.error('network service: %s', err.message) })
  }

  /** Acts on a new verdict: relay for others once public, reserve on relays once private. */
  private async follow (): Promise<void> {
    const { reachability } = this.tracker.status()
    if (reachability === 'public' && this.init.relay === 'auto') await this.serveRelay()
    if (reachability === 'private') await this.reserveRelays()
  }

  private async serveRelay (): Promise<void> {
    if (this.relayServer !== undefined || !this.started) return
    this.relayServer = circuitRelayServer({
      reservations: {
        maxReservations: RELAY_LIMITS.maxReservations,
        reservationTtl: RELAY_LIMITS.reservationTtlMs,
        defaultDurationLimit: RELAY_LIMITS.durationMs,
        defaultDataLimit: RELAY_LIMITS.dataBytes
      }
    })(this.components) as CircuitRelayService & Partial<Startable>
    await start(this.relayServer)
  }

  /** A private nara keeps slots on RELAY_RESERVATIONS relays (relay-reservations.ts chooses them). */
  private async reserveRelays (): Promise<void> {
    if (!this.started || !this.init.reserveWhenPrivate || this.tracker.status().reachability !== 'private') return
    await this.reservations.fill()
  }
}

/**
 * Naras in the peer store with a public address and no direct connection from this one,
 * leaving out those identify showed do not relay: each with its first such address.
 */
async function publicNarasNotMet (components: Pick<NetworkServiceComponents, 'peerStore' | 'connectionManager' | 'peerId'>): Promise<Array<{ peer: string, address: Multiaddr }>> {
  const met = new Set(components.connectionManager.getConnections().filter(c => c.limits === undefined).map(c => c.remotePeer.toString()))
  const found: Array<{ peer: string, address: Multiaddr }> = []
  for (const peer of await components.peerStore.all()) {
    const id = peer.id.toString()
    if (met.has(id) || peer.id.equals(components.peerId)) continue
    if (peer.protocols.length > 0 && !peer.protocols.includes(RELAY_V2_HOP_CODEC)) continue
    const address = peer.addresses.map(a => a.multiaddr).find(ma => scopeOf(ma) === 'public')
    if (address !== undefined) found.push({ peer: id, address: address.encapsulate(`/p2p/${id}`) })
  }
  return found
}

/** The IP of a multiaddr string such as /ip4/1.2.3.4/tcp/5 or /ip6/::1/tcp/5. */
function ipOf (address: string | undefined): string | undefined {
  return address?.match(/^\/ip[46]\/([^/]+)/)?.[1]
}

/** The libp2p service factory: `services: { network: networkService({ relay: 'auto', … }) }`. */
export function networkService (init: NetworkServiceInit): (components: NetworkServiceComponents) => NetworkService {
  return (components) => new NetworkService(components, init)
}
