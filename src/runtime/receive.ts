import { isNaraIdOf, verifySignature, type Keyring, type NaraID } from '../identity/index.js'
import { Envelope, SIGNATURE_BYTES, signedPartOf, toMessage, type Message } from './message.js'
import { drop, proceed, type Stage, type StageResult } from './pipeline.js'
import { MAX_CLOCK_SKEW_MS } from './constants.js'
import type { Behavior, VersionSpec } from './behavior.js'
import type { InboundContext } from './transport.js'
import type { SeenIds } from './seen-ids.js'
import type { RateLimiter } from './rate-limiter.js'
import type { Admission } from './admission.js'

/** An inbound envelope on its way through the receive pipeline; stages fill it in as they go. */
export interface Receipt {
  readonly bytes: Uint8Array
  readonly ctx: InboundContext
  envelope?: Envelope
  behavior?: Behavior
  spec?: VersionSpec
  message?: Message
  /** the sender's key, once the authenticate stage has proven the envelope is from it */
  senderKey?: Uint8Array
}

/** A receipt that passed decoding: everything the later stages rely on is set. */
type Decoded = Receipt & { envelope: Envelope, behavior: Behavior, spec: VersionSpec, message: Message }

export interface ReceiveDeps {
  readonly me: () => { id: NaraID }
  readonly behavior: (kind: string) => Behavior | undefined
  /** the largest envelope any registered behavior accepts; bigger input is not even decoded */
  readonly maxEnvelopeBytes: () => number
  readonly keyring: Keyring
  readonly seen: SeenIds
  readonly limiter: RateLimiter
  readonly admission: Admission
  readonly now: () => number
  /** checks a relayed broadcast's transport proof (see `Transport.verifyBroadcastProof`) */
  readonly verifyBroadcastProof: (behavior: Behavior, publicKey: Uint8Array, envelope: Uint8Array, proof: Uint8Array) => Promise<boolean>
  /** hands an authenticated message to its consumers; returns how many there were */
  readonly notify: (receipt: Decoded) => Promise<number>
}

/**
 * decode+validate -> dedupe -> admit -> authenticate -> fresh -> rate limit -> notify
 *
 * Who sent a message is proven once, the cheapest way that is a proof: by the key the
 * transport authenticated (a stream's Noise key, a gossip message's signer), else by
 * the envelope's own nara signature; a kind declared `.signed()` is also verified by
 * its signature. A copy of a message already accepted is dropped before it is
 * authenticated again: only authenticated messages are remembered (by the rate-limit
 * stage), so a copy claiming a remembered sender and id is the same message or a
 * forgery, and either way it goes. A newcomer's welcomes relay the same few dozen
 * announcements, most of which it already has.
 */
export function receiveStages (deps: ReceiveDeps): Array<Stage<Receipt>> {
  return [
    { name: 'decode', run: (r) => decode(deps, r) },
    { name: 'dedupe', run: (r) => dedupe(deps, r as Decoded) },
    { name: 'admit', run: (r) => admit(deps, r as Decoded) },
    { name: 'authenticate', run: async (r) => await authenticate(deps, r as Decoded) },
    { name: 'fresh', run: (r) => fresh(deps, r as Decoded) },
    { name: 'rate-limit', run: (r) => rateLimit(deps, r as Decoded) },
    {
      name: 'notify',
      run: async (r) => {
        const consumers = await deps.notify(r as Decoded)
        return consumers > 0 ? proceed(r) : drop('unhandled', `nothing consumes ${r.message?.kind} (no handler, waiting call or subscriber)`)
      }
    }
  ]
}

