/** An abort signal that fires after `ms` or when any parent signal aborts, and says which happened. */
export interface Deadline {
  readonly signal: AbortSignal
  /** true when the time ran out (rather than a parent aborting) */
  readonly expired: boolean
  /** Stops the timer and detaches from the parents; call it when the work is done. */
  clear(): void
}

/**
 * Like `AbortSignal.any([AbortSignal.timeout(ms), ...parents])`, but detaches
 * from long-lived parents when cleared, so the transport's stop signal does not
 * collect a listener per request.
 */
export function deadline (ms: number, ...parents: Array<AbortSignal | undefined>): Deadline {
  const controller = new AbortController()
  let expired = false
  const attached = parents.filter((p): p is AbortSignal => p !== undefined)
  const onParentAbort = (): void => {
    const reason: unknown = attached.find(p => p.aborted)?.reason
    controller.abort(reason instanceof Error ? reason : new Error('aborted'))
  }
  const timer = setTimeout(() => {
    expired = true
    controller.abort(new Error(`timed out after ${ms} ms`))
  }, ms)
  for (const parent of attached) {
    if (parent.aborted) onParentAbort()
    else parent.addEventListener('abort', onParentAbort, { once: true })
  }
  return {
    signal: controller.signal,
    get expired () { return expired },
    clear () {
      clearTimeout(timer)
      for (const parent of attached) parent.removeEventListener('abort', onParentAbort)
    }
  }
}
