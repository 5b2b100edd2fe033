import { byteStream, type ByteStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import type { AbortOptions, Stream } from '@libp2p/interface'
import { nextTick } from '../platform/platform.js'

/** Why a frame could not be read or written; each is also the drop code the runtime counts. */
export type FrameErrorCode = 'oversize-frame' | 'truncated-frame' | 'bad-frame' | 'read-timeout' | 'write-timeout'

/** A length-prefixed frame could not be read from (or written to) a stream. */
export class FrameError extends Error {
  readonly code: FrameErrorCode
  constructor (code: FrameErrorCode, detail: string) {
    super(detail)
    this.name = 'FrameError'
    this.code = code
  }
}

/** The stream failed (reset, connection lost) between frames: nothing was cut short. */
export class StreamBrokenError extends Error {
  constructor (detail: string) {
    super(detail)
    this.name = 'StreamBrokenError'
  }
}

/** 7 varint bytes hold 49 bits: any real length, and a bigger prefix is garbage, not a size. */
const MAX_PREFIX_BYTES = 7

export interface FrameStreamOptions {
  /** the largest frame accepted */
  readonly maxDataLength: number
  /** how many of the largest frames may wait unread (requests in flight on one stream) @default 1 */
  readonly maxBufferedFrames?: number
  /** how long a write may wait for a full stream to drain before it fails with `write-timeout` @default no limit */
  readonly writeTimeoutMs?: number
}

/** Frames written in one tick, sent as one: one muxer frame, one encrypted message. */
interface Batch {
  readonly frames: Uint8Array[]
  /** their bytes with length prefixes */
  bytes: number
  readonly sent: PromiseWithResolvers<void>
  /** the writers' signals: any of them aborting gives up waiting for a full stream */
  readonly signals: AbortSignal[]
}

/**
 * One stream carrying unsigned-varint length-prefixed frames, the same wire
 * format as `lpStream` from @libp2p/utils. Reading is done by hand so that a
 * clean end between frames, a truncated frame, an oversize length, a garbage
 * prefix and a stream broken between frames can be told apart. Frames written
 * in the same tick (many requests or replies in flight) leave in one
 * `stream.send`: each send costs a muxer frame, a window update back, an
 * encrypted message and socket writes, whatever its size.
 */
export class FrameStream {
  private readonly bytes: ByteStream<Stream>
  private readonly pending = new Uint8ArrayList()
  private readonly maxDataLength: number
  private readonly writeTimeoutMs?: number
  /** frames written this tick, not yet handed to the stream */
  private queued?: Batch
  /** batches waiting for the stream to drain, in order */
  private backlog?: Promise<void>

  constructor (readonly stream: Stream, options: FrameStreamOptions) {
    this.maxDataLength = options.maxDataLength
    if (options.writeTimeoutMs !== undefined) this.writeTimeoutMs = options.writeTimeoutMs
    // Never buffer much more than the frames allowed in flight: a flood aborts the stream.
    this.bytes = byteStream(stream, { maxBufferSize: (options.maxBufferedFrames ?? 1) * (options.maxDataLength + MAX_PREFIX_BYTES) + 1 })
  }

  /** Bytes of a frame received but not yet complete. */
  get buffered (): number {
    return this.pending.byteLength
  }

  /** Reads one frame; undefined when the stream ended cleanly between frames. */
  async read (options: AbortOptions = {}): Promise<Uint8Array | undefined> {
    let header: { length: number, prefixBytes: number } | undefined
    for (;;) {
      header ??= this.header()
      if (header !== undefined && this.pending.byteLength >= header.prefixBytes + header.length) {
        const end = header.prefixBytes + header.length
        const frame = this.pending.subarray(header.prefixBytes, end)
        this.pending.consume(end)
        return frame
      }
      let chunk: Uint8ArrayList | null
      try {
        chunk = await this.bytes.read(options)
      } catch (err) {
        throw classify(err, options.signal, this.pending.byteLength)
      }
      if (chunk === null) {
        if (this.pending.byteLength === 0) return undefined
        throw new FrameError('truncated-frame', `stream ended after ${this.pending.byteLength} bytes of a frame`)
      }
      this.pending.append(chunk)
    }
  }

  /**
   * Writes one frame with the others written in this tick. Resolves once the
   * stream took them, after it drained when its buffer was full; rejects when the
   * stream closes, a writer's signal aborts, or (`write-timeout`) it does not
   * drain in time.
   */
  async write (frame: Uint8Array, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    let batch = this.queued
    if (batch === undefined) {
      batch = this.queued = { frames: [], bytes: 0, sent: Promise.withResolvers<void>(), signals: [] }
      nextTick(this.flush)
    }
    batch.frames.push(frame)
    batch.bytes += varintLength(frame.byteLength) + frame.byteLength
    if (options.signal !== undefined) batch.signals.push(options.signal)
    await batch.sent.promise
  }

  private readonly flush = (): void => {
    const batch = this.queued
    if (batch === undefined) return
    this.queued = undefined
    const data = joined(batch)
    if (this.backlog === undefined && !this.stream.writableNeedsDrain) {
      let accepted: boolean
      try {
        accepted = this.stream.send(data)
      } catch (err) {
        batch.sent.reject(err)
        return
      }
      if (accepted) {
        batch.sent.resolve()
        return
      }
      this.queueBehind(batch, async () => { await this.drained(batch.signals) })
      return
    }
    // The stream is full: this batch goes out once it drains, after those already waiting.
    this.queueBehind(batch, async () => {
      await this.drained(batch.signals)
      if (!this.stream.send(data)) await this.drained(batch.signals)
    })
  }

  private queueBehind (batch: Batch, work: () => Promise<void>): void {
    const backlog = (this.backlog ?? Promise.resolve()).then(work)
    this.backlog = backlog
    backlog.then(() => { batch.sent.resolve() }, (err: Error) => { batch.sent.reject(err) })
      .finally(() => { if (this.backlog === backlog) this.backlog = undefined })
  }

  /** Resolves when the stream drains; rejects when it closes, a signal aborts, or the write timeout passes. */
  private async drained (signals: AbortSignal[]): Promise<void> {
    if (!this.stream.writableNeedsDrain) return
    const stream = this.stream
    await new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = (err?: Error): void => {
        clearTimeout(timer)
        stream.removeEventListener('drain', onDrain)
        stream.removeEventListener('close', onClose)
        for (const s of signals) s.removeEventListener('abort', onAbort)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onDrain = (): void => { done() }
      const onClose = (evt: Event): void => { done((evt as Event & { error?: Error }).error ?? new StreamBrokenError('the stream closed')) }
      const onAbort = (): void => {
        const reason: unknown = signals.find(s => s.aborted)?.reason
        done(reason instanceof Error ? reason : new Error('aborted'))
      }
      const aborted = signals.find(s => s.aborted)
      if (aborted !== undefined) { onAbort(); return }
      stream.addEventListener('drain', onDrain)
      stream.addEventListener('close', onClose)
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true })
      if (this.writeTimeoutMs !== undefined) {
        const ms = this.writeTimeoutMs
        timer = setTimeout(() => { done(new FrameError('write-timeout', `the stream did not drain within ${ms} ms`)) }, ms)
      }
    })
  }

  /** Decodes the length prefix once enough bytes are there; throws on a bad or oversize one. */
  private header (): { length: number, prefixBytes: number } | undefined {
    let value = 0
    const available = Math.min(this.pending.byteLength, MAX_PREFIX_BYTES)
    for (let i = 0; i < available; i++) {
      const byte = this.pending.get(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) {
        if (value > this.maxDataLength) {
          throw new FrameError('oversize-frame', `frame of ${value} bytes exceeds the ${this.maxDataLength}-byte limit`)
        }
        return { length: value, prefixBytes: i + 1 }
      }
    }
    if (this.pending.byteLength >= MAX_PREFIX_BYTES) {
      throw new FrameError('bad-frame', `length prefix longer than ${MAX_PREFIX_BYTES} bytes`)
    }
    return undefined
  }
}