function decode (deps: ReceiveDeps, r: Receipt): StageResult<Receipt> {
  if (r.bytes.byteLength > deps.maxEnvelopeBytes()) {
    return drop('oversize', `envelope of ${r.bytes.byteLength} bytes exceeds ${deps.maxEnvelopeBytes()}`)
  }
  let envelope: Envelope
  try {
    envelope = r.ctx.envelope ?? Envelope.decode(r.bytes)
  } catch (err) {
    return drop('malformed-envelope', `cannot decode envelope: ${(err as Error).message}`)
  }
  r.envelope = envelope
  const missing = missingField(envelope)
  if (missing !== undefined) return drop('malformed-envelope', `envelope ${missing}`)
  if (r.ctx.routedKind !== undefined && envelope.kind !== r.ctx.routedKind) {
    return drop('wrong-route', `${envelope.kind} arrived on the route of ${r.ctx.routedKind}`)
  }
  if (r.ctx.negotiatedVersion !== undefined && envelope.version !== r.ctx.negotiatedVersion) {
    return drop('wrong-version', `v${envelope.version} envelope on a v${r.ctx.negotiatedVersion} stream`)
  }
  const behavior = deps.behavior(envelope.kind)
  if (behavior == null) return drop('unknown-kind', `no behavior registered for ${envelope.kind}`)
  if (behavior.template === 'local') return drop('local-kind', `${envelope.kind} is local and never comes from the network`)
  r.behavior = behavior // known from here on: a later drop is counted under its kind
  if (r.bytes.byteLength > behavior.maxEnvelopeBytes) {
    return drop('oversize', `${envelope.kind} envelope of ${r.bytes.byteLength} bytes exceeds ${behavior.maxEnvelopeBytes}`)
  }
  const unsigned = unsignedProblem(envelope, behavior, r.ctx)
  if (unsigned !== undefined) return drop('malformed-envelope', `${envelope.kind} envelope ${unsigned}`)
  const spec = behavior.versions.get(envelope.version)
  if (spec == null) return drop('unknown-version', `${envelope.kind} v${envelope.version} is not supported`)
  let payload: unknown
  try {
    payload = spec.codec.decode(envelope.payload)
  } catch (err) {
    return drop('malformed-payload', `cannot decode ${spec.codec.name}: ${(err as Error).message}`)
  }
  const problem = spec.codec.validate(payload)
  if (problem !== undefined) return drop('invalid-payload', `${spec.codec.name}: ${problem}`)
  r.spec = spec
  r.message = toMessage(envelope, payload)
  return proceed(r)
}

function missingField (e: Envelope): string | undefined {
  if (e.id === '') return 'has no id'
  if (e.kind === '') return 'has no kind'
  if (e.version < 1) return 'has no version'
  if (e.fromId === '' || e.fromName === '') return 'has no sender'
  return undefined
}

/** An envelope must be signed when its kind says so, or when nothing else proves its sender. */
function unsignedProblem (e: Envelope, behavior: Behavior, ctx: InboundContext): string | undefined {
  const length = e.signature.byteLength
  if (length === SIGNATURE_BYTES) return undefined
  if (length !== 0) return `signature is ${length} bytes, expected ${SIGNATURE_BYTES}`
  if (behavior.signsEnvelopes) return 'is unsigned, and its kind is signed'
  if (ctx.authenticatedKey === undefined && ctx.relayed === undefined) return 'is unsigned, and nothing authenticated its sender'
  return undefined
}

/**
 * Admission control per forwarder, before the sender is authenticated (a signature is the costly part):
 * one peer cannot flood us, nor bring in fresh identities faster than a joining swarm
 * would. Direct messages (no forwarder) come from their authenticated sender.
 */
function admit (deps: ReceiveDeps, r: Decoded): StageResult<Receipt> {
  const via = r.ctx.via
  if (via === undefined) return proceed(r)
  const fromId = r.envelope.fromId
  const refusal = deps.admission.admit(via, deps.keyring.has(fromId) ? undefined : fromId)
  if (refusal === 'admission-rate') return drop(refusal, `${via} forwards more messages than admitted per window`)
  if (refusal === 'admission-new-identities') return drop(refusal, `${via} brings in more new naras than admitted per window (${r.envelope.fromId})`)
  return proceed(r)
}

