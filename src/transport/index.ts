/**
 * @packageDocumentation
 *
 * The only code that knows libp2p: the runtime's Transport over stream
 * protocols (mesh kinds) and gossipsub topics (broadcast kinds), the libp2p
 * node configuration, and PeerId <-> nara key helpers.
 */
export { Libp2pTransport } from './libp2p-transport.js'
export type { Libp2pTransportOptions } from './libp2p-transport.js'
export { hostFromLibp2p, hostFromComponents } from './host.js'
export type { TransportHost, HostComponents, Libp2pLike, NaraPubSub, DhtLike, ConnectOptions, StreamOptions, ConnectionInfo } from './host.js'
export { naraLibp2pOptions, listensOnLoopbackOnly } from './node-config.js'
export { loadUpnp } from './upnp.js'
export { NetworkService, networkService, RELAY_MODES } from './network-service.js'
export { keepAliveWithDeadline } from './keep-alive.js'
export type { KeepAliveInit } from './keep-alive.js'
export type { NetworkStatus, RelayMode, NetworkServiceInit } from './network-service.js'
export type { Reachability, ReachabilityStatus } from './reachability.js'
export type { DirectUpgradeOutcome } from './direct-upgrades.js'
export { scopeOf, addressesFor, announceable } from './address-scope.js'
export type { AddressScope } from './address-scope.js'
export type { NaraServices, NaraLibp2pConfig } from './node-config.js'
export { peerIdOfKey, keyOfPeerId } from './peer-ids.js'
export { FrameError, FrameStream, encodeVarint } from './frames.js'
export type { FrameErrorCode } from './frames.js'
export { Bootstrapper } from './bootstrapper.js'
export { ConnectionKeeper } from './connection-keeper.js'
export type { ConnectionKeeperOptions } from './connection-keeper.js'
export { Reconnector } from './reconnector.js'
export type { ReconnectorOptions } from './reconnector.js'
export type { BootstrapperOptions, BootstrapDialOptions } from './bootstrapper.js'
export * from './constants.js'
export { NARA_TOPICS, NARA_TOPIC_SCORE, naraScoreParams, naraScoreThresholds } from './gossip-score.js'
