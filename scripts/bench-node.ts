// One process of `npm run bench`: a nara node plus the floors' echo servers, driven by
// its parent over the IPC channel (each command answers with { id, result } or { id, error }).
import '../src/polyfill.js'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createNara, meshRequest, type PayloadCodec, type Runtime, type Service, type StandaloneNara } from '../src/index.js'

export const ECHO_NEW_STREAM = '/bench/echo/1'
export const ECHO_REUSED_STREAM = '/bench/echo-reused/1'
/** Echo streams a client may open at once (32 in flight, with room to spare). */
const ECHO_STREAM_LIMIT = 256

interface Text { text: string }
const TextCodec: PayloadCodec<Text> = {
  name: 'Text',
  encode: (p) => new TextEncoder().encode(p.text),
  decode: (b) => ({ text: new TextDecoder().decode(b) }),
  validate: () => undefined
}

/** Answers bench:ping with bench:pong on the request's stream. */
class PingService implements Service {
  readonly name = 'bench'
  init (rt: Runtime): void {
    rt.register(meshRequest('bench:ping', 'Ping').withPayload(TextCodec).withHandler(1, async (msg, p) => {
      await rt.emit({ kind: 'bench:pong', to: msg.fromId, inReplyTo: msg.id, payload: p })
    }).repliesWith('bench:pong'))
    rt.register(meshRequest('bench:pong', 'Pong').withPayload(TextCodec))
  }
}

interface Args { name: string, bootstrap?: string, recover: boolean }
const args: Args = JSON.parse(process.argv[2] ?? '{}') as Args

let node: StandaloneNara
let tcp: Server
const ping = new TextEncoder().encode('ping')

async function start (): Promise<void> {
  const joined = new Promise<number>(resolve => {
    const check = setInterval(() => {
      if (node !== undefined && node.runtime.onlinePeers().length > 0) { clearInterval(check); resolve(process.uptime() * 1000) }
    }, 5)
  })
  node = await createNara({
    name: args.name,
    machineId: 'bench',
    services: [new PingService()],
    presence: { heartbeatMs: 2_000 },
    stash: { recoverOnStart: args.recover },
    ...(args.bootstrap !== undefined ? { bootstrap: [args.bootstrap] } : {})
  })
  await node.libp2p.handle(ECHO_NEW_STREAM, async (stream) => {
    const lp = lpStream(stream)
    await lp.write(await lp.read())
    await stream.close()
  }, { maxInboundStreams: ECHO_STREAM_LIMIT })
  await node.libp2p.handle(ECHO_REUSED_STREAM, async (stream) => {
    const lp = lpStream(stream)
    try {
      for (;;) await lp.write(await lp.read())
    } catch {
      await stream.close().catch(() => {})
    }
  })
  tcp = createServer((socket) => { socket.setNoDelay(true); socket.pipe(socket) })
  await new Promise<void>(resolve => tcp.listen(0, '127.0.0.1', resolve))
  if (args.recover) {
    // the stash service times its recovery in ms since this process started
    const recovered = node.stash.recovered().then(() => node.stash.recoveryReport()?.endedAtMs ?? process.uptime() * 1000)
    // boot-time recovery: the time from this process's start to joining, and to its stash being back
    void joined.then((ms) => { send({ event: 'joined', ms }) })
    void recovered.then((ms) => { send({ event: 'recovered', ms }) })
  }
}

function send (message: unknown): void {
  process.send?.(message)
}

async function timeEach (n: number, fn: (i: number) => Promise<unknown>, minIntervalMs = 0): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    const elapsed = performance.now() - t
    samples.push(elapsed)
    if (elapsed < minIntervalMs) await new Promise(resolve => setTimeout(resolve, minIntervalMs - elapsed))
  }
  return samples
}

/** Runs `total` operations keeping `inFlight` going at once; returns the seconds it took. */
async function inFlight (total: number, width: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const t = performance.now()
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < total) await fn(next++)
  }))
  return (performance.now() - t) / 1000
}

/** One TCP connection; each request writes 4 bytes and waits for the 4 echoed back. */
async function tcpClient (port: number): Promise<{ echo: () => Promise<void>, close: () => void }> {
  const socket: Socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  let waiting: (() => void) | undefined
  let got = 0
  socket.on('data', (chunk: Buffer) => {
    got += chunk.byteLength
    if (got >= ping.byteLength) { got -= ping.byteLength; waiting?.() }
  })
  return {
    echo: async () => { await new Promise<void>(resolve => { waiting = resolve; socket.write(ping) }) },
    close: () => { socket.destroy() }
  }
}

