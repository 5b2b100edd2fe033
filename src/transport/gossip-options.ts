import { gossipsub, StrictSign, type GossipsubOpts } from '@libp2p/gossipsub'
import { GOSSIP_MESH, MAX_GOSSIP_RPC_BYTES } from './constants.js'
import { fastMessageId } from './gossip-ids.js'
import { naraScoreParams, naraScoreThresholds } from './gossip-score.js'

/**
 * The gossipsub every nara runs, on Node and in a tab: signed messages (the one
 * signature a broadcast carries), nara's mesh size and peer scoring, and gossip on
 * relayed connections too (a nara behind NAT has no other).
 */
export function naraGossipsub (): ReturnType<typeof gossipsub> {
  const options: Partial<GossipsubOpts> = {
    ...GOSSIP_MESH,
    globalSignaturePolicy: StrictSign,
    emitSelf: false,
    runOnLimitedConnection: true,
    // the transport holds and republishes broadcasts nobody listens to yet
    allowPublishToZeroTopicPeers: true,
    fallbackToFloodsub: false,
    maxInboundDataLength: MAX_GOSSIP_RPC_BYTES,
    fastMsgIdFn: fastMessageId,
    scoreParams: naraScoreParams(),
    scoreThresholds: naraScoreThresholds()
  }
  return gossipsub(options)
}
