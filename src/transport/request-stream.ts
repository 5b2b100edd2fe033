import { Envelope } from '../runtime/message.js'
import { RefusedError, UnreachableError } from '../runtime/errors.js'
import { MAX_REQUESTS_PER_STREAM } from './constants.js'
import { FrameError, FrameStream, StreamBrokenError } from './frames.js'
import { closeGracefully, raceSignal } from './stream-helpers.js'
import type { InboundSink, ReceiveOutcome, Recipient } from '../runtime/transport.js'
import type { Logger, Stream } from '@libp2p/interface'

export interface RequestStreamOptions {
  readonly to: Recipient
  /** the payload version the stream's protocol settled */
  readonly version: number
  /** the largest reply accepted */
  readonly maxReplyBytes: number
  /** close the stream after this long without a request in flight */
  readonly idleMs: number
  readonly sink: () => InboundSink | undefined
  readonly log: Logger
}

interface Waiting {
  resolve(outcome: ReceiveOutcome): void
  reject(err: Error): void
}

/** Ids of requests sent without waiting, remembered so a refusal of one is not taken for a stray reply. */
const UNAWAITED_IDS = 256

/**
 * One long-lived outbound stream to a peer for one mesh protocol: requests go
 * out as length-prefixed envelopes, many in flight at once, and each reply is
 * matched to its request by `inReplyTo`. A reply nobody waits for is dropped
 * (`unknown-reply`) before it is verified. When the stream breaks, only the
 * requests in flight on it fail; the pool then opens a fresh one.
 */
export class RequestStream {
  private readonly frames: FrameStream
  private readonly waiting = new Map<string, Waiting>()
  private readonly unawaited = new Set<string>()
  private readonly closedCallbacks: Array<() => void> = []
  private users = 0
  private idleTimer?: ReturnType<typeof setTimeout>
  private failure?: Error

  constructor (readonly stream: Stream, private readonly options: RequestStreamOptions) {
    this.frames = new FrameStream(stream, { maxDataLength: options.maxReplyBytes, maxBufferedFrames: MAX_REQUESTS_PER_STREAM })
    void this.readReplies()
  }

  get version (): number {
    return this.options.version
  }

  /** True once the stream can carry no more requests. */
  get closed (): boolean {
    return this.failure !== undefined
  }

  onClosed (callback: () => void): void {
    this.closedCallbacks.push(callback)
  }

  /** Marks the stream in use (it will not idle-close); `release` undoes it. */
  hold (): void {
    this.users++
    clearTimeout(this.idleTimer)
  }

  release (): void {
    if (--this.users > 0 || this.closed) return
    this.idleTimer = setTimeout(() => { this.close(new RefusedError('no-reply', 'the stream was closed while idle')) }, this.options.idleMs)
  }

