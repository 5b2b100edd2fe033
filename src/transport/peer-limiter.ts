interface Slots { active: number, waiting: Array<() => void> }

/**
 * At most `limit` concurrent tasks per key (peer). Waiters are served in order
 * and a freed slot is handed straight to the next one; a waiter whose signal
 * aborts leaves the queue. Idle keys are forgotten.
 */
export class PeerLimiter {
  private readonly slots = new Map<string, Slots>()

  constructor (private readonly limit: number) {}

  /** Waits for a slot; resolves with the function that gives it back (idempotent). */
  async acquire (key: string, signal?: AbortSignal): Promise<() => void> {
    let entry = this.slots.get(key)
    if (entry === undefined) {
      entry = { active: 0, waiting: [] }
      this.slots.set(key, entry)
    }
    const slots = entry
    if (slots.active < this.limit) {
      slots.active++
    } else {
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
    }
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
      if (slots.active === 0) this.slots.delete(key)
    }
  }

  /** Tasks running or waiting for a key (for tests and stats). */
  load (key: string): number {
    const slots = this.slots.get(key)
    return slots === undefined ? 0 : slots.active + slots.waiting.length
  }
}
