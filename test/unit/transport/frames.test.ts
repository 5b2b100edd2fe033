import { describe, expect, it, vi } from 'vitest'
import { streamPair } from '@libp2p/utils'
import { FrameError, FrameStream } from '../../../src/transport/frames.js'
import type { Stream } from '@libp2p/interface'

const frame = (n: number, size = 10): Uint8Array => new Uint8Array(size).fill(n)

/** A real stream whose buffer stays full until `drain()`: what it is sent is only recorded. */
async function fullStream (): Promise<{ stream: Stream, sent: number[], drain: () => void, close: () => void }> {
  const [stream] = await streamPair()
  const sent: number[] = []
  vi.spyOn(stream, 'send').mockImplementation((data) => {
    sent.push(data.byteLength)
    stream.writableNeedsDrain = true
    return false
  })
  return {
    stream,
    sent,
    drain: () => {
      stream.writableNeedsDrain = false
      stream.dispatchEvent(new Event('drain'))
    },
    close: () => { stream.dispatchEvent(new Event('close')) }
  }
}

describe('FrameStream writes', () => {
  it('sends the frames written in one tick as one array in one stream.send, and they arrive in order', async () => {
    const [outbound, inbound] = await streamPair()
    const send = vi.spyOn(outbound, 'send')
    const writer = new FrameStream(outbound, { maxDataLength: 30_000, maxBufferedFrames: 8 })
    const reader = new FrameStream(inbound, { maxDataLength: 30_000, maxBufferedFrames: 8 })
    // sizes with 1-, 2- and 3-byte length prefixes
    const sizes = [10, 300, 20_000, 0, 127, 128]
    await Promise.all(sizes.map(async (size, n) => { await writer.write(frame(n + 1, size)) }))
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0]).toBeInstanceOf(Uint8Array)
    for (const [n, size] of sizes.entries()) {
      const got = await reader.read()
      expect(got?.byteLength).toBe(size)
      if (size > 0) expect(got?.[size - 1]).toBe(n + 1)
    }
    await writer.write(frame(9))
    expect(send).toHaveBeenCalledTimes(2)
    expect((await reader.read())?.[0]).toBe(9)
  })

  it('holds writes while the stream is full and resolves them, in order, once it drains', async () => {
    const stream = await fullStream()
    const frames = new FrameStream(stream.stream, { maxDataLength: 100 })
    let firstDone = false
    const first = frames.write(frame(1)).then(() => { firstDone = true })
    await new Promise(resolve => setImmediate(resolve))
    expect(stream.sent).toEqual([11])
    expect(firstDone).toBe(false)
    const second = frames.write(frame(2, 20))
    await new Promise(resolve => setImmediate(resolve))
    expect(stream.sent).toEqual([11]) // not sent into a full stream
    stream.drain()
    await first
    await new Promise(resolve => setImmediate(resolve))
    expect(stream.sent).toEqual([11, 21])
    stream.drain()
    await second
  })

  it('fails a write with write-timeout when the stream does not drain in time', async () => {
    const stream = await fullStream()
    const frames = new FrameStream(stream.stream, { maxDataLength: 100, writeTimeoutMs: 20 })
    const err = await frames.write(frame(1)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FrameError)
    expect((err as FrameError).code).toBe('write-timeout')
  })

  it('fails a write waiting for a full stream when the writer\'s signal aborts', async () => {
    const stream = await fullStream()
    const frames = new FrameStream(stream.stream, { maxDataLength: 100 })
    const controller = new AbortController()
    const write = frames.write(frame(1), { signal: controller.signal })
    await new Promise(resolve => setImmediate(resolve))
    controller.abort(new Error('deadline'))
    await expect(write).rejects.toThrow('deadline')
  })

  it('fails writes when the stream is closed under them', async () => {
    const stream = await fullStream()
    const frames = new FrameStream(stream.stream, { maxDataLength: 100 })
    const write = frames.write(frame(1))
    await new Promise(resolve => setImmediate(resolve))
    stream.close()
    await expect(write).rejects.toThrow('the stream closed')
  })
})
