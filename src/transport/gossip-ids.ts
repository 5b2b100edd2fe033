import type { RPC } from '@libp2p/gossipsub/message'
import { toBase64 } from '../platform/platform.js'

/**
 * Gossipsub's cheap duplicate check, done before a message's signature is verified.
 * Without it every copy a mesh peer forwards (about D per message, see GOSSIP_MESH)
 * pays an Ed25519 verification first. Author and sequence number are the id StrictSign
 * messages already have; a forged copy fails verification and is never cached,
 * so it cannot shadow the real message.
 */
export function fastMessageId (msg: RPC.Message): string {
  return `${base64Of(msg.from)}/${base64Of(msg.seqno)}`
}

function base64Of (bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : toBase64(bytes)
}
