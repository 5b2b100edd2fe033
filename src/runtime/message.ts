import { Envelope } from '../../protocols/envelope.js'
import type { NaraID } from '../identity/index.js'

/** A message as handlers see it: verified, decoded, typed. */
export interface Message<P = unknown> {
  readonly id: string
  readonly kind: string
  readonly version: number
  readonly fromId: NaraID
  readonly fromName: string
  /** set for direct (mesh) messages */
  readonly toId?: NaraID
  /** sender clock, ms since the Unix epoch */
  readonly timestamp: number
  /** the id of the request this message answers */
  readonly inReplyTo?: string
  readonly payload: P
}

/** What a service hands to `emit` / `call`; the runtime fills in the rest. */
export interface Outgoing<P = unknown> {
  kind: string
  payload: P
  /** recipient, for mesh kinds */
  to?: NaraID
  /**
   * For a mesh kind, instead of `to`: the Ed25519 public key of a nara known only by
   * its key (found through peer routing). The envelope is addressed to nobody in
   * particular; only the holder of that key can receive it, and a call accepts a reply
   * only from a connection authenticated with that key.
   */
  toKey?: Uint8Array
  /** the id of the request this answers */
  inReplyTo?: string
  /** payload version; defaults to the newest registered one */
  version?: number
}

const KIND_PATTERN = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)$/

/** Splits `svc:op`; undefined when the kind breaks the convention. */
export function parseKind (kind: string): { service: string, op: string } | undefined {
  const match = KIND_PATTERN.exec(kind)
  return match == null ? undefined : { service: match[1], op: match[2] }
}

/** The bytes a signature covers: the envelope encoded with an empty signature. */
export function signedBytes (envelope: Envelope): Uint8Array {
  return Envelope.encode({ ...envelope, signature: new Uint8Array(0) })
}

/** Protobuf key of `signature` (field 10, length-delimited), the envelope's last field. */
const SIGNATURE_KEY = (10 << 3) | 2
/** An Ed25519 signature's length. */
export const SIGNATURE_BYTES = 64

/**
 * The bytes a received envelope's signature covers. A sender encodes fields in
 * order, so the signature is the last field and what precedes it is exactly
 * `signedBytes(envelope)`: those bytes are used as they are, rather than encoded
 * again. An envelope whose signature is not the trailing field is encoded again.
 */
export function signedPartOf (bytes: Uint8Array, envelope: Envelope): Uint8Array {
  const signature = envelope.signature
  const start = bytes.byteLength - 2 - SIGNATURE_BYTES
  const trailing = signature.byteLength === SIGNATURE_BYTES && start >= 0 &&
    signature.buffer === bytes.buffer && signature.byteOffset === bytes.byteOffset + start + 2 &&
    bytes[start] === SIGNATURE_KEY && bytes[start + 1] === SIGNATURE_BYTES
  return trailing ? bytes.subarray(0, start) : signedBytes(envelope)
}

/**
 * The encoded envelope: the signed bytes with the signature field appended. Fields
 * are encoded in field order, so this is exactly `Envelope.encode` of the signed
 * envelope, without encoding everything a second time.
 */
export function withSignature (signed: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.byteLength > 127) throw new RangeError('a signature is 64 bytes')
  const out = new Uint8Array(signed.byteLength + 2 + signature.byteLength)
  out.set(signed)
  out[signed.byteLength] = SIGNATURE_KEY
  out[signed.byteLength + 1] = signature.byteLength
  out.set(signature, signed.byteLength + 2)
  return out
}

export function toMessage<P> (envelope: Envelope, payload: P): Message<P> {
  return {
    id: envelope.id,
    kind: envelope.kind,
    version: envelope.version,
    fromId: envelope.fromId,
    fromName: envelope.fromName,
    ...(envelope.toId !== '' ? { toId: envelope.toId } : {}),
    timestamp: envelope.timestamp,
    ...(envelope.inReplyTo !== '' ? { inReplyTo: envelope.inReplyTo } : {}),
    payload
  }
}

export { Envelope }
