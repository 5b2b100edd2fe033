import { describe, expect, it } from 'vitest'
import { MockRuntime, PresenceService, StashService } from '../../../src/index.js'
import { NARA_TOPICS, naraScoreParams, naraScoreThresholds } from '../../../src/transport/gossip-score.js'

describe('gossipsub scoring of nara\'s topics', () => {
  it('scores every broadcast topic of nara\'s own services', async () => {
    const rt = new MockRuntime()
    await rt.install(new PresenceService())
    await rt.install(new StashService())
    const topics = rt.behaviors().filter(b => b.template === 'broadcast').map(b => b.route())
    expect([...topics].sort()).toEqual([...NARA_TOPICS].sort())
    expect(Object.keys(naraScoreParams().topics).sort()).toEqual([...NARA_TOPICS].sort())
  })

  it('three invalid messages take a peer with the best score there is below the graylist threshold; one does not', () => {
    const params = naraScoreParams()
    const topic = params.topics[NARA_TOPICS[0]]
    const graylist = naraScoreThresholds().graylistThreshold
    const scoreAfter = (invalid: number): number => params.topicScoreCap + topic.topicWeight * topic.invalidMessageDeliveriesWeight * invalid ** 2
    expect(scoreAfter(1)).toBeGreaterThan(graylist)
    expect(scoreAfter(3)).toBeLessThan(graylist)
    // loopback swarms keep no IP-colocation penalty
    expect(params.IPColocationFactorWhitelist.has('127.0.0.1')).toBe(true)
  })
})
