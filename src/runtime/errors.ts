/** A kind was registered twice. */
export class DuplicateKindError extends Error {
  constructor (kind: string) {
    super(`kind "${kind}" is already registered; each kind has exactly one behavior`)
    this.name = 'DuplicateKindError'
  }
}

/** A kind was emitted (or looked up) without a registered behavior. */
export class UnknownKindError extends Error {
  constructor (kind: string) {
    super(`kind "${kind}" is not registered; register its behavior before emitting it`)
    this.name = 'UnknownKindError'
  }
}

/** A behavior declaration is inconsistent (bad kind name, handler without payload, ...). */
export class BehaviorDefinitionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'BehaviorDefinitionError'
  }
}

/** An outgoing payload failed its codec's validation; nothing was sent. */
export class InvalidPayloadError extends Error {
  constructor (kind: string, problem: string) {
    super(`invalid ${kind} payload: ${problem}`)
    this.name = 'InvalidPayloadError'
  }
}

/** A call got no reply in time. */
export class TimeoutError extends Error {
  constructor (kind: string, timeoutMs: number) {
    super(`no reply to ${kind} within ${timeoutMs} ms`)
    this.name = 'TimeoutError'
  }
}

/** The recipient could not be reached (unknown key, no address, dial failed). */
export class UnreachableError extends Error {
  constructor (target: string, why: string) {
    super(`cannot reach ${target}: ${why}`)
    this.name = 'UnreachableError'
  }
}

/** The recipient refused the request and said why (a `runtime:refused` reply). */
export class RefusedError extends Error {
  readonly code: string
  constructor (code: string, reason: string) {
    super(`refused (${code}): ${reason}`)
    this.name = 'RefusedError'
    this.code = code
  }
}

/** The recipient refused the request because the caller exceeded its rate limit. */
export class RateLimitedError extends RefusedError {
  constructor (reason: string) {
    super('rate-limited', reason)
    this.name = 'RateLimitedError'
  }
}

/**
 * Thrown by a handler to refuse a request with a reason the sender should learn.
 * With the `reply` error strategy the runtime answers `runtime:refused { code, reason }`.
 */
export class Refusal extends Error {
  readonly code: string
  constructor (code: string, reason: string) {
    super(reason)
    this.name = 'Refusal'
    this.code = code
  }
}

/** The runtime is not running (not started yet, or stopped). */
export class NotRunningError extends Error {
  constructor (what: string) {
    super(`${what}: the runtime is not running`)
    this.name = 'NotRunningError'
  }
}
