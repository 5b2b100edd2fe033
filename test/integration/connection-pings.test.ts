import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { byteStream } from '@libp2p/utils'
import { PING_PROTOCOL, connectionPings } from '../../src/transport/connection-pings.js'
import { waitFor } from '../helpers/wait.js'

const INTERVAL_MS = 300
const TIMEOUT_MS = 600

/** A libp2p node with nara's connection pings (fast), answering pings itself so it can count them, or never. */
async function node (answer: boolean): Promise<{ libp2p: Libp2p, pinged: () => number }> {
  let pinged = 0
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { connectionPings: connectionPings({ intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }) }
  })
  await libp2p.handle(PING_PROTOCOL, async (stream) => {
    pinged++
    const bytes = byteStream(stream)
    const ping = await bytes.read({ bytes: 32 })
    if (!answer) return // a frozen peer: the stream stays open, the ping unanswered
    await bytes.write(ping)
    await stream.close()
  }, { runOnLimitedConnection: true })
  return { libp2p, pinged: () => pinged }
}

const started: Libp2p[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async n => { await n.stop() })) })

describe('connection pings (libp2p on 127.0.0.1)', () => {
  it('both ends ping a healthy connection, one ping per interval each, and record its round trip', async () => {
    const dialler = await node(true)
    const listener = await node(true)
    started.push(dialler.libp2p, listener.libp2p)
    const connection = await dialler.libp2p.dial(listener.libp2p.getMultiaddrs()[0])
    await waitFor(() => listener.pinged() >= 3 && dialler.pinged() >= 3, 'three pings each way', 5_000, 50)
    expect(connection.status).toBe('open')
    expect(connection.rtt).toBeGreaterThanOrEqual(0)
    // spread over the interval, not more often
    const since = Date.now()
    const [before, after] = [listener.pinged(), await new Promise<number>(resolve => setTimeout(() => { resolve(listener.pinged()) }, 6 * INTERVAL_MS))]
    expect(after - before).toBeLessThanOrEqual(Math.ceil((Date.now() - since) / INTERVAL_MS) + 1)
  })

  for (const side of ['dialled', 'listening'] as const) {
    it(`aborts a connection whose peer does not answer a ping in time (the frozen peer ${side === 'dialled' ? 'was dialled' : 'dialled'})`, async () => {
      const healthy = await node(true)
      const frozen = await node(false)
      started.push(healthy.libp2p, frozen.libp2p)
      const connection = side === 'dialled'
        ? await healthy.libp2p.dial(frozen.libp2p.getMultiaddrs()[0])
        : (await frozen.libp2p.dial(healthy.libp2p.getMultiaddrs()[0]), await waitFor(() => healthy.libp2p.getConnections(frozen.libp2p.peerId)[0], 'the inbound connection', 5_000, 20))
      await waitFor(() => frozen.pinged() >= 1, 'a ping to reach the frozen peer', 5_000, 50)
      await waitFor(() => healthy.libp2p.getConnections(frozen.libp2p.peerId).length === 0, 'the connection to be aborted', 5_000, 50)
      expect(connection.status).not.toBe('open')
    })
  }
})
