interface Slots { active: number, waiting: Array<() => void> }

/**
 * At most `limit` concurrent tasks per key (peer). Waiters are served in order
 * and a freed slot is handed straight to the next one; a waiter whose signal
 * aborts leaves the queue. Idle keys are forgotten.
 */
export class PeerLimiter {
  private readonly slots = new Map<string, Slots>()

  constructor (private readonly limit: number) {}

  /** A free slot at once, with the function that gives it back (idempotent); undefined when all are taken. */
  tryAcquire (key: string): (() => void) | undefined {
    const slots = this.slotsOf(key)
    if (slots.active >= this.limit) return undefined
    slots.active++
    return this.releaser(key, slots)
  }

  /** Waits for a slot; resolves with the function that gives it back (idempotent). */
  async acquire (key: string, signal?: AbortSignal): Promise<() => void> {
    const free = this.tryAcquire(key)
    if (free !== undefined) return free
    const slots = this.slotsOf(key)
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        slots.waiting = slots.waiting.filter(w => w !== wake)
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
      }
      if (signal?.aborted === true) { onAbort(); return }
      signal?.addEventListener('abort', onAbort, { once: true })
      slots.waiting.push(wake)
    })
    return this.releaser(key, slots)
  }

  private slotsOf (key: string): Slots {
    let slots = this.slots.get(key)
    if (slots === undefined) {
      slots = { active: 0, waiting: [] }
      this.slots.set(key, slots)
    }
    return slots
  }

  private releaser (key: string, slots: Slots): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = slots.waiting.shift()
      if (next !== undefined) {
        next() // the slot passes on without ever being free
        return
      }
      slots.active--
      if (slots.active === 0 && slots.waiting.length === 0) this.slots.delete(key)
    }
  }

  /** Tasks running or waiting for a key (for tests and stats). */
  load (key: string): number {
    const slots = this.slots.get(key)
    return slots === undefined ? 0 : slots.active + slots.waiting.length
  }
}