/** One libp2p stream, reused: each request is a length-prefixed frame echoed back (in order). */
async function reusedEchoClient (server: string, bytes: Uint8Array): Promise<{ echo: () => Promise<void>, close: () => Promise<void> }> {
  const stream = await node.libp2p.dialProtocol(multiaddr(server), ECHO_REUSED_STREAM)
  const lp = lpStream(stream)
  // replies come back in request order, so a queue of waiters matches them
  const waiters: Array<() => void> = []
  let writes = Promise.resolve()
  void (async () => {
    try {
      for (;;) { await lp.read(); waiters.shift()?.() }
    } catch {}
  })()
  return {
    echo: async () => {
      const replied = new Promise<void>(resolve => { waiters.push(resolve) })
      writes = writes.then(async () => { await lp.write(bytes) })
      await writes
      await replied
    },
    close: async () => { await stream.close() }
  }
}

async function newStreamEcho (server: string, bytes: Uint8Array): Promise<void> {
  const stream = await node.libp2p.dialProtocol(multiaddr(server), ECHO_NEW_STREAM, { maxOutboundStreams: ECHO_STREAM_LIMIT })
  const lp = lpStream(stream)
  await lp.write(bytes)
  await lp.read()
  await stream.close()
}

type Floor = 'tcp' | 'new-stream' | 'reused-stream' | 'call'
interface Target { floor: Floor, server?: string, port?: number, to?: string, bytes?: number }

/** The one-request function of a floor or of nara's call(), against one server. */
async function requester (target: Target): Promise<{ one: (i: number) => Promise<unknown>, close: () => Promise<void> }> {
  const bytes = new Uint8Array(target.bytes ?? ping.byteLength).fill(1)
  switch (target.floor) {
    case 'tcp': {
      const client = await tcpClient(target.port as number)
      return { one: client.echo, close: async () => { client.close() } }
    }
    case 'new-stream':
      return { one: async () => { await newStreamEcho(target.server as string, bytes) }, close: async () => {} }
    case 'reused-stream': {
      const client = await reusedEchoClient(target.server as string, bytes)
      return { one: client.echo, close: client.close }
    }
    case 'call':
      return {
        one: async (i) => await node.runtime.call({ kind: 'bench:ping', to: target.to as string, payload: { text: `p${i}` } }),
        close: async () => {}
      }
  }
}

const commands: Record<string, (a: any) => Promise<unknown>> = {
  info: async () => ({ id: node.identity.id, multiaddr: node.multiaddrs()[0], tcpPort: (tcp.address() as { port: number }).port }),
  waitPeers: async ({ count }: { count: number }) => {
    const deadline = Date.now() + 30_000
    while (node.runtime.onlinePeers().length < count) {
      if (Date.now() > deadline) throw new Error(`${args.name} sees ${node.runtime.onlinePeers().length} of ${count} peers after 30 s`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    return null
  },
  cpu: async () => process.cpuUsage(),
  /** sequential requests; returns each one's ms */
  sequential: async ({ target, n, warmup }: { target: Target, n: number, warmup: number }) => {
    const r = await requester(target)
    try {
      for (let i = 0; i < warmup; i++) await r.one(i)
      return await timeEach(n, r.one)
    } finally {
      await r.close()
    }
  },
  /** `n` requests, `width` in flight; returns the seconds taken */
  concurrent: async ({ target, n, width }: { target: Target, n: number, width: number }) => {
    const r = await requester(target)
    try {
      await inFlight(width, width, r.one) // warm up: streams open, JIT
      return await inFlight(n, width, r.one)
    } finally {
      await r.close()
    }
  },
  /** `n` times, one call to each peer in `to` at once, each carrying `bytes`; returns each round's ms */
  parallelCalls: async ({ to, n, bytes }: { to: string[], n: number, bytes: number }) => {
    const text = 'x'.repeat(bytes)
    return await timeEach(n, async () => {
      await Promise.all(to.map(async peer => await node.runtime.call({ kind: 'bench:ping', to: peer, payload: { text } })))
    })
  },
  stashSets: async ({ n, bytes, intervalMs }: { n: number, bytes: number, intervalMs: number }) => {
    const data = new Uint8Array(bytes).fill(7)
    return await timeEach(n, async () => {
      const report = await node.stash.set(data)
      if (report.confidants.length !== 3) throw new Error(`stash.set reached ${report.confidants.length} confidants: ${JSON.stringify(report.failures)}`)
    }, intervalMs)
  },
  stop: async () => {
    tcp.close()
    await node.stop()
    setImmediate(() => process.exit(0))
    return null
  }
}

process.on('message', (msg: { id: number, command: string, args?: unknown }) => {
  const run = commands[msg.command]
  if (run === undefined) { send({ id: msg.id, error: `unknown command ${msg.command}` }); return }
  run(msg.args ?? {}).then(result => { send({ id: msg.id, result }) }, (err: Error) => { send({ id: msg.id, error: err.message }) })
})
// The parent going away ends this process too: no orphans.
process.on('disconnect', () => { process.exit(0) })

start().then(() => { send({ event: 'ready' }) }, (err: Error) => {
  console.error(`bench node ${args.name} failed to start: ${err.message}`)
  process.exit(1)
})
