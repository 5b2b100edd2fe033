import { isLoopback, isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * How far an address reaches:
 * - `loopback`: this machine only (127.0.0.0/8, ::1, localhost)
 * - `private`: a LAN (RFC 1918, CGNAT, link-local, unique local: libp2p's private ranges)
 * - `public`: the internet, or a DNS name (an operator's `--announce /dns4/…`)
 * - `relayed`: a `/p2p-circuit` address through a relay, usable from wherever the relay is
 */
export type AddressScope = 'loopback' | 'private' | 'public' | 'relayed'

export function scopeOf (ma: Multiaddr): AddressScope {
  if (ma.getComponents().some(c => c.name === 'p2p-circuit')) return 'relayed'
  if (isLoopback(ma)) return 'loopback'
  if (isPrivate(ma)) return 'private'
  return 'public'
}

/** The relay's PeerID in a relayed address: the `/p2p` part before `/p2p-circuit`. */
export function relayOf (ma: Multiaddr): string | undefined {
  const components = ma.getComponents()
  const circuit = components.findIndex(c => c.name === 'p2p-circuit')
  const relay = components[circuit - 1]
  return circuit > 0 && relay.name === 'p2p' ? relay.value : undefined
}

/** Which scopes of our addresses a peer that we reach at `remote` can use. */
export function usableScopes (remote: Multiaddr): ReadonlySet<AddressScope> {
  switch (scopeOf(remote)) {
    case 'loopback': return new Set(['loopback', 'private', 'public', 'relayed'])
    case 'private': return new Set(['private', 'public', 'relayed'])
    // a peer reached through a relay or from the internet can use neither our LAN nor our loopback
    default: return new Set(['public', 'relayed'])
  }
}

/** The addresses a peer that we reach at `remote` can dial. */
export function addressesFor (remote: Multiaddr, addresses: readonly Multiaddr[]): Multiaddr[] {
  const usable = usableScopes(remote)
  return addresses.filter(ma => usable.has(scopeOf(ma)))
}

/**
 * What a nara tells everyone at once (identify, the DHT, signed presence): a loopback
 * address helps only a peer on this machine, and that peer can dial any other address
 * of ours as well, so loopback addresses go out only when they are all we have (a
 * local swarm on 127.0.0.1).
 */
export function announceable (addresses: readonly Multiaddr[]): Multiaddr[] {
  const beyondLoopback = addresses.filter(ma => scopeOf(ma) !== 'loopback')
  return beyondLoopback.length > 0 ? beyondLoopback : [...addresses]
}
