import { generateKeyPairFromSeed, privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { publicKeyOfSeed } from './signing.js'

const IDENTITY_SALT = 'nara:identity:v1'
const IDENTITY_INFO = 'ed25519'

/**
 * Derives the nara's Ed25519 key from its soul seed:
 * HKDF-SHA256(ikm = seed, salt = "nara:identity:v1", info = "ed25519", 32) as the Ed25519 seed.
 * The same key is the libp2p node's private key, so PeerID and NaraID share one key.
 *
 * Synchronous (node:crypto computes the public key) so that an identity, and a
 * MockRuntime, can be built in a constructor; a browser has only the async
 * {@link deriveIdentityKeyAsync}.
 */
export function deriveIdentityKey (seed: Uint8Array): Ed25519PrivateKey {
  const keySeed = identityKeySeed(seed)
  return privateKeyFromRaw(concatBytes(keySeed, publicKeyOfSeed(keySeed))) as Ed25519PrivateKey
}

/** The same key as {@link deriveIdentityKey}, by @libp2p/crypto: what a browser can compute. */
export async function deriveIdentityKeyAsync (seed: Uint8Array): Promise<Ed25519PrivateKey> {
  return await generateKeyPairFromSeed('Ed25519', identityKeySeed(seed))
}

function identityKeySeed (seed: Uint8Array): Uint8Array {
  return hkdf(sha256, seed, utf8ToBytes(IDENTITY_SALT), utf8ToBytes(IDENTITY_INFO), 32)
}
