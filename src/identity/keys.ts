import { createPrivateKey, createPublicKey } from 'node:crypto'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'

const IDENTITY_SALT = 'nara:identity:v1'
const IDENTITY_INFO = 'ed25519'
/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

/**
 * Derives the nara's Ed25519 key from its soul seed:
 * HKDF-SHA256(ikm = seed, salt = "nara:identity:v1", info = "ed25519", 32) as the Ed25519 seed.
 * The same key is the libp2p node's private key, so PeerID and NaraID share one key.
 *
 * Synchronous (node:crypto computes the public key) so that an identity, and a
 * MockRuntime, can be built in a constructor.
 */
export function deriveIdentityKey (seed: Uint8Array): Ed25519PrivateKey {
  const keySeed = hkdf(sha256, seed, utf8ToBytes(IDENTITY_SALT), utf8ToBytes(IDENTITY_INFO), 32)
  const privateKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, keySeed)), format: 'der', type: 'pkcs8' })
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
  const publicKey = Buffer.from(jwk.x as string, 'base64url')
  return privateKeyFromRaw(concatBytes(keySeed, publicKey)) as Ed25519PrivateKey
}
