import { MAX_REQUESTS_PER_STREAM } from './constants.js'
import { QuietTimer } from './quiet-timer.js'
import { FrameError, FrameStream, StreamBrokenError } from './frames.js'
import { closeGracefully } from './stream-helpers.js'
import type { Behavior } from '../runtime/behavior.js'
import type { InboundSink, ReplyChannel } from '../runtime/transport.js'
import type { Stream } from '@libp2p/interface'

export interface ServeOptions {
  readonly sink: InboundSink
  readonly behavior: Behavior
  readonly version: number
  /** the sender's Ed25519 key, authenticated by the connection */
  readonly senderKey: Uint8Array
  /** who the sender is, for drop details */
  readonly sender: string
  /** how long a new stream may take to deliver its first request */
  readonly readTimeoutMs: number
  /** how long an open stream may stay quiet between requests before it is closed */
  readonly idleMs: number
  /** how long a reply may wait for the sender to read */
  readonly writeTimeoutMs: number
  readonly stopping: AbortSignal
}

/**
 * Serves one inbound mesh stream: reads length-prefixed request envelopes until
 * the sender closes its end, runs each through the receive pipeline (several at
 * once, at most MAX_REQUESTS_PER_STREAM; beyond that the stream is not read), and
 * writes each reply on the same stream. A frame-level fault (bad prefix, oversize,
 * truncation, a first request that never comes, a reply the sender never reads) is
 * counted and ends the stream; a bad envelope inside a good frame is only that
 * request's problem. Never throws.
 */
export async function serveRequests (stream: Stream, o: ServeOptions): Promise<void> {
  const route = o.behavior.route(o.version)
  const frames = new FrameStream(stream, { maxDataLength: o.behavior.maxEnvelopeBytes, maxBufferedFrames: MAX_REQUESTS_PER_STREAM, writeTimeoutMs: o.writeTimeoutMs })
  const handling = new Set<Promise<void>>()
  let slotFreed: PromiseWithResolvers<void> | undefined
  let first = true
  const dropAndAbort = (problem: FrameError): void => {
    if (!o.stopping.aborted) o.sink.dropped({ code: problem.code, detail: `${route} from ${o.sender}: ${problem.message}` })
    stream.abort(problem)
  }
  // One quiet-timer for the stream's life, restarted before each read (not a timer and signal per request).
  const quiet = new QuietTimer(o.readTimeoutMs, o.stopping)
  try {
    for (;;) {
      while (handling.size >= MAX_REQUESTS_PER_STREAM) {
        quiet.pause() // not reading: a busy stream is not a quiet one
        slotFreed = Promise.withResolvers<void>()
        await slotFreed.promise
      }
      quiet.restart(first ? o.readTimeoutMs : o.idleMs)
      let request: Uint8Array | undefined
      try {
        request = await frames.read({ signal: quiet.signal })
      } catch (err) {
        if (o.stopping.aborted) {
          stream.abort(new Error('this nara is stopping'))
        } else if (!first && quiet.expired && frames.buffered === 0) {
          break // quiet for too long: close like an orderly end
        } else if (err instanceof StreamBrokenError && !first) {
          stream.abort(err) // the sender went away between requests
        } else {
          dropAndAbort(err instanceof FrameError ? err : new FrameError('truncated-frame', (err as Error).message))
        }
        return
      }
      if (request === undefined) {
        if (first) {
          dropAndAbort(new FrameError('truncated-frame', 'the stream ended without a frame'))
          return
        }
        break
      }
      first = false
      const work = o.sink.receive(request, {
        authenticatedKey: o.senderKey,
        negotiatedVersion: o.version,
        routedKind: o.behavior.kind,
        replyChannel: replyChannel(frames, o, route)
      }).then(() => {}, () => {})
      handling.add(work)
      void work.finally(() => {
        handling.delete(work)
        slotFreed?.resolve()
      })
    }
  } finally {
    quiet.stop()
  }
  while (handling.size > 0) await Promise.allSettled([...handling])
  await closeGracefully(stream)
}

/** Writes the one reply a request gets, on the request's own stream; a sender that never reads loses the stream. */
function replyChannel (frames: FrameStream, o: ServeOptions, route: string): ReplyChannel {
  let replied = false
  return {
    reply: async (envelope) => {
      if (replied) throw new Error('this request was already answered')
      replied = true
      try {
        // the stream is aborted when this nara stops, which ends a write waiting for it
        await frames.write(envelope)
      } catch (err) {
        if (err instanceof FrameError && err.code === 'write-timeout') {
          o.sink.dropped({ code: 'write-timeout', detail: `${route} to ${o.sender}: the reply was not read within ${o.writeTimeoutMs} ms` })
          frames.stream.abort(new Error('the sender does not read its replies'))
        }
        throw err
      }
    }
  }
}
