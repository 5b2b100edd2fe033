import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { sameBytes } from '../platform/platform.js'

/** Ed25519 public keys are 32 raw bytes; nara identities are always Ed25519. */
const ED25519_KEY_BYTES = 32

/**
 * PeerIds already made, by the key array they were made from (a keyring entry's
 * key is the same array on every request): building one and its base58 text costs
 * more than a request's framing. Each entry keeps a copy of the bytes, so an array
 * changed since is not taken for the key it held.
 */
const made = new WeakMap<Uint8Array, { bytes: Uint8Array, peer: PeerId }>()

/**
 * The libp2p PeerId of a nara's raw Ed25519 public key (the nara key is the node key).
 *
 * @throws {Error} when the bytes are not an Ed25519 public key
 */
export function peerIdOfKey (publicKey: Uint8Array): PeerId {
  const cached = made.get(publicKey)
  if (cached !== undefined && sameBytes(cached.bytes, publicKey)) return cached.peer
  if (publicKey.byteLength !== ED25519_KEY_BYTES) {
    throw new Error(`expected a ${ED25519_KEY_BYTES}-byte Ed25519 public key, got ${publicKey.byteLength} bytes`)
  }
  const peer = peerIdFromPublicKey(publicKeyFromRaw(publicKey))
  made.set(publicKey, { bytes: Uint8Array.from(publicKey), peer })
  return peer
}

/** The raw Ed25519 public key an (Ed25519) PeerId carries; undefined for other key types. */
export function keyOfPeerId (peerId: PeerId): Uint8Array | undefined {
  return peerId.type === 'Ed25519' ? peerId.publicKey.raw : undefined
}
