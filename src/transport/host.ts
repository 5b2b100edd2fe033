import type { GossipSub } from '@libp2p/gossipsub'
import type { AbortOptions, ComponentLogger, ContentRouting, Libp2p, Libp2pEvents, PeerId, PeerRouting, PeerStore, Stream, StreamHandler, StreamHandlerOptions, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KadDHT } from '@libp2p/kad-dht'
import { onLanPeer } from './lan-discovery.js'

export interface ConnectOptions extends AbortOptions {
  /** Called once the connection is open, before its handshake (encryption, muxer) begins. */
  onOpen?(): void
}

/** A live connection as the transport sees it. */
export interface ConnectionInfo {
  readonly remoteAddr: Multiaddr
  /** a relayed connection, within the relay's limits */
  readonly limited: boolean
}

/** Options of a new stream: a signal, and whether it may run over a relayed (limited) connection. */
export interface StreamOptions extends AbortOptions {
  runOnLimitedConnection?: boolean
}

/** libp2p dial options: a signal, and progress events by name. */
type DialOptions = AbortOptions & { onProgress?(event: { type: string }): void }

/** libp2p's progress event for a dial whose connection is open and about to be encrypted. */
const OPENED = 'upgrader:encrypt-outbound-connection'

/** libp2p dial options that call `onOpen` when the connection has opened. */
function dialOptions ({ onOpen, ...options }: ConnectOptions = {}): DialOptions {
  return onOpen === undefined ? options : { ...options, onProgress: (event) => { if (event.type === OPENED) onOpen() } }
}

/** The part of gossipsub the transport uses. */
export type NaraPubSub = Pick<GossipSub,
'publish' | 'subscribe' | 'unsubscribe' | 'getSubscribers' | 'topicValidators' | 'addEventListener' | 'removeEventListener'>

/**
 * What the transport needs from libp2p. Narrow on purpose so that both a full
 * libp2p node (`hostFromLibp2p`) and the components a libp2p service receives
 * (`hostFromComponents`) can back it.
 */
export interface TransportHost {
  readonly peerId: PeerId
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
  /** Opens a stream, dialing (through the peer store or peer routing) when not connected. */
  dialProtocol(peer: PeerId, protocols: string[], options?: StreamOptions): Promise<Stream>
  /** Opens a connection to a peer (through the peer store or peer routing) or to an address. */
  connect(peer: PeerId | Multiaddr, options?: ConnectOptions): Promise<void>
  /** The peers this node has a connection to. */
  connectedPeers(): PeerId[]
  /** The remote address of a live connection to `peer`, if any. */
  remoteAddressOf(peer: PeerId): Multiaddr | undefined
  /** Every live connection to `peer`: where it goes, and whether a relay limits it. */
  connectionsTo(peer: PeerId): ConnectionInfo[]
  /** Calls `listener` whenever a connection closes; returns the unsubscribe function. */
  onDisconnect(listener: () => void): () => void
  /** Calls `listener` with a peer when this node's last connection to it closes; returns the unsubscribe function. */
  onPeerDisconnect(listener: (peer: PeerId) => void): () => void
  /** Calls `listener` with each peer nara's LAN discovery (mDNS, see lan-discovery.ts) finds, not with every peer the peer store learns; returns the unsubscribe function. */
  onPeerDiscovered(listener: (peer: PeerId) => void): () => void
  /** Where this node listens. */
  addresses(): Multiaddr[]
  /** Records addresses for a peer in the peer store (dialing it then needs no lookup). */
  rememberAddresses(peer: PeerId, addresses: Multiaddr[]): Promise<void>
  /** Peers close to this node in peer routing (the DHT), with their addresses recorded; [] without routing. */
  neighbours(options?: AbortOptions): Promise<PeerId[]>
  /**
   * Asks peer routing (the DHT) for a peer's current addresses, skipping the
   * local cache, and records them. Used when dialing known addresses failed:
   * a nara restarted elsewhere keeps its PeerId but not its addresses.
   */
  refreshAddresses?(peer: PeerId, options?: AbortOptions): Promise<void>
  /** Provider records (the DHT): how a node makes itself findable under a key; absent without content routing. */
  readonly providing?: Providing
  readonly pubsub: NaraPubSub
  readonly logger: ComponentLogger
}

