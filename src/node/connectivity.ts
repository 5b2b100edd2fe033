import { Bootstrapper } from '../transport/bootstrapper.js'
import { ConnectionKeeper } from '../transport/connection-keeper.js'
import { Reconnector } from '../transport/reconnector.js'
import { peerIdOfKey } from '../transport/peer-ids.js'
import type { TransportHost } from '../transport/host.js'
import type { Message } from '../runtime/message.js'
import type { NaraRuntime } from '../runtime/runtime.js'
import type { NaraID } from '../identity/nara-id.js'
import type { PeerId } from '@libp2p/interface'

/** How long a dial to a peer found on the LAN may take. */
const DISCOVERED_DIAL_MS = 10_000

/** A nara whose connection to a peer closed this recently keeps trying it when the peer is called gone. */
const LOST_RECENTLY_MS = 60_000
/** Peers whose connection closed, remembered for LOST_RECENTLY_MS (bounded). */
const MAX_LOST_REMEMBERED = 256

/** How long a join's neighbour lookup may take. */
const NEIGHBOUR_LOOKUP_MS = 10_000
/**
 * How long after joining a nara waits to hear of peers (a welcome, gossip) before it
 * asks the DHT. In a burst of 50 joins on 2 cores the welcome came 2-5 s after the
 * join; at 3 s, 20 of 49 newcomers walked the DHT anyway (142 extra connections, each
 * one more gossipsub peer for the rest of the run). A nara nobody welcomes still hears
 * heartbeats once its gossip mesh forms; the walk is the last resort.
 */
const NEIGHBOUR_GRACE_MS = 10_000

/**
 * How a nara stays in its swarm: it joins through its bootstrap peers (retrying
 * until it has), asks peer routing for its neighbours as soon as it is in, and
 * keeps a few connections to naras it knows online. It never dials every nara.
 */
export class Connectivity {
  private readonly keeper: ConnectionKeeper
  private readonly bootstrapper: Bootstrapper
  private readonly reconnector: Reconnector
  private unsubscribe: Array<() => void> = []
  private lookup?: AbortController
  private grace?: ReturnType<typeof setTimeout>
  /** when this nara's last connection to each peer closed (PeerId text), oldest first */
  private readonly lostAt = new Map<string, number>()

  constructor (private readonly host: TransportHost, private readonly runtime: NaraRuntime, bootstrap: readonly string[]) {
    this.keeper = new ConnectionKeeper({
      connected: () => host.connectedPeers(),
      candidates: () => runtime.onlinePeers().flatMap(p => {
        const known = runtime.keyring.get(p.id)
        return known === undefined ? [] : [peerIdOfKey(known.publicKey)]
      }),
      connect: async (peer, options) => { await host.connect(peer, options) },
      log: host.logger.forComponent('nara:connection-keeper')
    })
    this.bootstrapper = new Bootstrapper({
      list: bootstrap,
      dial: async (address, options) => { await host.connect(address, options) },
      connectedPeers: () => host.connectedPeers().length,
      joined: () => { this.afterJoining() },
      log: runtime.log('bootstrap')
    })
    this.reconnector = new Reconnector({
      connect: async (peer, options) => { await host.connect(peer, options) },
      log: host.logger.forComponent('nara:reconnector')
    })
  }

  start (): void {
    this.keeper.start()
    this.bootstrapper.start()
    this.reconnector.start()
    this.unsubscribe = [
      // a nara found on the LAN (mDNS) is dialled at once: that is how a LAN with no --bootstrap forms
      this.host.onPeerDiscovered((peer) => { void this.meet(peer) }),
      this.host.onDisconnect(() => {
        this.bootstrapper.connectionClosed()
        void this.keeper.topUp()
      }),
      this.host.onPeerDisconnect((peer) => { this.lost(peer.toString()) }),
      // a nara that has just heard of peers connects to some at once, not at the next tick:
      // a swarm first formed as a star around its bootstrap node becomes a mesh
      this.runtime.on('presence:peer-online', (msg) => {
        this.withPeerId(msg, peer => { this.reconnector.peerFound(peer) })
        void this.keeper.topUp()
      }),
      // a peer that fell silent may be behind a partition that heals later: keep trying it. One called
      // gone is tried by the naras that were connected to it only: a whole swarm redialling a crashed
      // nara (or a restarted one, all at once) would cost more than the link is worth
      this.runtime.on('presence:peer-offline', (msg) => {
        const { reason } = msg.payload as { reason: string }
        this.withPeerId(msg, peer => {
          const keepTrying = reason === 'silent' || (reason === 'gone' && this.lostRecently(peer.toString()))
          keepTrying ? this.reconnector.peerLost(peer) : this.reconnector.peerFound(peer)
        })
      })
    ]
  }

  stop (): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe()
    clearTimeout(this.grace)
    this.lookup?.abort()
    this.bootstrapper.stop()
    this.keeper.stop()
    this.reconnector.stop()
  }

  private lost (peer: string): void {
    this.lostAt.delete(peer)
    this.lostAt.set(peer, Date.now())
    if (this.lostAt.size > MAX_LOST_REMEMBERED) this.lostAt.delete(this.lostAt.keys().next().value as string)
  }

  private lostRecently (peer: string): boolean {
    const at = this.lostAt.get(peer)
    return at !== undefined && Date.now() - at < LOST_RECENTLY_MS
  }

  private async meet (peer: PeerId): Promise<void> {
    if (this.host.connectedPeers().some(p => p.equals(peer))) return
    try {
      await this.host.connect(peer, { signal: AbortSignal.timeout(DISCOVERED_DIAL_MS) })
    } catch {
      // gone again, or not a nara we can reach: discovery will tell us when it is back
    }
  }

  /** Calls `use` with the PeerId of the nara a presence event is about, when its key is known. */
  private withPeerId (msg: Message, use: (peer: PeerId) => void): void {
    const { id } = msg.payload as { id: NaraID }
    const known = this.runtime.keyring.get(id)
    if (known !== undefined) use(peerIdOfKey(known.publicKey))
  }

  /**
   * A newcomer usually learns the swarm from its welcome (peers with their addresses)
   * and connects to some of them. If nothing has come soon after joining, its only
   * peer may be a busy bootstrap node whose gossip mesh is full: ask the DHT who is
   * near us, and connect to them.
   */
  private afterJoining (): void {
    clearTimeout(this.grace)
    this.grace = setTimeout(() => {
      if (this.runtime.onlinePeers().length === 0) void this.meetNeighbours()
      else void this.keeper.topUp()
    }, NEIGHBOUR_GRACE_MS)
    this.grace.unref?.()
  }

  private async meetNeighbours (): Promise<void> {
    this.lookup?.abort()
    const lookup = this.lookup = new AbortController()
    try {
      const neighbours = await this.host.neighbours({ signal: AbortSignal.any([lookup.signal, AbortSignal.timeout(NEIGHBOUR_LOOKUP_MS)]) })
      if (!lookup.signal.aborted) await this.keeper.suggest(neighbours)
    } catch {
      // no routing, or nobody answered: presence and the keeper carry on without it
    }
  }
}
