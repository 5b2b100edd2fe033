import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { OpenFailedError } from './errors.js'
import { randomBytes, xchachaOpen, xchachaSeal } from '../platform/platform.js'
import type { NaraID } from './nara-id.js'

/** XChaCha20-Poly1305 nonce size; large enough that random nonces never repeat in practice. */
export const NONCE_BYTES = 24

const SEAL_SALT = 'nara:stash:v1'
const SEAL_INFO = 'symmetric'

/** Data encrypted to oneself: the nonce and the ciphertext with its 16-byte Poly1305 tag. */
export interface Sealed {
  nonce: Uint8Array
  ciphertext: Uint8Array
}

/** The symmetric seal key: HKDF-SHA256(ikm = seed, salt = "nara:stash:v1", info = "symmetric", 32). */
export function deriveSealKey (seed: Uint8Array): Uint8Array {
  return hkdf(sha256, seed, utf8ToBytes(SEAL_SALT), utf8ToBytes(SEAL_INFO), 32)
}

/**
 * Encrypts with XChaCha20-Poly1305 (natively on Node), binding the owner's NaraID as associated data.
 *
 * @param nonce - 24 bytes; random unless given (only tests and vectors should pass one)
 */
export function seal (key: Uint8Array, ownerId: NaraID, plaintext: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_BYTES)): Sealed {
  const ciphertext = xchachaSeal(key, nonce, utf8ToBytes(ownerId), plaintext)
  return { nonce, ciphertext }
}

/**
 * Decrypts and authenticates what `seal` produced for the same key and owner.
 *
 * @throws {OpenFailedError} on a wrong key, wrong owner, bad nonce or any tampering
 */
export function open (key: Uint8Array, ownerId: NaraID, sealed: Sealed): Uint8Array {
  try {
    if (sealed.nonce.length !== NONCE_BYTES) throw new Error('bad nonce length')
    return xchachaOpen(key, sealed.nonce, utf8ToBytes(ownerId), sealed.ciphertext)
  } catch {
    throw new OpenFailedError('cannot open stash: wrong key, wrong owner or tampered ciphertext')
  }
}
