import { createPublicKey } from 'node:crypto'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { signingKeyOf } from './signing.js'

const IDENTITY_SALT = 'nara:identity:v1'
const IDENTITY_INFO = 'ed25519'

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
  const privateKey = signingKeyOf(keySeed)
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
  const publicKey = Buffer.from(jwk.x as string, 'base64url')
  return privateKeyFromRaw(concatBytes(keySeed, publicKey)) as Ed25519PrivateKey
}
