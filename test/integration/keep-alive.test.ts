import { afterEach, describe, expect, it } from 'vitest'
import { createServer, connect, type Server } from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { keepAliveWithDeadline } from '../../src/transport/keep-alive.js'
import { waitFor } from '../helpers/wait.js'

const INTERVAL_MS = 200
const TIMEOUT_MS = 400

/** A libp2p node whose connections keep alive with nara's deadline (fast), or with no keep-alive at all. */
async function node (keepAlive: boolean): Promise<Libp2p> {
  const muxer = yamux({ enableKeepAlive: false })
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [keepAlive ? keepAliveWithDeadline(muxer, { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }) : muxer],
    connectionMonitor: { enabled: false }
  })
}

/** A TCP relay on 127.0.0.1 to `target` that can go silent both ways, its sockets left open: a black-holed link. */
async function link (target: Libp2p): Promise<{ port: number, blackHole: () => void, server: Server }> {
  const port = Number(target.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
  let silent = false
  const server = createServer(inbound => {
    const outbound = connect(port, '127.0.0.1')
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]]) {
      from.on('data', (data: Buffer) => { if (!silent) to.write(data) })
      from.on('error', () => { to.destroy() })
      from.on('close', () => { to.destroy() })
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP port')
  return { port: address.port, blackHole: () => { silent = true }, server }
}

const started: Libp2p[] = []
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map(async n => { await n.stop() }))
  for (const s of servers.splice(0)) s.close()
})

describe('keep-alive with a deadline (libp2p on 127.0.0.1)', () => {
  it('keeps a healthy idle connection open: every ping is answered in time', async () => {
    const [a, b] = [await node(true), await node(true)]
    started.push(a, b)
    const connection = await a.dial(b.getMultiaddrs()[0])
    await new Promise(resolve => setTimeout(resolve, 10 * INTERVAL_MS))
    expect(connection.status).toBe('open')
    expect(a.getConnections(b.peerId)).toHaveLength(1)
    expect(b.getConnections(a.peerId)).toHaveLength(1)
  })

  for (const side of ['dialling', 'listening'] as const) {
    it(`aborts a connection whose link went silent, found by the ${side} end alone`, async () => {
      const watcher = await node(true)
      const other = await node(false) // no keep-alive of its own: the watcher must find the dead link
      started.push(watcher, other)
      const [dialler, listener] = side === 'dialling' ? [watcher, other] : [other, watcher]
      const relay = await link(listener)
      servers.push(relay.server)
      await dialler.dial(multiaddr(`/ip4/127.0.0.1/tcp/${relay.port}/p2p/${listener.peerId.toString()}`))
      const peer = watcher === dialler ? listener.peerId : dialler.peerId
      await waitFor(() => watcher.getConnections(peer).length === 1, 'the connection', 5_000, 20)
      // alive through several intervals while the link carries the pings
      await new Promise(resolve => setTimeout(resolve, 3 * INTERVAL_MS))
      expect(watcher.getConnections(peer)).toHaveLength(1)

      relay.blackHole()
      await waitFor(() => watcher.getConnections(peer).length === 0, 'the watcher to abort the silent connection', 5_000, 20)
    })
  }
})
