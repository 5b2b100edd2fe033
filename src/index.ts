/**
 * @packageDocumentation
 *
 * nara: a runtime for peer-to-peer programs on js-libp2p. Services declare the
 * behavior of every message kind they own; the runtime maps them onto libp2p
 * stream protocols, gossipsub topics or in-process events, and signs, verifies,
 * de-duplicates and rate-limits every message before a handler sees it.
 *
 * @example Testing a service without a network
 *
 * ```ts
 * import { MockRuntime, StashService, Identity } from 'nara-p2p'
 *
 * const rt = new MockRuntime()
 * const svc = new StashService()
 * await svc.init(rt)
 * const alice = Identity.create({ name: 'alice' })
 * rt.trust(alice)
 * await rt.deliver(await rt.envelopeFrom(alice, { kind: 'stash:store', to: rt.me().id, payload }))
 * svc.stored.get(alice.id) // the record
 * ```
 */
import './polyfill.js'

export { createNara, DEFAULT_LISTEN, nara, NaraLibp2pService, NotReadyError } from './node/index.js'
export type { StandaloneNara, NaraNode, NaraOptions, NaraServiceInit, NaraServiceComponents, PeerLink } from './node/index.js'
export { NARA_KAD_PROTOCOL } from './transport/constants.js'
export type { NaraServices, NetworkService, NetworkStatus, RelayMode, Reachability, DirectUpgradeOutcome, KeepAliveInit } from './transport/index.js'
export { naraScoreParams, naraScoreThresholds } from './transport/gossip-score.js'
export { keepAliveWithDeadline } from './transport/keep-alive.js'
export { NaraMetrics } from './metrics/index.js'
export type { NetworkSource } from './metrics/index.js'
export * from './identity/index.js'
export * from './runtime/index.js'
export {
  StashService, CAPACITY_BY_MEMORY_MODE, fairShare, StashTooLargeError, NotEnoughPeersError, NoConfidantError,
  MAX_CIPHERTEXT_BYTES, MAX_PLAINTEXT_BYTES
} from './services/stash/index.js'
export { PresenceService } from './services/presence/index.js'
export type { PresenceOptions, PresenceAnnounce, PeerChange, OfflineReason } from './services/presence/index.js'
export type {
  StashOptions, StashStats, EncryptedStash, Confidant, StoreReport, StoreRefusal, RecoveryOptions,
  StashStore, StashAck, StashRequest, StashResponse, StashRefresh, StashRecovered
} from './services/stash/index.js'
