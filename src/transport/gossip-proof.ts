import { RPC } from '@libp2p/gossipsub/message'
import { verifySignature } from '../identity/index.js'
import { peerIdOfKey } from './peer-ids.js'

/**
 * What proves who broadcast a nara envelope: its gossipsub message's signature. A signed
 * gossipsub message (StrictSign) is signed over "libp2p-pubsub:" and the message encoded
 * with its author's PeerId, data, sequence number and topic; given the author's key, the
 * data and the topic, the sequence number (8 bytes, big-endian) and the signature are all
 * a third party needs to check it. The proof is those two, in that order.
 */
const SEQNO_BYTES = 8
const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

export function gossipProof (sequenceNumber: bigint, signature: Uint8Array): Uint8Array {
  const proof = new Uint8Array(SEQNO_BYTES + signature.byteLength)
  new DataView(proof.buffer).setBigUint64(0, sequenceNumber, false)
  proof.set(signature, SEQNO_BYTES)
  return proof
}

/** Whether `proof` shows that the holder of `publicKey` published `data` on `topic`. Never throws. */
export async function verifyGossipProof (topic: string, publicKey: Uint8Array, data: Uint8Array, proof: Uint8Array): Promise<boolean> {
  if (proof.byteLength <= SEQNO_BYTES) return false
  let from: Uint8Array
  try {
    from = peerIdOfKey(publicKey).toMultihash().bytes
  } catch {
    return false // not an Ed25519 key
  }
  const message = RPC.Message.encode({ from, data, seqno: proof.subarray(0, SEQNO_BYTES), topic })
  const signed = new Uint8Array(SIGN_PREFIX.byteLength + message.byteLength)
  signed.set(SIGN_PREFIX)
  signed.set(message, SIGN_PREFIX.byteLength)
  return await verifySignature(publicKey, signed, proof.subarray(SEQNO_BYTES))
}