/** The part of libp2p's content routing used to advertise and find advertisers. */
export type Providing = Pick<ContentRouting, 'provide' | 'cancelReprovide' | 'findProviders'>

/** The parts of a libp2p node a host is made of. */
export type Libp2pLike = Pick<Libp2p, 'peerId' | 'handle' | 'unhandle' | 'dialProtocol' | 'dial' | 'getPeers' | 'getConnections' | 'getMultiaddrs' | 'peerRouting' | 'contentRouting' | 'peerStore' | 'logger' | 'addEventListener' | 'removeEventListener'> & {
  readonly services: { readonly pubsub: NaraPubSub, readonly dht?: DhtLike }
}

/** The part of Kad-DHT used to refresh a peer's addresses. */
export type DhtLike = Pick<KadDHT, 'findPeer'>

/** A host backed by a whole libp2p node (with a `pubsub` gossipsub service). */
export function hostFromLibp2p (node: Libp2pLike): TransportHost {
  return {
    peerId: node.peerId,
    handle: async (protocol, handler, options) => { await node.handle(protocol, handler, options) },
    unhandle: async (protocol) => { await node.unhandle(protocol) },
    dialProtocol: async (peer, protocols, options) => await node.dialProtocol(peer, protocols, options),
    connect: async (peer, options) => { await node.dial(peer, dialOptions(options)) },
    connectedPeers: () => node.getPeers(),
    remoteAddressOf: (peer) => node.getConnections(peer)[0]?.remoteAddr,
    connectionsTo: (peer) => node.getConnections(peer).map(infoOf),
    addresses: () => node.getMultiaddrs(),
    rememberAddresses: async (peer, multiaddrs) => { await node.peerStore.merge(peer, { multiaddrs }) },
    onDisconnect: (listener) => {
      node.addEventListener('connection:close', listener)
      return () => { node.removeEventListener('connection:close', listener) }
    },
    onPeerDisconnect: (listener) => onPeerDisconnect(node, listener),
    onPeerDiscovered: (listener) => onLanPeer(node, listener),
    neighbours: async (options) => await closestPeers(node.peerRouting, node.peerId, options),
    refreshAddresses: async (peer, options) => {
      const dht = node.services.dht
      if (dht !== undefined) await askDht(dht, node.peerStore, peer, options)
      else await askPeerRouting(node.peerRouting, peer, options)
    },
    providing: node.contentRouting,
    pubsub: node.services.pubsub,
    logger: node.logger
  }
}

/** The libp2p components a service factory receives, as far as the transport needs them. */
export interface HostComponents {
  readonly peerId: PeerId
  readonly registrar: {
    handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
    unhandle(protocol: string, options?: AbortOptions): Promise<void>
  }
  readonly connectionManager: {
    openStream(peer: PeerId, protocol: string | string[], options?: StreamOptions): Promise<Stream>
    openConnection(peer: PeerId | Multiaddr, options?: DialOptions): Promise<unknown>
    getConnections(peer?: PeerId): Array<{ readonly remotePeer: PeerId, readonly remoteAddr: Multiaddr, readonly limits?: unknown }>
  }
  readonly events: Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener' | 'removeEventListener'>
  readonly addressManager: { getAddresses(): Multiaddr[] }
  readonly peerStore: Pick<PeerStore, 'merge'>
  /** present when the node has peer routing (e.g. a DHT) */
  readonly peerRouting?: Pick<PeerRouting, 'findPeer' | 'getClosestPeers'>
  /** present when the node has content routing (e.g. a DHT) */
  readonly contentRouting?: Providing
  readonly logger: ComponentLogger
}