function classify (err: unknown, signal: AbortSignal | undefined, pending: number): Error {
  if (err instanceof FrameError) return err
  const error = err instanceof Error ? err : new Error(String(err))
  if (signal?.aborted === true) return new FrameError('read-timeout', 'no complete frame in time')
  if (error.name === 'StreamBufferError') return new FrameError('oversize-frame', error.message)
  if (pending === 0) return new StreamBrokenError(error.message)
  return new FrameError('truncated-frame', `stream failed mid-frame: ${error.message}`)
}

/**
 * A batch's frames with their length prefixes in one array. The copy is cheap;
 * handing the stream many small arrays is not: Noise encrypts a message of 1200
 * bytes or more piece by piece, and TCP writes each piece with its own syscall.
 */
function joined (batch: Batch): Uint8Array {
  const out = new Uint8Array(batch.bytes)
  let at = 0
  for (const frame of batch.frames) {
    at = writeVarint(out, at, frame.byteLength)
    out.set(frame, at)
    at += frame.byteLength
  }
  return out
}

function varintLength (value: number): number {
  let bytes = 1
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}

/** Writes `value` as an unsigned LEB128 (multiformats' unsigned-varint) at `at`; returns where it ended. */
function writeVarint (out: Uint8Array, at: number, value: number): number {
  let rest = value
  while (rest >= 0x80) {
    out[at++] = (rest % 0x80) | 0x80
    rest = Math.floor(rest / 0x80)
  }
  out[at++] = rest
  return at
}

/** Unsigned LEB128, as multiformats' unsigned-varint. */
export function encodeVarint (value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value))
  writeVarint(out, 0, value)
  return out
}
