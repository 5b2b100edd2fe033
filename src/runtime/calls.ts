import { RateLimitedError, RefusedError, TimeoutError } from './errors.js'
import { REFUSED_KIND } from './constants.js'
import type { Message } from './message.js'
import { sameBytes } from '../platform/platform.js'
import type { Refusal } from '../../protocols/runtime.js'

interface Pending {
  resolve(msg: Message): void
  reject(err: Error): void
  timer: ReturnType<typeof setTimeout>
  /** only the callee may answer: the NaraID called, or for a call by key, that key */
  from: string | Uint8Array
  /** the kind that answers (besides a refusal); any kind when the behavior declares none */
  replyKind?: string
}

/** What a call waits for. */
export interface Expectation {
  kind: string
  /** the NaraID called, or the public key for a call by key (`Outgoing.toKey`) */
  from: string | Uint8Array
  replyKind?: string
  timeoutMs: number
}

function answeredBy (callee: string | Uint8Array, reply: Message, signerKey?: Uint8Array): boolean {
  if (typeof callee === 'string') return callee === reply.fromId
  return signerKey !== undefined && sameBytes(callee, signerKey)
}

/** Calls waiting for their reply, keyed by request id. No entry outlives its timeout. */
export class CallRegistry {
  private readonly pending = new Map<string, Pending>()

  /** Starts waiting for the reply to `requestId`; the promise rejects with TimeoutError after `timeoutMs`. */
  expect (requestId: string, expected: Expectation): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId)
        reject(new TimeoutError(expected.kind, expected.timeoutMs))
      }, expected.timeoutMs)
      this.pending.set(requestId, { resolve, reject, timer, from: expected.from, ...(expected.replyKind !== undefined ? { replyKind: expected.replyKind } : {}) })
    })
  }

  /**
   * Settles the call this message answers; returns false when no call is waiting
   * for it, or when it comes from another nara or is not of the reply kind.
   * `signerKey` is the key the transport authenticated the reply with, if any.
   */
  settle (reply: Message, signerKey?: Uint8Array): boolean {
    if (reply.inReplyTo === undefined) return false
    const waiting = this.pending.get(reply.inReplyTo)
    if (waiting === undefined || !answeredBy(waiting.from, reply, signerKey)) return false
    if (waiting.replyKind !== undefined && reply.kind !== waiting.replyKind && reply.kind !== REFUSED_KIND) return false
    const call = this.take(reply.inReplyTo)
    if (call == null) return false
    if (reply.kind === REFUSED_KIND) {
      const { code, reason } = reply.payload as Refusal
      call.reject(code === 'rate-limited' ? new RateLimitedError(reason) : new RefusedError(code, reason))
    } else {
      call.resolve(reply)
    }
    return true
  }

  /** Fails a waiting call (e.g. the transport could not deliver the request). */
  abort (requestId: string, err: Error): void {
    this.take(requestId)?.reject(err)
  }

  /** Rejects every waiting call; used on stop. */
  abortAll (err: Error): void {
    for (const id of [...this.pending.keys()]) this.abort(id, err)
  }

  get size (): number {
    return this.pending.size
  }

  private take (requestId: string): Pending | undefined {
    const call = this.pending.get(requestId)
    if (call == null) return undefined
    clearTimeout(call.timer)
    this.pending.delete(requestId)
    return call
  }
}
