import { equalBytes } from '@noble/ciphers/utils.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { base58btc } from 'multiformats/bases/base58'
import { InvalidSoulError } from './errors.js'
import { validateName } from './names.js'
import { readMachineId } from './machine-id.js'

/** Bytes in a soul's secret seed. */
export const SEED_BYTES = 32
/** Bytes in a soul's bond tag. */
export const TAG_BYTES = 8

const BOND_PREFIX = 'nara:name:v2:'
const NATIVE_SALT = 'nara:soul:native:v1'

/** A nara's portable secret: a 32-byte seed and the tag bonding it to one name. */
export interface Soul {
  readonly seed: Uint8Array
  readonly tag: Uint8Array
}

/** The 8-byte tag that bonds a seed to a name: HMAC-SHA256(seed, "nara:name:v2:" + name)[0..8]. */
export function bondTag (seed: Uint8Array, name: string): Uint8Array {
  return hmac(sha256, seed, utf8ToBytes(BOND_PREFIX + name)).slice(0, TAG_BYTES)
}

/**
 * Builds the soul for a seed and the name it is bonded to.
 *
 * @throws {InvalidSoulError} when the seed is not 32 bytes
 * @throws {InvalidNameError} when the name is invalid
 */
export function soulFromSeed (seed: Uint8Array, name: string): Soul {
  validateName(name)
  if (seed.length !== SEED_BYTES) {
    throw new InvalidSoulError(`invalid soul seed: expected ${SEED_BYTES} bytes, got ${seed.length}`)
  }
  const copy = Uint8Array.from(seed)
  return { seed: copy, tag: bondTag(copy, name) }
}

/** The soul as text: base58btc of seed || tag (40 bytes), without a multibase prefix. */
export function formatSoul (soul: Soul): string {
  return base58btc.baseEncode(concatBytes(soul.seed, soul.tag))
}

/**
 * Parses a soul string and checks that it was made for `name`.
 *
 * @throws {InvalidSoulError} when the text is not base58, not 40 bytes, or bonded to another name
 * @throws {InvalidNameError} when the name is invalid
 */
export function parseSoul (text: string, name: string): Soul {
  validateName(name)
  let bytes: Uint8Array
  try {
    bytes = base58btc.baseDecode(text.trim())
  } catch {
    throw new InvalidSoulError('invalid soul: not a base58 string; copy the whole soul exactly as it was printed')
  }
  if (bytes.length !== SEED_BYTES + TAG_BYTES) {
    throw new InvalidSoulError(`invalid soul: expected ${SEED_BYTES + TAG_BYTES} bytes, got ${bytes.length}; the soul looks truncated or padded`)
  }
  const seed = bytes.slice(0, SEED_BYTES)
  const tag = bytes.slice(SEED_BYTES)
  if (!equalBytes(tag, bondTag(seed, name))) {
    throw new InvalidSoulError(`this soul belongs to a different name than "${name}"; pass the name it was made for with --name`)
  }
  return { seed, tag }
}

/**
 * The soul this machine always derives for `name`:
 * seed = HKDF-SHA256(ikm = machineId, salt = "nara:soul:native:v1", info = name, 32).
 */
export function nativeSoul (name: string, machineId: string = readMachineId()): Soul {
  validateName(name)
  const seed = hkdf(sha256, utf8ToBytes(machineId), utf8ToBytes(NATIVE_SALT), utf8ToBytes(name), SEED_BYTES)
  return soulFromSeed(seed, name)
}

/** A fresh soul with a cryptographically random seed, bonded to `name`. */
export function randomSoul (name: string): Soul {
  return soulFromSeed(randomBytes(SEED_BYTES), name)
}
