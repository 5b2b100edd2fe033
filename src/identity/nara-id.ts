import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { keyText } from './key-text.js'
import { base58btc } from 'multiformats/bases/base58'
import { validateName } from './names.js'

/** A self-certifying nara id: base58btc of a hash of (name, Ed25519 public key). */
export type NaraID = string

const ID_DOMAIN = 'nara:id:v1'
const ID_HASH_BYTES = 20
const PUBLIC_KEY_BYTES = 32

/**
 * Computes the NaraID of a raw 32-byte Ed25519 public key and a name:
 * base58btc(SHA-256("nara:id:v1" || len(name) || name || publicKey)[0..20]).
 *
 * @throws {InvalidNameError} when the name is invalid
 * @throws {TypeError} when the key is not 32 bytes
 */
export function naraIdOf (publicKey: Uint8Array, name: string): NaraID {
  const nameBytes = utf8ToBytes(validateName(name))
  if (publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new TypeError(`expected a raw ${PUBLIC_KEY_BYTES}-byte Ed25519 public key, got ${publicKey.length} bytes`)
  }
  const digest = sha256(concatBytes(utf8ToBytes(ID_DOMAIN), Uint8Array.of(nameBytes.length), nameBytes, publicKey))
  return base58btc.baseEncode(digest.subarray(0, ID_HASH_BYTES))
}

/** (key, name) pairs already checked; every message checks its sender's, so most checks repeat. */
const checked = new Map<string, NaraID>()
const CHECKED_ENTRIES = 1024

/** Whether `id` is the NaraID of this key and name; never throws. */
export function isNaraIdOf (id: string, publicKey: Uint8Array, name: string): boolean {
  const memo = `${keyText(publicKey)}|${name}`
  const known = checked.get(memo)
  if (known !== undefined) return known === id
  let computed: NaraID
  try {
    computed = naraIdOf(publicKey, name)
  } catch {
    return false
  }
  if (checked.size >= CHECKED_ENTRIES) checked.delete(checked.keys().next().value as string)
  checked.set(memo, computed)
  return computed === id
}
