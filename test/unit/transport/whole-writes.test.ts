import { describe, expect, it, vi } from 'vitest'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { noiseEncrypter } from '../../helpers/noise.js'
import { isUint8ArrayList, type Uint8ArrayList } from 'uint8arraylist'
import { wholeWrites } from '../../../src/transport/whole-writes.js'
import type { ConnectionEncrypter, MessageStream, MultiaddrConnection, SecuredConnection } from '@libp2p/interface'

async function encrypter (wrap: boolean): Promise<ConnectionEncrypter> {
  return await noiseEncrypter(wrap ? wholeWrites : undefined)
}

/** Records what the encrypter hands the connection below it: one entry per send. */
function recordSends (connection: MessageStream): Array<Uint8Array | Uint8ArrayList> {
  const sent: Array<Uint8Array | Uint8ArrayList> = []
  const send = connection.send.bind(connection)
  connection.send = (data) => { sent.push(data); return send(data) }
  return sent
}

async function handshakeAndSend (wrap: boolean): Promise<{ sent: Array<Uint8Array | Uint8ArrayList>, received: Uint8Array }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const sent = recordSends(outbound)
  const [initiator, responder] = await Promise.all([encrypter(wrap), encrypter(false)])
  const [secured, accepted] = await Promise.all([initiator.secureOutbound(outbound), responder.secureInbound(inbound)])
  const payload = new Uint8Array(3000).map((_, i) => i % 251)
  const message = new Promise<Uint8Array | Uint8ArrayList>(resolve => {
    accepted.connection.addEventListener('message', (evt) => { resolve(evt.data) }, { once: true })
  })
  secured.connection.send(payload)
  const data = await message
  return { sent, received: isUint8ArrayList(data) ? data.subarray() : data }
}

const pieces = (data: Uint8Array | Uint8ArrayList): number => isUint8ArrayList(data) ? [...data].length : 1

describe('wholeWrites', () => {
  it('hands the connection each handshake message and encrypted frame as one buffer, and the data arrives intact', async () => {
    const { sent, received } = await handshakeAndSend(true)
    expect(sent.length).toBeGreaterThanOrEqual(3) // two handshake messages from the initiator, then the frame
    expect(sent.map(pieces)).toEqual(sent.map(() => 1))
    expect(Array.from(received)).toEqual(Array.from({ length: 3000 }, (_, i) => i % 251))
  })

  it('is needed: noise alone sends each frame as a length and a ciphertext', async () => {
    const { sent } = await handshakeAndSend(false)
    expect(sent.some(data => pieces(data) > 1)).toBe(true)
  })
})

describe('wholeWrites on a connection without the send it hooks', () => {
  it('hands the encrypter the connection unpatched, and warns once', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const given: unknown[] = []
      const secure = async (connection: MultiaddrConnection): Promise<SecuredConnection> => {
        given.push(connection)
        return { connection } as unknown as SecuredConnection
      }
      const inner = { protocol: '/noise', secureInbound: secure, secureOutbound: secure } as unknown as ConnectionEncrypter
      const encrypter = wholeWrites(() => inner)({})
      const sendless = {} as unknown as MultiaddrConnection

      expect((await encrypter.secureOutbound(sendless)).connection).toBe(sendless)
      expect((await encrypter.secureInbound(sendless)).connection).toBe(sendless)
      expect(given).toEqual([sendless, sendless])
      expect(sendless).toEqual({})

      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^wholeWrites is off, the connection handed to the encrypter has no send to hook/), { code: 'NARA_PATCH_OFF' })
    } finally {
      warn.mockRestore()
    }
  })
})
