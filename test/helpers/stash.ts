import { Envelope, Identity, MockRuntime, StashService, type MemoryNetwork, type ReplyChannel, type StashRecovered, type StashStore } from '../../src/index.js'
import { Refusal } from '../../protocols/runtime.js'
import { StashAck, StashResponse } from '../../protocols/stash.js'

/** A reply channel that keeps what the runtime answered on it. */
export function captureReplies (): { channel: ReplyChannel, replies: Envelope[] } {
  const replies: Envelope[] = []
  return { channel: { reply: async (bytes) => { replies.push(Envelope.decode(bytes)) } }, replies }
}

/** Decodes a reply's payload by its kind. */
export function replyPayload (reply: Envelope): unknown {
  if (reply.kind === 'runtime:refused') return Refusal.decode(reply.payload)
  if (reply.kind === 'stash:ack') return StashAck.decode(reply.payload)
  if (reply.kind === 'stash:response') return StashResponse.decode(reply.payload)
  throw new Error(`unexpected reply kind ${reply.kind}`)
}

/** A sealed store payload from `owner`, as the owner's runtime would make it. */
export function storePayload (owner: Identity, plaintext: string, version = 1): StashStore {
  const sealed = owner.seal(new TextEncoder().encode(plaintext))
  return { ownerId: owner.id, version, nonce: sealed.nonce, ciphertext: sealed.ciphertext }
}

/** Delivers a stash:store from `owner` to `rt` and returns the reply the confidant gave. */
export async function deliverStore (rt: MockRuntime, owner: Identity, payload: StashStore): Promise<{ kind: string, payload: unknown }> {
  const { channel, replies } = captureReplies()
  await rt.deliver(await rt.envelopeFrom(owner, { kind: 'stash:store', to: rt.me().id, payload }), { replyChannel: channel })
  if (replies.length !== 1) throw new Error(`expected one reply, got ${replies.length}`)
  return { kind: replies[0].kind, payload: replyPayload(replies[0]) }
}

export const naraNamed = (name: string): Identity => Identity.create({ name, machineId: 'stash-test' })

const started: MockRuntime[] = []

/** Starts a MockRuntime with a stash service (fast recovery timings) on a network. */
export async function stashNara (network: MemoryNetwork, name: string, opts: { identity?: Identity, stash?: StashService } = {}): Promise<{ rt: MockRuntime, stash: StashService }> {
  const rt = new MockRuntime({ name, network, ...(opts.identity !== undefined ? { identity: opts.identity } : {}) })
  const stash = opts.stash ?? new StashService({ recoveryDeadlineMs: 2_000 })
  await rt.install(stash)
  started.push(rt)
  await rt.start()
  return { rt, stash }
}

/** The owner coming back: same identity, fresh runtime, listening for stash:recovered before it starts. */
export async function rebootOwner (network: MemoryNetwork, identity: Identity): Promise<{ rt: MockRuntime, stash: StashService, recovered: StashRecovered[] }> {
  const rt = new MockRuntime({ name: identity.name, network, identity })
  const stash = new StashService({ recoveryDeadlineMs: 2_000 })
  await rt.install(stash)
  const recovered: StashRecovered[] = []
  rt.on('stash:recovered', (m) => { recovered.push(m.payload as StashRecovered) })
  started.push(rt)
  await rt.start()
  return { rt, stash, recovered }
}

/** Stops every runtime the helpers above started (for afterEach). */
export async function stopStashNaras (): Promise<void> {
  for (const rt of started.splice(0)) await rt.stop()
}
