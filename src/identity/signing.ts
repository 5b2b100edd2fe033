import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PublicKey } from '@libp2p/interface'
import { bytesToHex } from '@noble/hashes/utils.js'

/** How many decoded public keys to keep; verification is on the hot receive path. */
const KEY_CACHE_ENTRIES = 1024
const ED25519_PUBLIC_KEY_BYTES = 32
const ED25519_SIGNATURE_BYTES = 64

const keyCache = new Map<string, PublicKey>()

/**
 * Verifies an Ed25519 signature made by a raw 32-byte public key.
 * Never throws: malformed keys or signatures simply fail verification.
 */
export async function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false
    return (await publicKeyOf(publicKey).verify(data, signature)) === true
  } catch {
    return false
  }
}

function publicKeyOf (raw: Uint8Array): PublicKey {
  const cacheKey = bytesToHex(raw)
  let key = keyCache.get(cacheKey)
  if (key === undefined) {
    key = publicKeyFromRaw(raw)
    if (keyCache.size >= KEY_CACHE_ENTRIES) {
      // Maps iterate in insertion order, so the first key is the oldest.
      const oldest = keyCache.keys().next().value
      if (oldest !== undefined) keyCache.delete(oldest)
    }
    keyCache.set(cacheKey, key)
  }
  return key
}
