import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import type { PeerInfo } from '@libp2p/interface'
import { warnPatchOff } from './patch-off.js'

/** The hook every would-be routing-table contact passes through (public on the class, absent from the interface). */
interface ContactHook {
  onPeerConnect(peer: PeerInfo): Promise<void>
}

/**
 * Makes the Kad-DHT take into its routing table only peers this node is connected to
 * (they connected, or answered one of its queries), as go-libp2p-kad-dht does.
 *
 * js-libp2p's kad-dht treats every peer named in a query answer ("closer peers",
 * "providers") as a new contact and pings it before adding it, and that ping dials.
 * One lookup in a swarm of 50 names most of the swarm: a 50-nara start made 914 such
 * dials, each with its Noise handshake, identify, gossip subscriptions and pings,
 * where nara's own keeper wants about 4 connections per nara. Lookups still dial the
 * peers they query, and those join the routing table when they answer.
 *
 * A kad-dht without the hook runs unpatched, with one warning.
 */
export function contactsOnceMet (dht: (components: KadDHTComponents) => KadDHT): (components: KadDHTComponents) => KadDHT {
  return (components) => {
    const instance = dht(components)
    const hook = instance as unknown as ContactHook
    if (typeof hook.onPeerConnect !== 'function') {
      warnPatchOff('contactsOnceMet', 'this @libp2p/kad-dht has no onPeerConnect to hook')
      return instance
    }
    const onPeerConnect = hook.onPeerConnect.bind(instance)
    hook.onPeerConnect = async (peer) => {
      if (components.connectionManager.getConnections(peer.id).length > 0) await onPeerConnect(peer)
    }
    return instance
  }
}
