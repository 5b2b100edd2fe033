// npm run bench — nara's costs as ratios against baselines measured in the same run:
//  1. receive pipeline (decode, verify, dedupe, rate limit, handler) vs bare Ed25519 verification
//  2. call() over libp2p (new stream, signed request and reply) vs a raw length-prefixed echo on a new stream
//  3. stash.set() with three confidants vs the same three raw echoes in parallel
import '../src/polyfill.js'
import { performance } from 'node:perf_hooks'
import { lpStream } from '@libp2p/utils'
import {
  Identity, MockRuntime, createNara, meshRequest, signedBytes, verifySignature,
  type PayloadCodec, type Runtime, type Service, type StandaloneNara
} from '../src/index.js'

const PIPELINE_MESSAGES = 3_000
const ROUND_TRIPS = 400
const STASH_SETS = 30
/** stash:store accepts 2/s per owner; a little slower keeps every set within it */
const STORE_INTERVAL_MS = 550
const ECHO_PROTOCOL = '/bench/echo/1'

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
    }))
    rt.register(meshRequest('bench:pong', 'Pong').withPayload(TextCodec))
  }
}

function percentile (samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
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

function row (name: string, value: string, baseline: string, ratio: number): void {
  console.log(`${name.padEnd(46)} ${value.padStart(14)} ${baseline.padStart(14)} ${ratio.toFixed(2).padStart(7)}x`)
}

async function pipelineVsVerify (): Promise<void> {
  const rt = new MockRuntime({ name: 'bench-receiver' })
  let handled = 0
  rt.register(meshRequest('bench:ping', 'Ping').withPayload(TextCodec).withHandler(1, () => { handled++ }))
  const sender = Identity.create({ name: 'bench-sender', machineId: 'bench' })
  rt.trust(sender)
  const envelopes = []
  for (let i = 0; i < PIPELINE_MESSAGES; i++) envelopes.push(await rt.envelopeFrom(sender, { kind: 'bench:ping', to: rt.me().id, payload: { text: `m${i}` } }))

  let t = performance.now()
  for (const e of envelopes) await verifySignature(sender.publicKey, signedBytes(e), e.signature)
  const verifyMs = performance.now() - t
  t = performance.now()
  for (const e of envelopes) await rt.deliver(e)
  const pipelineMs = performance.now() - t
  if (handled !== PIPELINE_MESSAGES) throw new Error(`only ${handled} of ${PIPELINE_MESSAGES} messages were handled`)
  const perMsg = (ms: number): string => `${(ms * 1000 / PIPELINE_MESSAGES).toFixed(1)} µs/msg`
  row(`receive pipeline, ${PIPELINE_MESSAGES} messages`, perMsg(pipelineMs), perMsg(verifyMs), pipelineMs / verifyMs)
}

async function callVsRawEcho (a: StandaloneNara, b: StandaloneNara): Promise<void> {
  const echo = async (): Promise<void> => {
    const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, ECHO_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(new TextEncoder().encode('ping'))
    await lp.read()
    await stream.close()
  }
  const call = async (i: number): Promise<unknown> => await a.runtime.call({ kind: 'bench:ping', to: b.identity.id, payload: { text: `p${i}` } })
  for (let i = 0; i < 30; i++) { await echo(); await call(i) } // warm up
  const raw = await timeEach(ROUND_TRIPS, echo)
  const nara = await timeEach(ROUND_TRIPS, call)
  const ms = (s: number[], p: number): string => `${percentile(s, p).toFixed(2)} ms`
  row(`call() round trip, p50 of ${ROUND_TRIPS}`, ms(nara, 0.5), ms(raw, 0.5), percentile(nara, 0.5) / percentile(raw, 0.5))
  row(`call() round trip, p99 of ${ROUND_TRIPS}`, ms(nara, 0.99), ms(raw, 0.99), percentile(nara, 0.99) / percentile(raw, 0.99))
}

async function stashVsRawEchoes (owner: StandaloneNara, confidants: StandaloneNara[]): Promise<void> {
  const payload = new Uint8Array(4096).fill(1)
  const echoes = async (): Promise<void> => {
    await Promise.all(confidants.map(async (c) => {
      const stream = await owner.libp2p.dialProtocol(c.libp2p.peerId, ECHO_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(payload)
      await lp.read()
      await stream.close()
    }))
  }
  for (let i = 0; i < 3; i++) { await echoes(); await owner.stash.set(payload) }
  const raw = await timeEach(STASH_SETS, echoes)
  // Confidants accept 2 stores/s per owner (burst 10): pace the sets so none is refused.
  await new Promise(resolve => setTimeout(resolve, 5_000))
  const sets = await timeEach(STASH_SETS, async () => await owner.stash.set(payload), STORE_INTERVAL_MS)
  row(`stash.set(4 KiB), 3 confidants, p50 of ${STASH_SETS}`, `${percentile(sets, 0.5).toFixed(2)} ms`, `${percentile(raw, 0.5).toFixed(2)} ms`, percentile(sets, 0.5) / percentile(raw, 0.5))
}

async function main (): Promise<void> {
  console.log(`nara bench — node ${process.version}, ${new Date().toISOString()}`)
  console.log(`${'measure'.padEnd(46)} ${'nara'.padStart(14)} ${'baseline'.padStart(14)} ${'ratio'.padStart(8)}`)
  await pipelineVsVerify()

  const nodes: StandaloneNara[] = []
  try {
    for (let i = 0; i < 4; i++) {
      nodes.push(await createNara({
        name: `bench-${i}`,
        machineId: 'bench',
        services: [new PingService()],
        presence: { heartbeatMs: 500 },
        stash: { recoverOnStart: false },
        ...(i > 0 ? { bootstrap: nodes[0].multiaddrs() } : {})
      }))
    }
    const deadline = Date.now() + 20_000
    while (!nodes.every(n => n.runtime.onlinePeers().length === 3)) {
      if (Date.now() > deadline) throw new Error('the bench swarm did not form within 20 s')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    for (const n of nodes.slice(1)) {
      await n.libp2p.handle(ECHO_PROTOCOL, async (stream) => {
        const lp = lpStream(stream)
        await lp.write(await lp.read())
        await stream.close()
      })
    }
    await callVsRawEcho(nodes[0], nodes[1])
    await stashVsRawEchoes(nodes[0], nodes.slice(1))
  } finally {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
  }
  console.log('baselines: bare Ed25519 verification of the same envelopes; a raw length-prefixed echo on a new libp2p stream between the same nodes.')
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`)
  process.exit(1)
})
