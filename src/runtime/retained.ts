import type { NaraID } from '../identity/index.js'

/**
 * A broadcast as its sender made it, what another nara relays: its envelope, its
 * sender's public key, and the proof that key broadcast it (the transport's signature of
 * the broadcast; empty when the envelope carries a nara signature instead). Anyone can
 * verify it, so any nara can pass it on. Services treat it as opaque.
 */
export interface RelayedMessage {
  readonly publicKey: Uint8Array
  readonly envelope: Uint8Array
  readonly proof: Uint8Array
}

/** A relayable message this nara accepted. */
export interface RetainedMessage extends RelayedMessage {
  /** the claimed sender (checked again when the message is delivered) */
  readonly fromId: NaraID
  /** when this nara accepted it (ms since the Unix epoch) */
  readonly receivedAt: number
}

/** The last accepted message from each sender, bounded: the least recently heard sender goes first. */
export class RetainedMessages {
  private readonly bySender = new Map<NaraID, RetainedMessage>()

  constructor (private readonly capacity: number) {}

  keep (message: RetainedMessage): void {
    this.bySender.delete(message.fromId)
    this.bySender.set(message.fromId, message)
    if (this.bySender.size > this.capacity) this.bySender.delete(this.bySender.keys().next().value as NaraID)
  }

  /** Messages accepted within `maxAgeMs`, most recent first. */
  recent (now: number, maxAgeMs: number): RetainedMessage[] {
    return [...this.bySender.values()].filter(m => now - m.receivedAt <= maxAgeMs).reverse()
  }
}
