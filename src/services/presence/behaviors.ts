import { broadcast, local, meshRequest, type Message, type Runtime } from '../../runtime/index.js'
import {
  MAX_HEY_THERE_BYTES, PeerGoneCodec, PeerOfflineCodec, PeerOnlineCodec, PresenceAnnounceCodec, PresenceChauCodec, PresenceWelcomeCodec, StillThereCodec,
  type PeerGone, type PresenceAnnounce, type PresenceWelcome
} from './payloads.js'

/** How long a neighbour's probe (presence:still-there) may take to reach a peer it lost. */
export const STILL_THERE_TIMEOUT_MS = 5_000

/** What the presence service does with each kind it receives. */
export interface PresenceHandlers {
  heyThere(msg: Message<PresenceAnnounce>, p: PresenceAnnounce): Promise<void>
  howdy(msg: Message<PresenceWelcome>, p: PresenceWelcome): Promise<void>
  chau(msg: Message): Promise<void>
  gone(msg: Message<PeerGone>, p: PeerGone): Promise<void>
}

/**
 * Presence's protocol, one declaration per kind. `heartbeatMs` sizes the
 * hey-there limit: a peer may announce up to twice as often as we do (at least
 * once a second), so differently tuned swarms still get through.
 */
export function registerPresenceBehaviors (rt: Runtime, h: PresenceHandlers, heartbeatMs: number): void {
  rt.register(broadcast('presence:hey-there', 'I am here: name, uptime, memory mode (boot and heartbeat)')
    .withPayload(PresenceAnnounceCodec)
    .withHandler(1, async (msg, p) => { await h.heyThere(msg, p) })
    .withMaxSize(MAX_HEY_THERE_BYTES)
    .retained()
    .withRateLimit(Math.max(1, 2_000 / heartbeatMs), 5))

  rt.register(meshRequest('presence:howdy', 'Welcome, newcomer: here I am, and here is who else is (no reply)')
    .withPayload(PresenceWelcomeCodec)
    .withHandler(1, async (msg, p) => { await h.howdy(msg, p) })
    .withRateLimit(1, 3)
    .onError('log'))

  rt.register(broadcast('presence:chau', 'I am leaving (graceful stop)')
    .withPayload(PresenceChauCodec)
    .withHandler(1, async (msg) => { await h.chau(msg) })
    .withMaxSize(1024)
    .withRateLimit(1, 2))

  // A crash is seen by a few neighbours at once, each saying so once; a liar's claims
  // cost their target one hey-there each, at most one a second.
  rt.register(broadcast('presence:gone', 'A peer I was connected to is gone: my connections to it closed without a chau and I could not reach it again')
    .withPayload(PeerGoneCodec)
    .withHandler(1, async (msg, p) => { await h.gone(msg, p) })
    .withMaxSize(512)
    .withRateLimit(2, 10))

  rt.register(meshRequest('presence:still-there', 'Are you still there? (a neighbour lost its connections to you; arriving is the answer, no reply)')
    .withPayload(StillThereCodec)
    .withHandler(1, () => {})
    .withTimeout(STILL_THERE_TIMEOUT_MS)
    .withRateLimit(1, 3)
    .onError('log'))

  rt.register(local('presence:peer-online', 'A peer came online')
    .withPayload(PeerOnlineCodec))

  rt.register(local('presence:peer-offline', 'A peer went offline (reason chau, silent, restarted or gone)')
    .withPayload(PeerOfflineCodec))
}
