// What the owner seals inside its stash: the data, its version and the confidants holding it.
import { SealedStash } from '../../../protocols/stash.js'
import type { NaraID } from '../../identity/index.js'

/** A confidant as the owner recorded it inside the sealed stash. */
export interface SealedConfidant {
  /** its NaraID */
  readonly id: NaraID
  /** its name */
  readonly name: string
  /** its public key: a reborn owner asks it by key, before it knows where it is */
  readonly publicKey: Uint8Array
}

/** What a stash seals: only the owner ever reads it. */
export interface SealedContents {
  /** the version, also on the envelope: a copy whose label differs is not trusted */
  readonly version: number
  /** the confidants this version was stored with */
  readonly confidants: readonly SealedConfidant[]
  /** the owner's plaintext */
  readonly data: Uint8Array
}

/** Confidants a stash can list (and so the most an owner may want). */
export const MAX_SEALED_CONFIDANTS = 5
/**
 * Room the sealed header takes at most: the version and five confidants of about 100
 * bytes each (a 28-character NaraID, a name of up to 32 characters, a 32-byte key and
 * protobuf framing). The data gets the rest of the ciphertext limit.
 */
export const SEALED_HEADER_BYTES = 512
const PUBLIC_KEY_BYTES = 32

/** The bytes a stash seals: its version, its confidants and the data. */
export function encodeSealed (contents: SealedContents): Uint8Array {
  if (contents.confidants.length > MAX_SEALED_CONFIDANTS) {
    throw new RangeError(`a stash lists at most ${MAX_SEALED_CONFIDANTS} confidants, got ${contents.confidants.length}`)
  }
  // protons types bytes fields as ArrayBuffer-backed; ours are, or get copied when encoded
  const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>
  return SealedStash.encode({
    version: contents.version,
    confidants: contents.confidants.map(c => ({ id: c.id, name: c.name, publicKey: bytes(c.publicKey) })),
    data: bytes(contents.data)
  })
}

/** Reads what `encodeSealed` made; undefined when it is not a well-formed sealed stash. */
export function decodeSealed (bytes: Uint8Array): SealedContents | undefined {
  try {
    const decoded = SealedStash.decode(bytes, { limits: { confidants: MAX_SEALED_CONFIDANTS } })
    if (decoded.version < 1) return undefined
    if (decoded.confidants.some(c => c.id === '' || c.publicKey.byteLength !== PUBLIC_KEY_BYTES)) return undefined
    return decoded
  } catch {
    return undefined
  }
}
