import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { PING_STREAMS_PER_PEER } from '../transport/constants.js'
import { naraGossipsub } from '../transport/gossip-options.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/** The libp2p services a tab's nara runs: no DHT, no relay service, no NAT traversal. */
export type BrowserNaraServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
}

/**
 * The libp2p configuration of a nara in a browser tab, a weak peer that cannot
 * listen: it dials Node naras over WebSockets (or through a relay), speaks Noise +
 * Yamux, identify, ping and the same signed gossipsub as Node naras (on relayed
 * connections too). It runs no DHT: it finds naras through the one it joins.
 */
export function browserLibp2pOptions (privateKey: PrivateKey): Libp2pOptions<BrowserNaraServices> {
  return {
    privateKey,
    addresses: { listen: [] },
    transports: [webSockets(), circuitRelayTransport()],
    // libp2p refuses private addresses in a browser; a page from http://127.0.0.1 joins naras on loopback or the LAN
    connectionGater: { denyDialMultiaddr: () => false },
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: PING_STREAMS_PER_PEER, maxOutboundStreams: PING_STREAMS_PER_PEER }),
      pubsub: naraGossipsub()
    }
  }
}
