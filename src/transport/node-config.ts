import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, StrictSign, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { MAX_EARLY_STREAMS, MAX_GOSSIP_RPC_BYTES, NARA_KAD_PROTOCOL } from './constants.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/** The libp2p services a nara node runs (a type alias: libp2p's ServiceMap needs an index signature). */
export type NaraServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  dht: KadDHT
}

export interface NaraLibp2pConfig {
  /** the nara identity key (Ed25519): it is also the libp2p node key, so PeerID and NaraID share it */
  privateKey: PrivateKey
  /** multiaddrs to listen on, e.g. '/ip4/127.0.0.1/tcp/0' */
  listen: string[]
  /** multiaddrs (with /p2p/<id>) of peers to join through; empty for the first node */
  bootstrap: string[]
}

/**
 * The libp2p configuration of a nara node: TCP + Noise + Yamux, identify, ping,
 * signed gossipsub and a private Kad-DHT in server mode that keeps loopback and
 * private addresses (a local swarm runs on 127.0.0.1).
 */
export function naraLibp2pOptions (opts: NaraLibp2pConfig): Libp2pOptions<NaraServices> {
  return {
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ maxEarlyStreams: MAX_EARLY_STREAMS })],
    peerDiscovery: opts.bootstrap.length > 0 ? [bootstrap({ list: opts.bootstrap, timeout: 100 })] : [],
    connectionManager: {
      maxConnections: 100,
      // A local swarm's peers all dial from 127.0.0.1; libp2p's default (5/s per host) would refuse them.
      inboundConnectionThreshold: 100,
      dialTimeout: 5_000
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictSign,
        emitSelf: false,
        // the transport holds and republishes broadcasts nobody listens to yet
        allowPublishToZeroTopicPeers: true,
        fallbackToFloodsub: false,
        maxInboundDataLength: MAX_GOSSIP_RPC_BYTES
      }),
      dht: kadDHT({
        protocol: NARA_KAD_PROTOCOL,
        clientMode: false,
        // An isolated node should fail to find a peer at once, not wait for a first DHT peer until the call times out.
        allowQueryWithZeroPeers: true,
        peerInfoMapper: passthroughMapper
      })
    }
  }
}
