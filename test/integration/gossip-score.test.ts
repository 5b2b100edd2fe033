import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNara, naraScoreThresholds, type StandaloneNara } from '../../src/index.js'
import { FAST, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'
import { PlainForwarder, freshIdentity, gossipScore, heyThereMessage } from '../helpers/sybil.js'

/** RPCs gossipsub accepts from a peer that scored >= 0 before it looks at the score again. */
const WHITELISTED_RPCS = 128

describe('gossipsub scoring of a forwarder that passes on forged messages (libp2p on 127.0.0.1)', () => {
  let target: StandaloneNara
  let liar: PlainForwarder
  let honest: PlainForwarder
  beforeAll(async () => {
    target = await createNara({ name: 'score-target', machineId: 'score', ...FAST })
    liar = await PlainForwarder.connect(target.multiaddrs()[0])
    honest = await PlainForwarder.connect(target.multiaddrs()[0])
  }, 60_000)
  afterAll(async () => {
    await liar?.stop()
    await honest?.stop()
    await stopAll([target])
  })

  it('rejects forged hey-theres, which cost the forwarder its score until it is graylisted and ignored', async () => {
    const victim = freshIdentity(0, 'victim')
    // each signed by one key but claiming to be another nara
    const forged = await Promise.all([1, 2, 3].map(async i => await heyThereMessage(victim, freshIdentity(i, 'forger'))))
    await liar.forward(forged, 1)
    await waitFor(() => target.runtime.drops.get('impersonation') >= forged.length, 'the forged hey-theres to be dropped', 10_000)
    const graylist = naraScoreThresholds().graylistThreshold
    await waitFor(() => gossipScore(target, liar.peerId) < graylist, `the liar's score to fall below ${graylist}`, 10_000)

    // past the RPCs gossipsub lets through without scoring, a valid message from the liar is not even looked at
    await liar.repeatSubscription(WHITELISTED_RPCS)
    const ignored = freshIdentity(1, 'relayed-by-liar')
    await liar.forward([await heyThereMessage(ignored)])
    const marker = freshIdentity(2, 'relayed-by-honest')
    await honest.forward([await heyThereMessage(marker)])
    await waitFor(() => target.runtime.keyring.has(marker.id), 'the honest forwarder\'s message to be accepted', 10_000)
    expect(target.runtime.keyring.has(ignored.id)).toBe(false)
    expect(target.presence.online().map(p => p.id)).toEqual([marker.id])
    expect(gossipScore(target, honest.peerId)).toBeGreaterThanOrEqual(0)
  })
})