/** A host backed by a libp2p service's components (registrar, connection manager). */
export function hostFromComponents (components: HostComponents, pubsub: NaraPubSub): TransportHost {
  return {
    peerId: components.peerId,
    handle: async (protocol, handler, options) => { await components.registrar.handle(protocol, handler, options) },
    unhandle: async (protocol) => { await components.registrar.unhandle(protocol) },
    dialProtocol: async (peer, protocols, options) => await components.connectionManager.openStream(peer, protocols, options),
    connect: async (peer, options) => { await components.connectionManager.openConnection(peer, dialOptions(options)) },
    connectedPeers: () => uniquePeers(components.connectionManager.getConnections().map(c => c.remotePeer)),
    remoteAddressOf: (peer) => components.connectionManager.getConnections(peer)[0]?.remoteAddr,
    connectionsTo: (peer) => components.connectionManager.getConnections(peer).map(infoOf),
    addresses: () => components.addressManager.getAddresses(),
    rememberAddresses: async (peer, multiaddrs) => { await components.peerStore.merge(peer, { multiaddrs }) },
    onDisconnect: (listener) => {
      components.events.addEventListener('connection:close', listener)
      return () => { components.events.removeEventListener('connection:close', listener) }
    },
    onPeerDisconnect: (listener) => onPeerDisconnect(components.events, listener),
    onPeerDiscovered: (listener) => onLanPeer(components.events, listener),
    neighbours: async (options) => components.peerRouting === undefined ? [] : await closestPeers(components.peerRouting, components.peerId, options),
    ...(components.peerRouting !== undefined
      ? { refreshAddresses: async (peer: PeerId, options?: AbortOptions) => { await askPeerRouting(components.peerRouting as Pick<PeerRouting, 'findPeer'>, peer, options) } }
      : {}),
    ...(components.contentRouting !== undefined ? { providing: components.contentRouting } : {}),
    pubsub,
    logger: components.logger
  }
}

function infoOf (connection: { remoteAddr: Multiaddr, limits?: unknown }): ConnectionInfo {
  return { remoteAddr: connection.remoteAddr, limited: connection.limits !== undefined }
}

function onPeerDisconnect (events: Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener' | 'removeEventListener'>, listener: (peer: PeerId) => void): () => void {
  const handler = (event: CustomEvent<PeerId>): void => { listener(event.detail) }
  events.addEventListener('peer:disconnect', handler)
  return () => { events.removeEventListener('peer:disconnect', handler) }
}

/** How many neighbours a join asks peer routing for: Kad-DHT's bucket size. */
const NEIGHBOURS = 20

async function closestPeers (routing: Pick<PeerRouting, 'getClosestPeers'>, self: PeerId, options?: AbortOptions): Promise<PeerId[]> {
  const found: PeerId[] = []
  for await (const peer of routing.getClosestPeers(self.toMultihash().bytes, options)) {
    if (!peer.id.equals(self)) found.push(peer.id)
    if (found.length >= NEIGHBOURS) break
  }
  return found
}

function uniquePeers (peers: PeerId[]): PeerId[] {
  const byId = new Map(peers.map(p => [p.toString(), p]))
  return [...byId.values()]
}

/** libp2p's peer routing stores what it finds in the peer store (only the first answer, though). */
async function askPeerRouting (routing: Pick<PeerRouting, 'findPeer'>, peer: PeerId, options?: AbortOptions): Promise<void> {
  await routing.findPeer(peer, { ...options, useCache: false })
}

/**
 * Asks the DHT until an answer brings an address we did not have, then makes
 * those the peer's addresses: the ones we had just failed. Peers that knew a
 * restarted nara still hand out its old address, so the first answer alone
 * (what libp2p's peer routing returns) is often stale.
 */
async function askDht (dht: DhtLike, peerStore: Pick<PeerStore, 'get' | 'patch'>, peer: PeerId, options?: AbortOptions): Promise<void> {
  const known = new Set<string>()
  try {
    for (const { multiaddr } of (await peerStore.get(peer, options)).addresses) known.add(multiaddr.toString())
  } catch {
    // not in the peer store: every address found is new
  }
  for await (const event of dht.findPeer(peer, { ...options, useCache: false })) {
    if (event.name !== 'FINAL_PEER') continue
    const fresh = event.peer.multiaddrs.filter(ma => !known.has(ma.toString()))
    if (fresh.length > 0) {
      await peerStore.patch(peer, { multiaddrs: fresh }, options)
      return // leaving the loop ends the query
    }
  }
  throw new Error('the DHT knows no other address for it')
}