async function authenticate (deps: ReceiveDeps, r: Decoded): Promise<StageResult<Receipt>> {
  const { envelope: e, ctx } = r
  let publicKey: Uint8Array
  if (ctx.relayed !== undefined) {
    publicKey = ctx.relayed.publicKey
    if (!isNaraIdOf(e.fromId, publicKey, e.fromName)) {
      return drop('impersonation', `relayed as ${e.fromName} (${e.fromId}) with another nara's key`)
    }
    if (!await relayProven(deps, r, publicKey, ctx.relayed.proof)) {
      return drop('bad-signature', `relayed ${e.kind} ${e.id} from ${e.fromId}: its signature does not verify`)
    }
  } else if (ctx.authenticatedKey !== undefined) {
    if (!isNaraIdOf(e.fromId, ctx.authenticatedKey, e.fromName)) {
      return drop('impersonation', `claims to be ${e.fromName} (${e.fromId}) but the authenticated peer has another key`)
    }
    publicKey = ctx.authenticatedKey
    if (r.behavior.signsEnvelopes && !await verifySignature(publicKey, signedPartOf(r.bytes, e), e.signature)) {
      return drop('bad-signature', `signature of ${e.kind} ${e.id} from ${e.fromId} does not verify`)
    }
  } else {
    const known = deps.keyring.get(e.fromId)
    if (known == null) return drop('unknown-sender', `no public key known for ${e.fromId}`)
    if (!isNaraIdOf(e.fromId, known.publicKey, e.fromName)) {
      return drop('impersonation', `${e.fromId} does not belong to the name ${e.fromName}`)
    }
    publicKey = known.publicKey
    if (!await verifySignature(publicKey, signedPartOf(r.bytes, e), e.signature)) {
      return drop('bad-signature', `signature of ${e.kind} ${e.id} from ${e.fromId} does not verify`)
    }
  }
  if (e.toId !== '' && e.toId !== deps.me().id) {
    return drop('not-for-me', `addressed to ${e.toId}`)
  }
  // An id is derived from its key and name, so a known id already has this key.
  if (deps.keyring.get(e.fromId) === undefined) {
    deps.keyring.remember({ id: e.fromId, name: e.fromName, publicKey, ...(ctx.via !== undefined ? { introducedBy: ctx.via } : {}) })
  }
  r.senderKey = publicKey
  return proceed(r)
}

/** A relayed broadcast is proven by the transport proof it was relayed with, or without one by its envelope's nara signature. */
async function relayProven (deps: ReceiveDeps, r: Decoded, publicKey: Uint8Array, proof: Uint8Array): Promise<boolean> {
  if (proof.byteLength > 0) return await deps.verifyBroadcastProof(r.behavior, publicKey, r.bytes, proof)
  return r.envelope.signature.byteLength > 0 && await verifySignature(publicKey, signedPartOf(r.bytes, r.envelope), r.envelope.signature)
}

/** Ids are per sender: another nara reusing an id cannot make the real message a duplicate. */
const seenKey = (e: Envelope): string => `${e.fromId}|${e.id}`

function dedupe (deps: ReceiveDeps, r: Decoded): StageResult<Receipt> {
  if (deps.seen.has(seenKey(r.envelope))) return drop('duplicate', `already received ${r.envelope.id}`)
  return proceed(r)
}

/** Checked once the timestamp is known to be the sender's: a forgery is charged as one, not as a late message. */
function fresh (deps: ReceiveDeps, r: Decoded): StageResult<Receipt> {
  const skew = Math.abs(deps.now() - r.envelope.timestamp)
  // Outside the skew window an old message could be replayed after its id was forgotten.
  if (skew > MAX_CLOCK_SKEW_MS) return drop('stale', `timestamp is ${Math.round(skew / 1000)} s away from our clock`)
  return proceed(r)
}

function rateLimit (deps: ReceiveDeps, r: Decoded): StageResult<Receipt> {
  const limit = r.behavior.rateLimit
  if (limit != null && !deps.limiter.take(`${r.envelope.fromId}|${r.envelope.kind}`, limit)) {
    return drop('rate-limited', `${r.envelope.fromId} exceeds ${limit.perSecond}/s for ${r.envelope.kind}`)
  }
  // Remembered only once admitted, so a flood of refused messages cannot push real ids out.
  deps.seen.add(seenKey(r.envelope))
  return proceed(r)
}

export type { Decoded as DecodedReceipt }
