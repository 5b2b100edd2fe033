import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { concatBytes } from '@noble/hashes/utils.js'
import { keyText } from './key-text.js'

/**
 * Ed25519 on Node's crypto, about 18x faster than a JavaScript implementation. A
 * browser build takes `signing.browser.ts` instead (same names, no node:crypto).
 */

/** Signs bytes with one private key. */
export type Signer = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>

/** How many decoded public keys to keep; verification is on the hot receive path. */
const KEY_CACHE_ENTRIES = 1024
const ED25519_PUBLIC_KEY_BYTES = 32
const ED25519_SIGNATURE_BYTES = 64
/** DER headers of Ed25519 keys (RFC 8410): PKCS#8 before the 32-byte seed, SPKI before the 32-byte public key. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

const keyCache = new Map<string, KeyObject>()

/** A node:crypto key for an Ed25519 seed. */
function signingKeyOf (seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' })
}

/** The raw Ed25519 public key of a 32-byte seed, computed at once (an identity is built in a constructor). */
export function publicKeyOfSeed (seed: Uint8Array): Uint8Array {
  const jwk = createPublicKey(signingKeyOf(seed)).export({ format: 'jwk' })
  return Buffer.from(jwk.x as string, 'base64url')
}

/**
 * Signs with a libp2p Ed25519 private key (whose raw form is seed || public key),
 * deterministically. The key object is made once: that costs half of what
 * @libp2p/crypto's sign does, which imports the key anew each time.
 */
export function signerOf (privateKey: Ed25519PrivateKey): Signer {
  const key = signingKeyOf(privateKey.raw.subarray(0, 32))
  return (data) => sign(null, data, key)
}

/**
 * Verifies an Ed25519 signature made by a raw 32-byte public key.
 * Never throws: malformed keys or signatures simply fail verification.
 */
export async function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false
    return verify(null, data, publicKeyOf(publicKey), signature)
  } catch {
    return false
  }
}

function publicKeyOf (raw: Uint8Array): KeyObject {
  const cacheKey = keyText(raw)
  let key = keyCache.get(cacheKey)
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, raw)), format: 'der', type: 'spki' })
    if (keyCache.size >= KEY_CACHE_ENTRIES) {
      // Maps iterate in insertion order, so the first key is the oldest.
      const oldest = keyCache.keys().next().value
      if (oldest !== undefined) keyCache.delete(oldest)
    }
    keyCache.set(cacheKey, key)
  }
  return key
}
