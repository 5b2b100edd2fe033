// What each stash kind carries on the wire, and how a payload is checked before a handler sees it.
import { protobufPayload, type Payload } from '../../runtime/index.js'
import * as wire from '../../../protocols/stash.js'
import { SEALED_HEADER_BYTES } from './sealed.js'

/** The largest ciphertext a confidant holds for one owner. */
export const MAX_CIPHERTEXT_BYTES = 10 * 1024
/** Poly1305 tag added by sealing: the plaintext limit is the ciphertext limit minus this. */
export const SEAL_OVERHEAD_BYTES = 16
/** The data a stash holds: the ciphertext limit less the seal's tag and the sealed header (version, confidants). */
export const MAX_PLAINTEXT_BYTES = MAX_CIPHERTEXT_BYTES - SEAL_OVERHEAD_BYTES - SEALED_HEADER_BYTES
/** Bytes of the nonce a stash is sealed with (XChaCha20-Poly1305). */
export const NONCE_BYTES = 24
/** A store envelope carries 10 KiB of ciphertext plus ids, nonce and signature. */
export const MAX_STASH_ENVELOPE_BYTES = MAX_CIPHERTEXT_BYTES + 1024

function checkSealed (nonce: Uint8Array, ciphertext: Uint8Array): string | undefined {
  if (nonce.byteLength !== NONCE_BYTES) return `nonce must be ${NONCE_BYTES} bytes, got ${nonce.byteLength}`
  if (ciphertext.byteLength === 0) return 'ciphertext is empty'
  if (ciphertext.byteLength > MAX_CIPHERTEXT_BYTES) {
    return `ciphertext of ${ciphertext.byteLength} bytes exceeds ${MAX_CIPHERTEXT_BYTES}`
  }
  return undefined
}

function checkOwner (ownerId: string): string | undefined {
  return ownerId === '' ? 'owner id is missing' : undefined
}

/** stash:store — owner -> confidant. */
export const StashStoreCodec = protobufPayload('StashStore', wire.StashStore, (p) =>
  checkOwner(p.ownerId) ?? (p.version < 1 ? 'version must be >= 1' : undefined) ?? checkSealed(p.nonce, p.ciphertext))

/** stash:ack — confidant -> owner, answering a store. */
export const StashAckCodec = protobufPayload('StashAck', wire.StashAck, (p) => checkOwner(p.ownerId))

/** stash:request — owner -> confidant. */
export const StashRequestCodec = protobufPayload('StashRequest', wire.StashRequest, (p) => checkOwner(p.ownerId))

/** stash:response — confidant -> owner; when `found`, it carries the sealed stash. */
export const StashResponseCodec = protobufPayload('StashResponse', wire.StashResponse, (p) => {
  const owner = checkOwner(p.ownerId)
  if (owner !== undefined) return owner
  if (!p.found) return p.ciphertext.byteLength > 0 ? 'a not-found response carries no ciphertext' : undefined
  return (p.version < 1 ? 'version must be >= 1' : undefined) ?? checkSealed(p.nonce, p.ciphertext)
})

/** Bytes of an audit challenge: a fresh random key for the proof. */
export const AUDIT_CHALLENGE_BYTES = 32
/** Bytes of the HMAC-SHA256 proof answering an audit. */
export const AUDIT_PROOF_BYTES = 32

/** stash:audit — owner -> confidant: prove you hold my stash. */
export const StashAuditCodec = protobufPayload('StashAudit', wire.StashAudit, (p) =>
  checkOwner(p.ownerId) ?? (p.challenge.byteLength !== AUDIT_CHALLENGE_BYTES ? `challenge must be ${AUDIT_CHALLENGE_BYTES} bytes, got ${p.challenge.byteLength}` : undefined))

/** stash:proof — confidant -> owner, answering an audit. */
export const StashProofCodec = protobufPayload('StashProof', wire.StashProof, (p) => {
  const owner = checkOwner(p.ownerId)
  if (owner !== undefined) return owner
  if (!p.found) return p.proof.byteLength > 0 ? 'a not-found proof carries no proof' : undefined
  return p.proof.byteLength !== AUDIT_PROOF_BYTES ? `proof must be ${AUDIT_PROOF_BYTES} bytes, got ${p.proof.byteLength}` : undefined
})

/** How many of its addresses an owner puts in stash:refresh (as many as presence announces). */
export const MAX_REFRESH_ADDRESSES = 8
const MAX_REFRESH_ADDRESS_LENGTH = 256

/** stash:refresh — owner -> everyone at boot, with where it can be reached now. */
export const StashRefreshCodec = protobufPayload('StashRefresh', wire.StashRefresh, (p) => {
  if (p.addresses.length > MAX_REFRESH_ADDRESSES) return `at most ${MAX_REFRESH_ADDRESSES} addresses, got ${p.addresses.length}`
  return p.addresses.some(a => a.length > MAX_REFRESH_ADDRESS_LENGTH) ? `an address is longer than ${MAX_REFRESH_ADDRESS_LENGTH} characters` : undefined
})

/** stash:recovered — local: recovery finished. */
export const StashRecoveredCodec = protobufPayload('StashRecovered', wire.StashRecovered)

/** stash:store's payload: the owner's sealed stash and its version. */
export type StashStore = Payload<wire.StashStore>
/** stash:ack's payload: the version the confidant now holds. */
export type StashAck = Payload<wire.StashAck>
/** stash:request's payload: the owner asking for its stash. */
export type StashRequest = Payload<wire.StashRequest>
/** stash:response's payload: the sealed stash held for the owner, or `found: false`. */
export type StashResponse = Payload<wire.StashResponse>
/** stash:audit's payload: the owner's fresh challenge. */
export type StashAudit = Payload<wire.StashAudit>
/** stash:proof's payload: the confidant's proof over the challenge and the stash it holds. */
export type StashProof = Payload<wire.StashProof>
/** stash:refresh's payload: empty, the sender is the owner. */
export type StashRefresh = Payload<wire.StashRefresh>
/** stash:recovered's payload: how many copies came back, and their version (0 and 0 when none). */
export type StashRecovered = Payload<wire.StashRecovered>
