import { BehaviorDefinitionError } from './errors.js'
import { parseKind, type Message } from './message.js'
import type { PayloadCodec } from './codec.js'
import { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from './constants.js'

/**
 * - `meshRequest`: direct to one nara over a stream protocol, never broadcast; its sender is
 *   the stream's Noise-authenticated key (and a nara signature too when declared `.signed()`).
 * - `broadcast`: to everyone on a gossipsub topic, signed by its gossipsub message (one signature).
 * - `local`: in-process only, never serialised to the network.
 */
export type Template = 'meshRequest' | 'broadcast' | 'local'

/** What runs for each accepted message of a version: the verified message and its decoded payload. */
export type Handler<P> = (msg: Message<P>, payload: P) => void | Promise<void>

/** Token bucket per sender and kind: `burst` messages at once, refilled at `perSecond`. */
export interface RateLimit { perSecond: number, burst: number }

/**
 * What happens when a handler throws:
 * - `reply`: the sender gets `runtime:refused` (the code and reason of a thrown `Refusal`,
 *   otherwise "handler-failed" without internal details); the error is logged.
 * - `log`: the error is logged and nobody is told.
 */
export type ErrorStrategy = 'reply' | 'log'

/** One payload version of a behavior: its codec and, for network kinds, its handler. */
export interface VersionSpec {
  readonly version: number
  readonly codec: PayloadCodec<unknown>
  handler?: Handler<unknown>
}

/**
 * The declaration of one message kind: how it travels, its payload per version,
 * its handlers and limits. Built with a template and chainable modifiers:
 *
 * ```ts
 * rt.register(meshRequest('stash:store', 'Store data')
 *   .withPayload(StashStoreCodec)
 *   .withHandler(1, (msg, p) => this.handleStoreV1(msg, p)))
 * ```
 */
export class Behavior<P = unknown> {
  readonly kind: string
  readonly service: string
  readonly op: string
  readonly description: string
  readonly template: Template
  readonly versions = new Map<number, VersionSpec>()
  rateLimit?: RateLimit
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS
  maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES
  errorStrategy: ErrorStrategy
  replyKind?: string
  /** keep the last verified envelope of this kind from each sender, to relay (see `retained`) */
  retainLast = false
  /** a mesh kind whose envelopes carry the sender's nara signature (see `signed`) */
  signsEnvelopes = false

  constructor (template: Template, kind: string, description: string) {
    const parts = parseKind(kind)
    if (parts == null) {
      throw new BehaviorDefinitionError(`kind "${kind}" must look like "service:op" (lowercase letters, digits, '-')`)
    }
    this.kind = kind
    this.service = parts.service
    this.op = parts.op
    this.description = description
    this.template = template
    this.errorStrategy = template === 'meshRequest' ? 'reply' : 'log'
  }

  /** Declares the payload codec of a version (default 1). Later handlers are typed by it. */
  withPayload<Q> (codec: PayloadCodec<Q>, version = 1): Behavior<Q> {
    if (!Number.isInteger(version) || version < 1) {
      throw new BehaviorDefinitionError(`${this.kind}: version must be a positive integer, got ${version}`)
    }
    if (this.versions.has(version)) {
      throw new BehaviorDefinitionError(`${this.kind}: payload v${version} is declared twice`)
    }
    this.versions.set(version, { version, codec: codec as PayloadCodec<unknown> })
    return this as unknown as Behavior<Q>
  }

  /** The handler for messages of exactly this version; other versions never reach it. */
  withHandler (version: number, handler: Handler<P>): this {
    const spec = this.versions.get(version)
    if (spec == null) {
      throw new BehaviorDefinitionError(`${this.kind}: declare the v${version} payload with withPayload before its handler`)
    }
    if (this.template === 'local') {
      throw new BehaviorDefinitionError(`${this.kind}: local kinds are delivered to subscribers (rt.on), not to a handler`)
    }
    spec.handler = handler as Handler<unknown>
    return this
  }

  /** Per-sender rate limit for incoming messages of this kind. */
  withRateLimit (perSecond: number, burst = Math.max(1, Math.ceil(perSecond))): this {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new BehaviorDefinitionError(`${this.kind}: rate limit needs perSecond > 0 and burst >= 1`)
    }
    this.rateLimit = { perSecond, burst }
    return this
  }

  /** How long `call` waits for the reply to this kind. */
  withTimeout (timeoutMs: number): this {
    this.timeoutMs = positive(this.kind, 'timeout', timeoutMs)
    return this
  }

  /** The largest envelope of this kind accepted on the wire (and emitted). */
  withMaxSize (bytes: number): this {
    this.maxEnvelopeBytes = positive(this.kind, 'max size', bytes)
    return this
  }

  /** What happens when this kind's handler throws (see ErrorStrategy). */
  onError (strategy: ErrorStrategy): this {
    this.errorStrategy = strategy
    return this
  }

  /**
   * The runtime keeps the last verified message of this broadcast kind from each
   * sender, as it arrived and with the signature of its broadcast, so a service can hand
   * it to a nara that missed it (`rt.retained(kind)` there, `rt.deliverRelayed(kind, ...)`
   * at the other end, which checks that signature against the sender's key). For state that each nara announces, such as presence:
   * a newer announcement supersedes an older one, so of those made while no peer listened yet
   * only the newest is delivered once one does.
   */
  retained (): this {
    if (this.template !== 'broadcast') throw new BehaviorDefinitionError(`${this.kind}: only broadcast kinds can be retained`)
    this.retainLast = true
    return this
  }

  /**
   * Every envelope of this mesh kind carries its sender's Ed25519 signature, verified on
   * receipt besides the stream's key: for a message the receiver keeps as evidence or
   * hands to a third party, who cannot see the stream it came on. Unsigned mesh kinds
   * (the default) are proven by the stream's Noise-authenticated key alone; a broadcast
   * is proven by its gossipsub message's signature, its one signature.
   */
  signed (): this {
    if (this.template !== 'meshRequest') throw new BehaviorDefinitionError(`${this.kind}: only mesh kinds are declared signed (a broadcast is signed by its gossip message)`)
    this.signsEnvelopes = true
    return this
  }

  /** Documents (and exposes to tooling) the kind that answers this request. */
  repliesWith (kind: string): this {
    this.replyKind = kind
    return this
  }

  /** Versions newest first: the order a dialer offers them in. */
  versionsNewestFirst (): number[] {
    return [...this.versions.keys()].sort((a, b) => b - a)
  }

  /** The highest payload version declared: what emit sends unless told otherwise. */
  newestVersion (): number {
    const newest = this.versionsNewestFirst()[0]
    if (newest === undefined) {
      throw new BehaviorDefinitionError(`${this.kind}: no payload declared; call withPayload`)
    }
    return newest
  }

  /** Stream protocol of a mesh version, or the gossipsub topic of a broadcast. */
  route (version?: number): string {
    if (this.template === 'broadcast') return `/nara/${this.service}/${this.op}`
    if (this.template === 'meshRequest') return `/nara/${this.service}/${this.op}/${version ?? this.newestVersion()}`
    return `local:${this.kind}`
  }
}

function positive (kind: string, what: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new BehaviorDefinitionError(`${kind}: ${what} must be a positive number, got ${value}`)
  }
  return value
}

/** A direct request to one nara over a stream protocol `/nara/<svc>/<op>/<version>`. */
export function meshRequest (kind: string, description: string): Behavior {
  return new Behavior('meshRequest', kind, description)
}

/** A message to every nara, on the gossipsub topic `/nara/<svc>/<op>`. */
export function broadcast (kind: string, description: string): Behavior {
  return new Behavior('broadcast', kind, description)
}

/** An in-process event between services; never leaves the node. */
export function local (kind: string, description: string): Behavior {
  return new Behavior('local', kind, description)
}
