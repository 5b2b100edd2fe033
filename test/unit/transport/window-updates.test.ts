import { describe, expect, it, vi } from 'vitest'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { isUint8ArrayList, type Uint8ArrayList } from 'uint8arraylist'
import { halfWindowUpdates } from '../../../src/transport/window-updates.js'
import type { MessageStream, MultiaddrConnection, Stream, StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

const WINDOW_UPDATE = 1

/** Yamux frame types of everything one side hands its connection (a frame is a 12-byte header, then data). */
function recordFrameTypes (connection: MessageStream): Array<{ type: number, flags: number }> {
  const frames: Array<{ type: number, flags: number }> = []
  const send = connection.send.bind(connection)
  connection.send = (data: Uint8Array | Uint8ArrayList) => {
    const bytes = isUint8ArrayList(data) ? data.subarray() : data
    frames.push({ type: bytes[1], flags: (bytes[2] << 8) | bytes[3] })
    return send(data)
  }
  return frames
}

async function sendMessages (wrap: boolean, count: number, size: number): Promise<{ receiverFrames: Array<{ type: number, flags: number }>, received: number }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const receiverFrames = recordFrameTypes(inbound)
  const factory = (muxer: () => StreamMuxerFactory): StreamMuxerFactory => (wrap ? halfWindowUpdates(muxer) : muxer)()
  const client = factory(yamux() as unknown as () => StreamMuxerFactory).createStreamMuxer(outbound)
  const server = factory(yamux() as unknown as () => StreamMuxerFactory).createStreamMuxer(inbound)
  const accepted = new Promise<Stream>(resolve => { server.addEventListener('stream', (evt) => { resolve(evt.detail) }, { once: true }) })
  const stream = await client.createStream()
  const total = count * size
  const done = accepted.then(async (s) => {
    let received = 0
    for await (const chunk of s) {
      received += chunk.byteLength
      if (received >= total) break
    }
    return received
  })
  for (let i = 0; i < count; i++) {
    if (!stream.send(new Uint8Array(size).fill(i % 256))) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
  }
  const received = await done
  await stream.close().catch(() => {})
  return { receiverFrames, received }
}

describe('halfWindowUpdates', () => {
  it('answers a stream of small messages with no window update beyond the one that opens the stream', async () => {
    const { receiverFrames, received } = await sendMessages(true, 200, 100)
    expect(received).toBe(20_000)
    const updates = receiverFrames.filter(f => f.type === WINDOW_UPDATE)
    expect(updates.every(f => f.flags !== 0)).toBe(true) // only the ACK that opens the stream
  })

  it('is needed: yamux alone answers every data frame with a window update', async () => {
    const { receiverFrames } = await sendMessages(false, 200, 100)
    expect(receiverFrames.filter(f => f.type === WINDOW_UPDATE && f.flags === 0).length).toBeGreaterThan(100)
  })

  it('still grants more window for a transfer larger than the window, so the sender never stalls', async () => {
    const { receiverFrames, received } = await sendMessages(true, 64, 16 * 1024) // 1 MiB through a 256 KiB window
    expect(received).toBe(1024 * 1024)
    const grants = receiverFrames.filter(f => f.type === WINDOW_UPDATE && f.flags === 0).length
    expect(grants).toBeGreaterThan(0)
    expect(grants).toBeLessThan(20)
  })
})

describe('halfWindowUpdates on a yamux without the internals it hooks', () => {
  it('hands out the muxer and its streams unpatched, and warns once', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const noHook = { protocol: '/yamux/1.0.0' }
      const sendWindowUpdate = (): void => {}
      const windowless = { sendWindowUpdate }
      const noWindow = { protocol: '/yamux/1.0.0', _newStream: () => windowless }
      const muxers: object[] = [noHook, noWindow]
      const factory = halfWindowUpdates(() => ({ protocol: '/yamux/1.0.0', createStreamMuxer: () => muxers.shift() as StreamMuxer }))()
      const connection = {} as unknown as MultiaddrConnection

      expect(factory.createStreamMuxer(connection)).toBe(noHook)
      expect(noHook).toEqual({ protocol: '/yamux/1.0.0' })
      // a yamux whose streams lack the receive window: each stream as yamux made it
      const muxer = factory.createStreamMuxer(connection) as unknown as typeof noWindow
      expect(muxer._newStream()).toBe(windowless)
      expect(windowless.sendWindowUpdate).toBe(sendWindowUpdate)

      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^halfWindowUpdates is off, this @chainsafe\/libp2p-yamux has no _newStream to hook/), { code: 'NARA_PATCH_OFF' })
    } finally {
      warn.mockRestore()
    }
  })
})
