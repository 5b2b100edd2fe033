import { describe, expect, it, vi } from 'vitest'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { noiseEncrypter } from '../../helpers/noise.js'
import { Uint8ArrayList, isUint8ArrayList } from 'uint8arraylist'
import { frameLengthsWithoutErrors, readFrameLength } from '../../../src/transport/frame-lengths.js'
import type { ConnectionEncrypter, MultiaddrConnection, SecuredConnection } from '@libp2p/interface'

async function encrypter (patched: boolean): Promise<ConnectionEncrypter> {
  return await noiseEncrypter(patched ? frameLengthsWithoutErrors : undefined)
}

/** The length reader of the frame decoder a secured connection reads with. */
function lengthReaderOf (secured: SecuredConnection): (data: Uint8Array | Uint8ArrayList) => number {
  return (secured.connection as unknown as { decoder: { lengthDecoder: (data: Uint8Array | Uint8ArrayList) => number } }).decoder.lengthDecoder
}

function thrown (read: () => unknown): unknown {
  try {
    read()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

/** A secured pair, the responder patched or not; `chunks` frames sent from the initiator arrive intact, in order. */
async function securedPair (patched: boolean): Promise<{ accepted: SecuredConnection, exchange: (chunks: Uint8Array[]) => Promise<Uint8Array[]> }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const [initiator, responder] = await Promise.all([encrypter(false), encrypter(patched)])
  const [secured, accepted] = await Promise.all([initiator.secureOutbound(outbound), responder.secureInbound(inbound)])
  const exchange = async (chunks: Uint8Array[]): Promise<Uint8Array[]> => {
    const received: Uint8Array[] = []
    const all = new Promise<void>(resolve => {
      accepted.connection.addEventListener('message', (evt) => {
        received.push(isUint8ArrayList(evt.data) ? evt.data.subarray() : evt.data)
        if (received.length === chunks.length) resolve()
      })
    })
    for (const chunk of chunks) secured.connection.send(chunk)
    await all
    return received
  }
  return { accepted, exchange }
}

describe('readFrameLength', () => {
  it('reads a 2-byte big-endian length from an array or from a list split inside the prefix', () => {
    expect(readFrameLength(new Uint8Array([0x0b, 0xb8, 9]))).toBe(3000)
    expect(readFrameLength(new Uint8ArrayList(new Uint8Array([0xff]), new Uint8Array([0xfe, 1, 2])))).toBe(65534)
    expect(readFrameLength(new Uint8ArrayList(new Uint8Array([0, 7])))).toBe(7)
  })

  it('asks for more bytes with a RangeError, the same one every time', () => {
    const first = thrown(() => readFrameLength(new Uint8ArrayList()))
    expect(first).toBeInstanceOf(RangeError)
    expect(thrown(() => readFrameLength(new Uint8Array([1])))).toBe(first)
  })
})

describe('frameLengthsWithoutErrors', () => {
  it('reads frames of every size intact through the patched reader', async () => {
    const { accepted, exchange } = await securedPair(true)
    expect(lengthReaderOf(accepted)).toBe(readFrameLength)
    const chunks = [1, 255, 256, 3000, 60_000].map(size => new Uint8Array(size).map((_, i) => (i * 7 + size) % 251))
    const received = await exchange(chunks)
    expect(received.map(r => Array.from(r))).toEqual(chunks.map(c => Array.from(c)))
  })

  it('is needed: noise alone builds a new error for every read that waits for more', async () => {
    const { accepted } = await securedPair(false)
    const read = lengthReaderOf(accepted)
    const first = thrown(() => read(new Uint8ArrayList()))
    expect(first).toBeInstanceOf(RangeError)
    expect(thrown(() => read(new Uint8ArrayList()))).not.toBe(first)
  })
})

describe('frameLengthsWithoutErrors on a connection without the reader it replaces', () => {
  it('returns the secured connection as it is, and warns once', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const bare = {} as unknown as MultiaddrConnection
      const secure = async (connection: MultiaddrConnection): Promise<SecuredConnection> => ({ connection } as unknown as SecuredConnection)
      const inner = { protocol: '/noise', secureInbound: secure, secureOutbound: secure } as unknown as ConnectionEncrypter
      const patched = frameLengthsWithoutErrors(() => inner)({})

      expect((await patched.secureOutbound(bare)).connection).toBe(bare)
      expect((await patched.secureInbound(bare)).connection).toBe(bare)
      expect(bare).toEqual({})
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^frameLengthsWithoutErrors is off, the secured connection has no decoder\.lengthDecoder/), { code: 'NARA_PATCH_OFF' })
    } finally {
      warn.mockRestore()
    }
  })
})
