import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { mdns } from '@libp2p/mdns'
import { announceable } from './address-scope.js'
import { networkService, type NetworkService, type RelayMode } from './network-service.js'
import { keepAliveWithDeadline } from './keep-alive.js'
import type { UpnpFactory } from './upnp.js'
import {
  ADVERTISEMENT_CHECK_MS, ADVERTISEMENT_RENEW_BEFORE_MS, ADVERTISEMENT_VALIDITY_MS, DHT_ALPHA, DHT_DISJOINT_PATHS, DHT_INITIAL_SELF_QUERY_MS, KEEP_ALIVE_INTERVAL_MS, KEEP_ALIVE_TIMEOUT_MS, LOCAL_HOSTS, MAX_CONNECTIONS, MAX_EARLY_STREAMS, MAX_PENDING_INBOUND_CONNECTIONS,
  MDNS_INTERVAL_MS, MDNS_SERVICE_TAG, TCP_CONNECT_TIMEOUT_MS, NARA_KAD_PROTOCOL, OPEN_DIAL_ANSWER_MS, PING_STREAMS_PER_PEER, UPGRADE_TIMEOUT_MS
} from './constants.js'
import { naraGossipsub } from './gossip-options.js'
import { wholeWrites } from './whole-writes.js'
import { frameLengthsWithoutErrors } from './frame-lengths.js'
import { lanDiscovery } from './lan-discovery.js'
import { halfWindowUpdates } from './window-updates.js'
import { contactsOnceMet } from './kad-contacts.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/** The libp2p services a nara node runs (a type alias: libp2p's ServiceMap needs an index signature). */
export type NaraServices = {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  pubsub: GossipSub
  dht: KadDHT
  network: NetworkService
  autoNAT?: unknown
  dcutr?: unknown
  upnp?: unknown
}

export interface NaraLibp2pConfig {
  /** the nara identity key (Ed25519): it is also the libp2p node key, so PeerID and NaraID share it */
  privateKey: PrivateKey
  /** multiaddrs to listen on, e.g. '/ip4/127.0.0.1/tcp/0' or '/ip4/0.0.0.0/tcp/4002/ws' */
  listen: string[]
  /** addresses peers can reach this node at that it cannot see itself (a public IP, a DNS name) */
  announce?: string[]
  /** serve circuit relay v2: once AutoNAT says public ('auto'), always, or never @default 'auto' */
  relay?: RelayMode
  /** find naras on the LAN by multicast DNS @default on when listening beyond loopback */
  mdns?: boolean
  /** the UPnP port-mapping service, when asked for (see upnp.ts) */
  upnp?: UpnpFactory
  /** a certificate and key (PEM) for listening on secure WebSockets (`…/tls/ws`): a tab on an https page may only dial wss */
  webSocketsTls?: { cert: string, key: string }
}

/** net.connect's own `timeout` (libp2p's TCP transport passes its dial options on to net.connect; its type lists only a few). */
const CONNECT_WITHIN: TCPSocketOptions & { timeout: number } = { timeout: TCP_CONNECT_TIMEOUT_MS }

/** Whether every listen address is on loopback: a local swarm, which neither NAT nor a LAN concerns. */
export function listensOnLoopbackOnly (listen: readonly string[]): boolean {
  return listen.every(address => /^\/ip4\/127\.|^\/ip6\/::1\/|^\/dns[46]?\/localhost\//.test(address))
}

/**
 * The libp2p configuration of a nara node: TCP and WebSockets (and circuit relay v2
 * to reach naras behind NAT) + Noise + Yamux, identify, ping, signed gossipsub, a
 * private Kad-DHT in server mode that keeps loopback and private addresses (a local
 * swarm runs on 127.0.0.1), AutoNAT v2 and DCUtR beyond loopback, nara's network
 * service (reachability, relaying, reservations), and mDNS on a LAN.
 */
export function naraLibp2pOptions (opts: NaraLibp2pConfig): Libp2pOptions<NaraServices> {
  const local = listensOnLoopbackOnly(opts.listen)
  let network: NetworkService | undefined
  return {
    privateKey: opts.privateKey,
    addresses: {
      listen: opts.listen,
      appendAnnounce: opts.announce ?? [],
      announceFilter: (addresses) => announceable(addresses)
    },
    transports: [tcp({ dialOpts: CONNECT_WITHIN }), webSockets(opts.webSocketsTls !== undefined ? { https: opts.webSocketsTls } : {}), circuitRelayTransport()],
    // a relay's share per source IP is the network service's call
    connectionGater: { denyInboundRelayReservation: async (peer) => network?.denyReservation(peer) ?? false },
    ...((opts.mdns ?? !local) ? { peerDiscovery: [lanDiscovery(mdns({ serviceTag: MDNS_SERVICE_TAG, interval: MDNS_INTERVAL_MS }))] } : {}),
    connectionEncrypters: [frameLengthsWithoutErrors(wholeWrites(noise()))],
    // each end pings each connection with a yamux frame and aborts it unanswered: no ping streams
    streamMuxers: [keepAliveWithDeadline(halfWindowUpdates(yamux({ maxEarlyStreams: MAX_EARLY_STREAMS, enableKeepAlive: false })),
      { intervalMs: KEEP_ALIVE_INTERVAL_MS, timeoutMs: KEEP_ALIVE_TIMEOUT_MS })],
    connectionMonitor: { enabled: false },
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      maxIncomingPendingConnections: MAX_PENDING_INBOUND_CONNECTIONS,
      allow: LOCAL_HOSTS,
      // libp2p's limit per address, open and upgrade; callers' signals set shorter ones
      addressDialTimeout: UPGRADE_TIMEOUT_MS + OPEN_DIAL_ANSWER_MS,
      inboundUpgradeTimeout: UPGRADE_TIMEOUT_MS
    },
    services: {
      identify: identify(),
      // peers hear at once when this nara's protocols or addresses change: a relay that
      // starts serving once public, a relayed address once a reservation is made
      identifyPush: identifyPush(),
      // A nara on loopback alone has no address for AutoNAT to confirm nor a relayed
      // connection to upgrade: both would cost every process of a local swarm memory and timers for nothing.
      ...(local ? {} : { autoNAT: autoNATv2(), dcutr: dcutr() }),
      network: (components) => (network = networkService({ relay: opts.relay ?? 'auto', reserveWhenPrivate: !local })(components)),
      ...(opts.upnp !== undefined ? { upnp: opts.upnp } : {}),
      ping: ping({ maxInboundStreams: PING_STREAMS_PER_PEER, maxOutboundStreams: PING_STREAMS_PER_PEER }),
      pubsub: naraGossipsub(),
      dht: contactsOnceMet(kadDHT({
        protocol: NARA_KAD_PROTOCOL,
        clientMode: false,
        alpha: DHT_ALPHA,
        initialQuerySelfInterval: DHT_INITIAL_SELF_QUERY_MS,
        disjointPaths: DHT_DISJOINT_PATHS,
        // An isolated node should fail to find a peer at once, not wait for a first DHT peer until the call times out.
        allowQueryWithZeroPeers: true,
        peerInfoMapper: passthroughMapper,
        providers: { provideValidity: ADVERTISEMENT_VALIDITY_MS / 1_000 },
        reprovide: { validity: ADVERTISEMENT_VALIDITY_MS, threshold: ADVERTISEMENT_RENEW_BEFORE_MS, interval: ADVERTISEMENT_CHECK_MS }
      }))
    }
  }
}
