import { createPeerScoreParams, createPeerScoreThresholds, createTopicScoreParams, validatePeerScoreParams, validatePeerScoreThresholds, type PeerScoreParams, type PeerScoreThresholds, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { COLOCATION_WHITELIST } from './constants.js'

/** The gossipsub topics of nara's own broadcast kinds (presence, stash); a unit test keeps this list complete. */
export const NARA_TOPICS = ['/nara/presence/hey-there', '/nara/presence/chau', '/nara/presence/gone', '/nara/stash/refresh'] as const

/**
 * How gossipsub scores a peer on each nara topic. What matters is P4, invalid
 * deliveries: the transport Rejects only what proves the forwarder misbehaved (forged,
 * malformed, wrong topic), each counts squared times -20 and decays by 1 % a second,
 * so the third invalid message puts a peer below the graylist threshold (-80, where
 * gossipsub stops processing its RPCs) for about a minute, longer if it keeps at it.
 * Time in the mesh (P1) and first deliveries (P2) earn an honest peer up to the cap
 * of 10, which absorbs an accidental invalid message or two. Mesh delivery deficits
 * (P3, P3b) are off: nara's topics carry a heartbeat every few seconds, too quiet for
 * a delivery quota without punishing honest mesh peers.
 */
export const NARA_TOPIC_SCORE: TopicScoreParams = createTopicScoreParams({
  topicWeight: 1,
  timeInMeshWeight: 10 / 3_600,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 3_600,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 10,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -20,
  invalidMessageDeliveriesDecay: 0.99
})

/** Peer score parameters: nara's topics, and no IP-colocation penalty on loopback (see COLOCATION_WHITELIST). */
export function naraScoreParams (): PeerScoreParams {
  const params = createPeerScoreParams({
    topics: Object.fromEntries(NARA_TOPICS.map(topic => [topic, NARA_TOPIC_SCORE])),
    topicScoreCap: 10,
    IPColocationFactorWhitelist: new Set(COLOCATION_WHITELIST)
  })
  validatePeerScoreParams(params)
  return params
}

/** gossipsub's default thresholds, stated: gossip stops below -10, publishing below -50, a peer is graylisted below -80. */
export function naraScoreThresholds (): PeerScoreThresholds {
  const thresholds = createPeerScoreThresholds({ gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80 })
  validatePeerScoreThresholds(thresholds)
  return thresholds
}
