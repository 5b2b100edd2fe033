// Stash's protocol, declared: one behavior per kind, with its payload, handler, limits and reply.
import { broadcast, local, meshRequest, type Runtime } from '../../runtime/index.js'
import {
  MAX_STASH_ENVELOPE_BYTES, StashAckCodec, StashAuditCodec, StashProofCodec, StashRecoveredCodec, StashRefreshCodec, StashRequestCodec,
  StashResponseCodec, StashStoreCodec, type StashAudit, type StashRefresh, type StashRequest, type StashResponse, type StashStore
} from './payloads.js'
import type { Message } from '../../runtime/index.js'

/** What the stash service does with each kind it receives. */
export interface StashHandlers {
  /** stash:store (confidant): keep the owner's stash, replying stash:ack */
  store(msg: Message<StashStore>, p: StashStore): Promise<void>
  /** stash:request (confidant): return the owner's stash, replying stash:response */
  request(msg: Message<StashRequest>, p: StashRequest): Promise<void>
  /** stash:refresh (confidant): an owner booted; send its stash back if held */
  refresh(msg: Message<StashRefresh>, p: StashRefresh): Promise<void>
  /** stash:response (owner): a copy of this nara's stash, during recovery */
  response(msg: Message<StashResponse>, p: StashResponse): Promise<void>
  /** stash:audit (confidant): prove possession, replying stash:proof */
  audit(msg: Message<StashAudit>, p: StashAudit): Promise<void>
}

/** Stash's protocol, one declaration per kind. */
export function registerStashBehaviors (rt: Runtime, h: StashHandlers): void {
  rt.register(meshRequest('stash:store', 'Store an encrypted stash with a confidant')
    .withPayload(StashStoreCodec)
    .withHandler(1, async (msg, p) => { await h.store(msg, p) })
    .withMaxSize(MAX_STASH_ENVELOPE_BYTES)
    .withRateLimit(2, 10)
    .repliesWith('stash:ack'))

  rt.register(meshRequest('stash:ack', 'A confidant holds the stash')
    .withPayload(StashAckCodec))

  rt.register(meshRequest('stash:request', 'Ask a confidant for my stash')
    .withPayload(StashRequestCodec)
    .withHandler(1, async (msg, p) => { await h.request(msg, p) })
    .withRateLimit(2, 10)
    .repliesWith('stash:response'))

  rt.register(meshRequest('stash:response', 'A confidant returns a stash')
    .withPayload(StashResponseCodec)
    .withHandler(1, async (msg, p) => { await h.response(msg, p) })
    .withMaxSize(MAX_STASH_ENVELOPE_BYTES))

  // small both ways; an owner audits each confidant once per interval (45 s by default, under 1 s in tests), so this limit only bounds a flood
  rt.register(meshRequest('stash:audit', 'Prove you still hold my stash (fresh challenge)')
    .withPayload(StashAuditCodec)
    .withHandler(1, async (msg, p) => { await h.audit(msg, p) })
    .withMaxSize(1024)
    .withRateLimit(4, 8)
    .repliesWith('stash:proof'))

  rt.register(meshRequest('stash:proof', 'A confidant proves it holds the exact stash')
    .withPayload(StashProofCodec)
    .withMaxSize(1024))

  rt.register(broadcast('stash:refresh', 'I just booted: whoever holds my stash, send it')
    .withPayload(StashRefreshCodec)
    .withHandler(1, async (msg, p) => { await h.refresh(msg, p) })
    .withRateLimit(1, 5))

  rt.register(local('stash:recovered', 'Recovery complete')
    .withPayload(StashRecoveredCodec))
}
