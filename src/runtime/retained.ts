import type { NaraID } from '../identity/index.js'

/**
 * A message exactly as it was signed, with its sender's public key: anyone can
 * verify it, so any nara can pass it on. Services treat it as opaque.
 */
export interface RetainedMessage {
  /** the claimed sender (checked again when the message is delivered) */
  readonly fromId: NaraID
  readonly publicKey: Uint8Array
  readonly envelope: Uint8Array
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
