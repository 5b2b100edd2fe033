import { peerIdOfKey } from '../transport/peer-ids.js'
import { relayOf, scopeOf } from '../transport/address-scope.js'
import type { TransportHost } from '../transport/host.js'
import type { NaraRuntime } from '../runtime/runtime.js'
import type { PeerLink } from './types.js'

/**
 * How this node reaches a nara now: `direct` when any connection to it is not relayed,
 * `relayed` (with the relay's name) when all are, `none` without a connection (it is
 * known from gossip and dialled when needed).
 */
export function linkTo (host: TransportHost, runtime: NaraRuntime, naraId: string): PeerLink {
  const known = runtime.keyring.get(naraId)
  if (known === undefined) return { connection: 'none' }
  const connections = host.connectionsTo(peerIdOfKey(known.publicKey))
  if (connections.length === 0) return { connection: 'none' }
  const relayed = connections.filter(c => c.limited || scopeOf(c.remoteAddr) === 'relayed')
  if (relayed.length < connections.length) return { connection: 'direct' }
  const relay = relayOf(relayed[0].remoteAddr)
  return relay === undefined ? { connection: 'relayed' } : { connection: 'relayed', relay: nameOfPeer(runtime, relay) ?? relay }
}

function nameOfPeer (runtime: NaraRuntime, peerId: string): string | undefined {
  for (const peer of runtime.onlinePeers()) {
    const known = runtime.keyring.get(peer.id)
    if (known !== undefined && peerIdOfKey(known.publicKey).toString() === peerId) return peer.name
  }
  return undefined
}
