import { circuitRelayServer, type CircuitRelayServerComponents, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { start, stop, type Connection, type Libp2pEvents, type PeerId, type Startable, type TypedEventTarget } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { scopeOf } from './address-scope.js'
import { DirectUpgrades, type DirectUpgradeOutcome } from './direct-upgrades.js'
import { ReachabilityTracker, type ReachabilityStatus } from './reachability.js'
import { DIRECT_UPGRADE_WINDOW_MS, REACHABILITY_VERDICT_MS, RELAY_LIMITS, RELAY_RESERVATIONS } from './constants.js'
import type { TransportManager } from '@libp2p/interface-internal'

/** Whether a nara relays for others: always, never, or once AutoNAT says it is public. */
export type RelayMode = 'auto' | 'on' | 'off'
export const RELAY_MODES: readonly RelayMode[] = ['auto', 'on', 'off']

export interface NetworkServiceInit {
  relay: RelayMode
  /** reserve relay slots once private (off for a nara that only ever listens on loopback) */
  reserveWhenPrivate: boolean
}

export type NetworkServiceComponents = CircuitRelayServerComponents & {
  transportManager: Pick<TransportManager, 'listen'>
  events: TypedEventTarget<Libp2pEvents>
}

/** What the network service tells the rest of nara. */
export interface NetworkStatus extends ReachabilityStatus {
  /** whether this nara serves circuit relay v2 now */
  relaying: boolean
  /** relay reservations this nara holds for others */
  reservationsServed: number
}

/**
 * How a nara lives on a real network, as a libp2p service: it follows AutoNAT's
 * verdict (reachability.ts); once public it serves circuit relay v2 (with `relay:
 * 'auto'`) within nara's limits and a per-source-IP share; once private it reserves
 * slots on relays (libp2p's relay transport finds them, and finds another when one
 * goes); and it counts what DCUtR makes of relayed peers.
 */
export class NetworkService implements Startable {
  private readonly tracker: ReachabilityTracker
  private readonly upgrades: DirectUpgrades
  private relayServer?: CircuitRelayService & Partial<Startable>
  private reserving = false
  private started = false
  private readonly statusListeners = new Set<(status: NetworkStatus) => void>()
  private readonly outcomeListeners = new Set<(outcome: DirectUpgradeOutcome) => void>()

  constructor (private readonly components: NetworkServiceComponents, private readonly init: NetworkServiceInit) {
    this.tracker = new ReachabilityTracker({
      addresses: () => components.addressManager.getAddressesWithMetadata(),
      verdictMs: REACHABILITY_VERDICT_MS,
      onChange: () => { void this.follow() }
    })
    this.upgrades = new DirectUpgrades({
      windowMs: DIRECT_UPGRADE_WINDOW_MS,
      hasDirect: (peer) => components.connectionManager.getConnections().some(c => c.remotePeer.toString() === peer && c.limits === undefined),
      onOutcome: (outcome) => { for (const listener of this.outcomeListeners) listener(outcome) }
    })
  }

  readonly [Symbol.toStringTag] = 'nara:network'

  async start (): Promise<void> {
    this.started = true
    this.components.events.addEventListener('connection:open', this.onConnection)
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
    if (this.init.relay === 'on') await this.serveRelay()
  }

  async stop (): Promise<void> {
    this.started = false
    this.components.events.removeEventListener('connection:open', this.onConnection)
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.tracker.stop()
    this.upgrades.stop()
    if (this.relayServer !== undefined) await stop(this.relayServer)
  }

  status (): NetworkStatus {
    return { ...this.tracker.status(), relaying: this.relayServer !== undefined, reservationsServed: this.relayServer?.reservations.size ?? 0 }
  }

  onStatus (listener: (status: NetworkStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => { this.statusListeners.delete(listener) }
  }

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

  /** Acts on a new verdict: relay for others once public, reserve on relays once private. */
  private async follow (): Promise<void> {
    const { reachability } = this.tracker.status()
    if (reachability === 'public' && this.init.relay === 'auto') await this.serveRelay()
    if (reachability === 'private' && this.init.reserveWhenPrivate) await this.reserveRelays()
    const status = this.status()
    for (const listener of this.statusListeners) listener(status)
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

  /** Each `/p2p-circuit` listen address is one reservation on a relay libp2p finds (and replaces). */
  private async reserveRelays (): Promise<void> {
    if (this.reserving || !this.started) return
    this.reserving = true
    await this.components.transportManager.listen(Array.from({ length: RELAY_RESERVATIONS }, () => multiaddr('/p2p-circuit')))
  }
}

/** The IP of a multiaddr string such as /ip4/1.2.3.4/tcp/5 or /ip6/::1/tcp/5. */
function ipOf (address: string | undefined): string | undefined {
  return address?.match(/^\/ip[46]\/([^/]+)/)?.[1]
}

/** The libp2p service factory: `services: { network: networkService({ relay: 'auto', … }) }`. */
export function networkService (init: NetworkServiceInit): (components: NetworkServiceComponents) => NetworkService {
  return (components) => new NetworkService(components, init)
}
