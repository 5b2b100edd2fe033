import type { Libp2pEvents, PeerDiscovery, PeerId, PeerInfo, TypedEventTarget } from '@libp2p/interface'

/**
 * The event nara's LAN discovery dispatches on libp2p's event bus for each peer it
 * finds. libp2p's own `peer:discovery` will not do: it fires for every peer first
 * written to the peer store, and presence writes the addresses of every nara it hears
 * announced (so do DHT answers). Dialling on it connected every nara to every other
 * one, twice over in places: 82-90 connections each in a swarm of 50.
 */
export const LAN_PEER_EVENT = 'nara:lan-peer'

/** What the wrapped discovery needs beyond its own components: libp2p's event bus. */
export interface LanDiscoveryComponents {
  readonly events: TypedEventTarget<Libp2pEvents>
}

/**
 * A peer discovery (mDNS) whose finds nara dials: each peer it emits is also
 * announced on the event bus as `LAN_PEER_EVENT`, which the transport host hands to
 * `onPeerDiscovered`.
 */
export function lanDiscovery<C> (discovery: (components: C) => PeerDiscovery): (components: C & LanDiscoveryComponents) => PeerDiscovery {
  return (components) => {
    const inner = discovery(components)
    inner.addEventListener('peer', (evt: CustomEvent<PeerInfo>) => {
      // not a libp2p event, so not in its event map: the bus carries any name
      const bus = components.events as unknown as EventTarget
      bus.dispatchEvent(new CustomEvent<PeerId>(LAN_PEER_EVENT, { detail: evt.detail.id }))
    })
    return inner
  }
}

/** Calls `listener` with each peer nara's LAN discovery finds; returns the unsubscribe. */
export function onLanPeer (events: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, listener: (peer: PeerId) => void): () => void {
  const handler = (event: Event): void => { listener((event as CustomEvent<PeerId>).detail) }
  events.addEventListener(LAN_PEER_EVENT, handler)
  return () => { events.removeEventListener(LAN_PEER_EVENT, handler) }
}
