import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'

/** signing.ts for browsers: Ed25519 by @libp2p/crypto (WebCrypto where the browser has it). */

const ED25519_PUBLIC_KEY_BYTES = 32
const ED25519_SIGNATURE_BYTES = 64

export type Signer = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>

/** A browser computes Ed25519 keys asynchronously only: identities there come from Identity.createAsync. */
export function publicKeyOfSeed (_seed: Uint8Array): Uint8Array {
  throw new Error('a browser derives Ed25519 keys asynchronously: use Identity.createAsync')
}

export function signerOf (privateKey: Ed25519PrivateKey): Signer {
  return async (data) => await privateKey.sign(data)
}

export async function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false
    return await publicKeyFromRaw(publicKey).verify(data, signature)
  } catch {
    return false
  }
}
