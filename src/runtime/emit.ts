import { signedBytes, withSignature, type Envelope, type Message, type Outgoing } from './message.js'
import { fail, proceed, type Stage, type StageResult } from './pipeline.js'
import { InvalidPayloadError, UnreachableError } from './errors.js'
import type { Behavior } from './behavior.js'
import { randomBytes, toBase64Url } from '../platform/platform.js'
import type { Keyring, NaraID } from '../identity/index.js'
import type { Recipient, ReplyChannel, Transport } from './transport.js'

/** An outgoing message on its way through the emit pipeline. */
export interface Emission {
  readonly outgoing: Outgoing
  readonly behavior: Behavior
  /** pre-assigned by `call`, which must know the id before sending */
  readonly id?: string
  /** set by `call`: keep the stream open for the reply */
  readonly awaitReply?: { timeoutMs: number }
  message?: Message
  envelopeFor?: (version: number) => Promise<Uint8Array>
}

export interface EmitDeps {
  readonly me: () => { id: NaraID, name: string }
  readonly sign: (bytes: Uint8Array) => Promise<Uint8Array>
  readonly keyring: Keyring
  readonly transport: Transport
  readonly now: () => number
  /** an inbound request being handled: its open stream (if any) and version, for replies to it */
  readonly openRequest: (requestId: string) => OpenRequest | undefined
  /** local delivery and observers */
  readonly notify: (emission: Emission & { message: Message }) => Promise<void>
}

/** An inbound request whose handler is running. */
export interface OpenRequest {
  /** the request's stream, while the sender waits on it */
  readonly channel?: ReplyChannel
  readonly version: number
}

/** Random bytes drawn at once for many ids: one call to the system's generator costs more than the id. */
const ID_BYTES = 12
const IDS_PER_DRAW = 256
let idPool: Uint8Array = new Uint8Array(0)
let idOffset = 0

/** A fresh message id: 96 random bits, base64url. */
export function newMessageId (): string {
  if (idOffset === idPool.byteLength) {
    idPool = randomBytes(ID_BYTES * IDS_PER_DRAW)
    idOffset = 0
  }
  const id = toBase64Url(idPool, idOffset, idOffset + ID_BYTES)
  idOffset += ID_BYTES
  return id
}

/** id -> sign (a kind declared `.signed()`; the others are only encoded) -> transport -> notify */
export function emitStages (deps: EmitDeps): Array<Stage<Emission>> {
  return [
    { name: 'id', run: (e) => assignId(deps, e) },
    { name: 'sign', run: async (e) => await sign(deps, e) },
    { name: 'transport', run: async (e) => await transport(deps, e) },
    { name: 'notify', run: async (e) => { await deps.notify(e as Emission & { message: Message }); return proceed(e) } }
  ]
}

function assignId (deps: EmitDeps, e: Emission): StageResult<Emission> {
  const { outgoing: out, behavior } = e
  // A reply speaks the request's version when it can: the caller may not know newer ones.
  const requestVersion = out.inReplyTo !== undefined ? deps.openRequest(out.inReplyTo)?.version : undefined
  const version = out.version ?? (requestVersion !== undefined && behavior.versions.has(requestVersion) ? requestVersion : behavior.newestVersion())
  const spec = behavior.versions.get(version)
  if (spec == null) return fail(new InvalidPayloadError(out.kind, `version ${version} is not declared`))
  if (behavior.template === 'meshRequest' && (out.to === undefined) === (out.toKey === undefined)) {
    return fail(new InvalidPayloadError(out.kind, 'a mesh message needs one recipient: `to` (a NaraID) or `toKey` (a public key)'))
  }
  if (behavior.template !== 'meshRequest' && (out.to !== undefined || out.toKey !== undefined)) {
    return fail(new InvalidPayloadError(out.kind, `a ${behavior.template} message has no single recipient`))
  }
  const problem = spec.codec.validate(out.payload)
  if (problem !== undefined) return fail(new InvalidPayloadError(out.kind, problem))
  return proceed({ ...e, message: messageFrom(deps.me(), out, version, e.id ?? newMessageId(), deps.now()) })
}

