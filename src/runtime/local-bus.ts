import type { Message } from './message.js'

export type Subscriber = (msg: Message) => void | Promise<void>

/** In-process delivery of messages to the services that subscribed to their kind. */
export class LocalBus {
  private readonly subscribers = new Map<string, Set<Subscriber>>()

  subscribe (kind: string, subscriber: Subscriber): () => void {
    let set = this.subscribers.get(kind)
    if (set == null) {
      set = new Set()
      this.subscribers.set(kind, set)
    }
    set.add(subscriber)
    return () => { set.delete(subscriber) }
  }

  /**
   * Calls every subscriber of the message's kind, one after another; one failing
   * subscriber does not stop the others. Returns how many were called.
   */
  async deliver (msg: Message, onError: (err: unknown) => void): Promise<number> {
    const set = this.subscribers.get(msg.kind)
    if (set == null) return 0
    const subscribers = [...set]
    for (const subscriber of subscribers) {
      try {
        await subscriber(msg)
      } catch (err) {
        onError(err)
      }
    }
    return subscribers.length
  }
}