  /**
   * Sends one request. With `awaitReply`, resolves with what the receive pipeline
   * made of the reply; rejects with the stream's failure, or the signal's reason.
   */
  async request (id: string, envelope: Uint8Array, awaitReply: boolean, signal: AbortSignal): Promise<ReceiveOutcome | undefined> {
    if (this.failure !== undefined) throw this.failure
    let reply: Promise<ReceiveOutcome> | undefined
    if (awaitReply) {
      reply = new Promise<ReceiveOutcome>((resolve, reject) => {
        // the signal's abort (the request's deadline) ends the wait; a settled wait stops listening
        const onAbort = (): void => { reject(signal.reason) }
        signal.addEventListener('abort', onAbort, { once: true })
        this.waiting.set(id, {
          resolve: (outcome) => { signal.removeEventListener('abort', onAbort); resolve(outcome) },
          reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err) }
        })
      })
      // settled by fail() even when this request has stopped waiting (deadline)
      reply.catch(() => {})
    }
    try {
      try {
        await this.frames.write(envelope, { signal })
      } catch (err) {
        // A peer that does not drain its end holds our buffered frames: give the stream up.
        this.fail(new UnreachableError(this.options.to.id, `writing to the stream failed: ${(err as Error).message}`))
        throw err
      }
      if (reply === undefined) {
        this.rememberUnawaited(id)
        return undefined
      }
      return await reply
    } finally {
      this.waiting.delete(id)
    }
  }

  /** Closes our end; requests still in flight fail with `reason`. */
  close (reason: Error): void {
    if (this.fail(reason)) void closeGracefully(this.stream)
  }

  /** Aborts the stream; requests in flight fail with `reason`. */
  abort (reason: Error): void {
    if (this.fail(reason)) this.stream.abort(reason)
  }

  private async readReplies (): Promise<void> {
    const to = this.options.to
    for (;;) {
      let frame: Uint8Array | undefined
      try {
        frame = await this.frames.read()
      } catch (err) {
        if (this.closed) return
        if (err instanceof FrameError) {
          this.options.sink()?.dropped({ code: err.code, detail: `reply stream of ${to.id}: ${err.message}` })
          this.abort(new RefusedError('bad-reply', err.message))
        } else {
          const why = err instanceof StreamBrokenError ? err.message : String(err)
          this.abort(new UnreachableError(to.id, `the stream broke: ${why}`))
        }
        return
      }
      if (frame === undefined) {
        this.close(new RefusedError('no-reply', `${to.id} closed the stream without replying`))
        return
      }
      this.onReply(frame)
    }
  }

  private onReply (frame: Uint8Array): void {
    const sink = this.options.sink()
    if (sink === undefined) return
    let envelope: Envelope
    try {
      envelope = Envelope.decode(frame)
    } catch (err) {
      sink.dropped({ code: 'malformed-envelope', detail: `reply from ${this.options.to.id}: ${(err as Error).message}` })
      return
    }
    const waiting = this.waiting.get(envelope.inReplyTo)
    if (waiting === undefined) {
      if (this.unawaited.has(envelope.inReplyTo)) {
        this.options.log('%s answered %s, which was sent without waiting; ignored', envelope.kind, envelope.inReplyTo)
      } else {
        sink.dropped({ code: 'unknown-reply', detail: `${envelope.kind} from ${this.options.to.id} answers ${envelope.inReplyTo}, which nothing here waits for` })
      }
      return
    }
    this.waiting.delete(envelope.inReplyTo)
    sink.receive(frame, { authenticatedKey: this.options.to.publicKey, envelope })
      .then(outcome => { waiting.resolve(outcome) }, (err: Error) => { waiting.reject(err) })
  }

  private rememberUnawaited (id: string): void {
    if (this.unawaited.size >= UNAWAITED_IDS) {
      const oldest = this.unawaited.values().next().value
      if (oldest !== undefined) this.unawaited.delete(oldest)
    }
    this.unawaited.add(id)
  }

  /** Records the first failure and fails every waiting request; false when already failed. */
  private fail (reason: Error): boolean {
    if (this.failure !== undefined) return false
    this.failure = reason
    clearTimeout(this.idleTimer)
    for (const waiting of this.waiting.values()) waiting.reject(reason)
    this.waiting.clear()
    for (const callback of this.closedCallbacks) callback()
    return true
  }
}

/**
 * The open request streams, one per (peer, kind); concurrent first requests share one dial.
 */
export class RequestStreams {
  private readonly open = new Map<string, RequestStream>()
  private readonly opening = new Map<string, Promise<RequestStream>>()

  /** The open stream for `key`, held for the caller until it calls `release`; undefined when none is open. */
  tryAcquire (key: string): RequestStream | undefined {
    const stream = this.open.get(key)
    stream?.hold()
    return stream
  }

  /** The stream for `key`, opened with `dial` when there is none; held for the caller until it calls `release`. */
  async acquire (key: string, dial: () => Promise<RequestStream>, signal: AbortSignal): Promise<RequestStream> {
    let stream = this.open.get(key)
    if (stream === undefined) {
      let pending = this.opening.get(key)
      if (pending === undefined) {
        pending = dial().then((opened) => {
          this.open.set(key, opened)
          opened.onClosed(() => { if (this.open.get(key) === opened) this.open.delete(key) })
          return opened
        }).finally(() => this.opening.delete(key))
        pending.catch(() => {})
        this.opening.set(key, pending)
      }
      stream = await raceSignal(pending, signal)
    }
    stream.hold()
    return stream
  }

  /** Open streams (for tests and stats). */
  get size (): number {
    return this.open.size
  }

  abortAll (reason: Error): void {
    for (const stream of [...this.open.values()]) stream.abort(reason)
  }
}
