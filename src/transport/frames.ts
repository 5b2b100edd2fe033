import { byteStream, type ByteStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import type { AbortOptions, Stream } from '@libp2p/interface'

/** Why a frame could not be read; each is also the drop code the runtime counts. */
export type FrameErrorCode = 'oversize-frame' | 'truncated-frame' | 'bad-frame' | 'read-timeout'

/** A length-prefixed frame could not be read from a stream. */
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

/**
 * One stream carrying unsigned-varint length-prefixed frames, the same wire
 * format as `lpStream` from @libp2p/utils. Reading is done by hand so that a
 * clean end between frames, a truncated frame, an oversize length, a garbage
 * prefix and a stream broken between frames can be told apart.
 */
export class FrameStream {
  private readonly bytes: ByteStream<Stream>
  private readonly pending = new Uint8ArrayList()

  /**
   * @param maxDataLength - the largest frame accepted
   * @param maxBufferedFrames - how many of the largest frames may wait unread (requests in flight on one stream)
   */
  constructor (readonly stream: Stream, private readonly maxDataLength: number, maxBufferedFrames = 1) {
    // Never buffer much more than the frames allowed in flight: a flood aborts the stream.
    this.bytes = byteStream(stream, { maxBufferSize: maxBufferedFrames * (maxDataLength + MAX_PREFIX_BYTES) + 1 })
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

  /** Writes one frame, waiting for the stream to drain when its buffer is full. */
  async write (frame: Uint8Array, options: AbortOptions = {}): Promise<void> {
    await this.bytes.write(new Uint8ArrayList(encodeVarint(frame.byteLength), frame), options)
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

/** Unsigned LEB128, as multiformats' unsigned-varint. */
export function encodeVarint (value: number): Uint8Array {
  const out: number[] = []
  let rest = value
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  out.push(rest)
  return Uint8Array.from(out)
}
