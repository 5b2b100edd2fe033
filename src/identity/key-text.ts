import { bytesToHex } from '@noble/hashes/utils.js'
import { sameBytes } from '../platform/platform.js'

/**
 * Hex of each key array seen, by the array itself: the same key arrays (a
 * connection's, a keyring entry's) come with every message, and the hex is what
 * the caches of checked ids and decoded keys look up. Each entry keeps a copy of
 * the bytes, so an array changed since is not taken for the key it held.
 */
const texts = new WeakMap<Uint8Array, { bytes: Uint8Array, hex: string }>()

/** The hex of a (public) key, remembered per array. */
export function keyText (key: Uint8Array): string {
  const cached = texts.get(key)
  if (cached !== undefined && sameBytes(cached.bytes, key)) return cached.hex
  const hex = bytesToHex(key)
  texts.set(key, { bytes: Uint8Array.from(key), hex })
  return hex
}