/** The message `sender` emits for `out` (shared with MockRuntime, which speaks as other naras). */
export function messageFrom (sender: { id: NaraID, name: string }, out: Outgoing, version: number, id: string, timestamp: number): Message {
  return {
    id,
    kind: out.kind,
    version,
    fromId: sender.id,
    fromName: sender.name,
    ...(out.to !== undefined ? { toId: out.to } : {}),
    timestamp,
    ...(out.inReplyTo !== undefined ? { inReplyTo: out.inReplyTo } : {}),
    payload: out.payload
  }
}

async function sign (deps: EmitDeps, e: Emission): Promise<StageResult<Emission>> {
  if (e.behavior.template === 'local') return proceed(e)
  const message = e.message as Message
  const encoded = new Map<number, Promise<Uint8Array>>()
  const envelopeFor = async (version: number): Promise<Uint8Array> => {
    let bytes = encoded.get(version)
    if (bytes === undefined) {
      bytes = signEnvelope(deps, e.behavior, message, version)
      encoded.set(version, bytes)
    }
    return await bytes
  }
  // Encode the requested version now so an oversize or unencodable payload fails the emit itself.
  await envelopeFor(message.version)
  return proceed({ ...e, envelopeFor })
}

/** The envelope's bytes, with the nara signature only for a kind declared `.signed()`: a stream's key or a gossip message's signature proves the others. */
async function signEnvelope (deps: EmitDeps, behavior: Behavior, message: Message, version: number): Promise<Uint8Array> {
  const codec = behavior.versions.get(version)?.codec
  if (codec === undefined) throw new InvalidPayloadError(behavior.kind, `version ${version} is not declared`)
  const unsigned = signedBytes(buildEnvelope(message, version, codec.encode(message.payload)))
  const bytes = behavior.signsEnvelopes ? withSignature(unsigned, await deps.sign(unsigned)) : unsigned
  if (bytes.byteLength > behavior.maxEnvelopeBytes) {
    throw new InvalidPayloadError(behavior.kind, `envelope of ${bytes.byteLength} bytes exceeds the ${behavior.maxEnvelopeBytes}-byte limit`)
  }
  return bytes
}

/** The unsigned envelope of a message (shared with MockRuntime, which signs as other naras). */
export function buildEnvelope (message: Message, version: number, payload: Uint8Array): Envelope {
  return {
    id: message.id,
    kind: message.kind,
    version,
    fromId: message.fromId,
    fromName: message.fromName,
    toId: message.toId ?? '',
    timestamp: message.timestamp,
    inReplyTo: message.inReplyTo ?? '',
    payload: payload as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0)
  }
}

/** Whom a mesh message goes to: a NaraID's announced key, or a bare key. */
function recipientOf (deps: EmitDeps, out: Outgoing, message: Message): Recipient | Error {
  if (out.toKey !== undefined) return { id: '' as NaraID, publicKey: out.toKey }
  const to = message.toId as NaraID
  const known = deps.keyring.get(to)
  if (known == null) return new UnreachableError(to, 'no public key known for this nara (it has not announced itself)')
  return { id: to, publicKey: known.publicKey }
}

async function transport (deps: EmitDeps, e: Emission): Promise<StageResult<Emission>> {
  const { behavior } = e
  const message = e.message as Message
  const envelopeFor = e.envelopeFor as (version: number) => Promise<Uint8Array>
  if (behavior.template === 'local') return proceed(e)
  if (behavior.template === 'broadcast') {
    await deps.transport.publish(behavior, await envelopeFor(message.version))
    return proceed(e)
  }
  // A reply goes back on the request's own stream while that stream is open.
  const channel = message.inReplyTo !== undefined ? deps.openRequest(message.inReplyTo)?.channel : undefined
  if (channel !== undefined) {
    await channel.reply(await envelopeFor(message.version))
    return proceed(e)
  }
  const recipient = recipientOf(deps, e.outgoing, message)
  if (recipient instanceof Error) return fail(recipient)
  await deps.transport.send(recipient, behavior, envelopeFor, {
    requestId: message.id,
    awaitReply: e.awaitReply !== undefined,
    timeoutMs: e.awaitReply?.timeoutMs ?? behavior.timeoutMs
  })
  return proceed(e)
}
