import { broadcast, local, meshRequest, type Message, type Runtime } from '../../runtime/index.js'
import {
  MAX_HEY_THERE_BYTES, PeerOfflineCodec, PeerOnlineCodec, PresenceAnnounceCodec, PresenceChauCodec, PresenceWelcomeCodec,
  type PresenceAnnounce, type PresenceWelcome
} from './payloads.js'

/** What the presence service does with each kind it receives. */
export interface PresenceHandlers {
  heyThere(msg: Message<PresenceAnnounce>, p: PresenceAnnounce): Promise<void>
  howdy(msg: Message<PresenceWelcome>, p: PresenceWelcome): Promise<void>
  chau(msg: Message): Promise<void>
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

  rt.register(local('presence:peer-online', 'A peer came online')
    .withPayload(PeerOnlineCodec))

  rt.register(local('presence:peer-offline', 'A peer went offline (reason chau or silent)')
    .withPayload(PeerOfflineCodec))
}
