/**
 * An abort signal for a long-lived reader that fires when it has waited too long
 * for its next input, or when a parent aborts. One timer serves every read:
 * `restart` re-arms it, where a deadline per read would cost a controller, a
 * timer and a listener on the parent each time.
 */
export class QuietTimer {
  private readonly controller = new AbortController()
  private timer: ReturnType<typeof setTimeout>
  private ms: number
  private paused = false
  private fired = false
  private readonly onParentAbort = (): void => {
    const reason: unknown = this.parent.reason
    this.controller.abort(reason instanceof Error ? reason : new Error('aborted'))
  }

  constructor (ms: number, private readonly parent: AbortSignal) {
    this.ms = ms
    this.timer = this.arm(ms)
    if (parent.aborted) this.onParentAbort()
    else parent.addEventListener('abort', this.onParentAbort, { once: true })
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** True when the time ran out (rather than the parent aborting). */
  get expired (): boolean {
    return this.fired
  }

  /** Starts the wait again from now, for `ms`; a no-op once the signal has aborted. */
  restart (ms: number): void {
    if (this.controller.signal.aborted) return
    // Node re-arms its timer object in place; a browser's timer is a number, armed anew below
    if (ms === this.ms && !this.paused && typeof this.timer === 'object') {
      this.timer.refresh()
      return
    }
    // refresh() keeps the timer's duration: another duration needs another timer
    clearTimeout(this.timer)
    this.ms = ms
    this.paused = false
    this.timer = this.arm(ms)
  }

  /** Stops counting until the next `restart` (while the reader is not waiting for input). */
  pause (): void {
    clearTimeout(this.timer)
    this.paused = true
  }

  /** Stops the timer and detaches from the parent. */
  stop (): void {
    clearTimeout(this.timer)
    this.parent.removeEventListener('abort', this.onParentAbort)
  }

  private arm (ms: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      this.fired = true
      this.controller.abort(new Error(`quiet for ${ms} ms`))
    }, ms)
  }
}
