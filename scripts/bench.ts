// npm run bench — nara's costs beside floors measured in the same run on the same machine.
// Every nara node runs in a process of its own (scripts/bench-node.ts, from the built dist):
// a client, a server, and two more confidants for stash.set. Floors: a raw TCP echo, a
// libp2p echo on a new stream per request, and a libp2p echo on one reused stream.
import '../src/polyfill.js'
import { fork, type ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Identity, MockRuntime, meshRequest, signedBytes, verifySignature, type PayloadCodec } from '../src/index.js'
import { NODE_FLAGS } from '../src/cli/node-flags.js'

/** Each row one at a time is timed in this many rounds, and its CPU per request is the rounds' median (a round can catch a GC or a timer). */
const ROUNDS = 3
const ROUND_TRIPS = 1_000
/**
 * Requests one at a time before each row is timed, floors and nara alike. A node
 * serves calls for hours, so the bench measures the code V8 has optimized: the
 * call's longer path keeps getting faster for its first ~5,000 requests (CPU per
 * call 820, 360, 290, 250, 220 µs in rounds of 2,000), while an echo is at its best
 * after a few hundred.
 */
const WARMUP_ROUND_TRIPS = 6_000
const THROUGHPUT_REQUESTS = 2_000
const IN_FLIGHT = 32
const STASH_SETS = 20
const STASH_BYTES = 4096
/** stash:store accepts 2/s per owner (burst 10): a little slower keeps every set within it */
const STASH_INTERVAL_MS = 550
/** Back-to-back sets, as calls are timed, come in bursts the rate limit allows, each after time to refill. */
const STASH_BURST = 10
const STASH_REFILL_MS = 5_500
/** After the first set: its confidants advertise it in the DHT (a lookup over the swarm), not part of later sets. */
const STASH_SETTLE_MS = 2_000
const PIPELINE_MESSAGES = 3_000
/** How long a child gets to stop by itself before it is killed. */
const STOP_GRACE_MS = 5_000
const NODE_SCRIPT = fileURLToPath(new URL('./bench-node.js', import.meta.url))

type Floor = 'tcp' | 'new-stream' | 'reused-stream' | 'call'
interface Target { floor: Floor, server?: string, port?: number, to?: string, bytes?: number }
interface Info { id: string, multiaddr: string, tcpPort: number }
interface Cpu { user: number, system: number }
type Reply = { id: number, result?: unknown, error?: string } | { event: string, ms?: number }

/** A bench node process and the commands it answers. */
class Child {
  private next = 0
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  private readonly events = new Map<string, (ms: number) => void>()
  readonly exited: Promise<void>

  constructor (readonly name: string, readonly proc: ChildProcess) {
    proc.on('message', (msg: Reply) => {
      if ('event' in msg) { this.events.get(msg.event)?.(msg.ms ?? 0); return }
      const w = this.waiting.get(msg.id)
      this.waiting.delete(msg.id)
      if (msg.error !== undefined) w?.reject(new Error(`${name}: ${msg.error}`))
      else w?.resolve(msg.result)
    })
    this.exited = new Promise(resolve => { proc.once('exit', () => { resolve() }) })
    void this.exited.then(() => { for (const w of this.waiting.values()) w.reject(new Error(`${name} exited`)) })
  }

  async command<T> (command: string, args: unknown = {}): Promise<T> {
    const id = this.next++
    return await new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.proc.send({ id, command, args })
    })
  }

  /** Resolves with the `ms` of the first `event` the child reports, or rejects after `timeoutMs`. */
  async event (event: string, timeoutMs: number): Promise<number> {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${this.name}: no ${event} within ${timeoutMs} ms`)) }, timeoutMs)
      this.events.set(event, (ms) => { clearTimeout(timer); resolve(ms) })
    })
  }
}

const children: Child[] = []

async function spawnNode (name: string, options: { bootstrap?: string, recover?: boolean } = {}): Promise<Child> {
  const proc = fork(NODE_SCRIPT, [JSON.stringify({ name, recover: options.recover ?? false, ...options })], {
    execArgv: [...NODE_FLAGS, ...(process.env.BENCH_PROFILE_DIR !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])], stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  const child = new Child(name, proc)
  children.push(child)
  const ready = child.event('ready', 20_000)
  await Promise.race([ready, child.exited.then(() => { throw new Error(`${name} exited while starting`) })])
  return child
}

/** Asks a child to stop, and kills it by PID if it has not exited within the grace period. */
async function stopChild (child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return
  child.command('stop').catch(() => {})
  const timer = setTimeout(() => { if (child.proc.pid !== undefined) process.kill(child.proc.pid, 'SIGKILL') }, STOP_GRACE_MS)
  await child.exited
  clearTimeout(timer)
}

function percentile (samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

const cpuMicros = (before: Cpu, after: Cpu): number => (after.user - before.user) + (after.system - before.system)

function row (name: string, value: string, floorName: string, floor: string, ratio: number): void {
  console.log(`${name.padEnd(40)} ${value.padStart(13)}   ${floorName.padEnd(32)} ${floor.padStart(13)} ${ratio.toFixed(2).padStart(7)}x`)
}

interface Text { text: string }
const TextCodec: PayloadCodec<Text> = {
  name: 'Text',
  encode: (p) => new TextEncoder().encode(p.text),
  decode: (b) => ({ text: new TextDecoder().decode(b) }),
  validate: () => undefined
}

/** The receive pipeline per message, in this process, beside bare verification of the same envelopes. */
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
  const perMsg = (ms: number): string => `${(ms * 1000 / PIPELINE_MESSAGES).toFixed(1)} µs`
  row('receive pipeline per message', perMsg(pipelineMs), 'Ed25519 verify of the same', perMsg(verifyMs), pipelineMs / verifyMs)
}

interface Sequential { samples: number[], cpuPerRequest: number }

/** Requests one at a time from the client, after a warm-up, in rounds: every round's times, and both processes' CPU per request (the rounds' median). */
async function sequential (client: Child, server: Child, target: Target): Promise<Sequential> {
  await client.command('sequential', { target, n: WARMUP_ROUND_TRIPS, warmup: 0 })
  const samples: number[] = []
  const cpu: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [c0, s0] = await Promise.all([client.command<Cpu>('cpu'), server.command<Cpu>('cpu')])
    samples.push(...await client.command<number[]>('sequential', { target, n: ROUND_TRIPS, warmup: 0 }))
    const [c1, s1] = await Promise.all([client.command<Cpu>('cpu'), server.command<Cpu>('cpu')])
    cpu.push((cpuMicros(c0, c1) + cpuMicros(s0, s1)) / ROUND_TRIPS)
  }
  return { samples, cpuPerRequest: percentile(cpu, 0.5) }
}

async function throughput (client: Child, target: Target): Promise<number> {
  const seconds = await client.command<number>('concurrent', { target, n: THROUGHPUT_REQUESTS, width: IN_FLIGHT })
  return THROUGHPUT_REQUESTS / seconds
}

async function main (): Promise<void> {
  const started = performance.now()
  console.log(`nara bench — node ${process.version}, ${new Date().toISOString()}; each node its own process`)
  console.log(`${'measure'.padEnd(40)} ${'nara'.padStart(13)}   ${'floor'.padEnd(32)} ${'floor'.padStart(13)} ${'ratio'.padStart(8)}`)
  await pipelineVsVerify()

  const server = await spawnNode('bench-server')
  const info = await server.command<Info>('info')
  const client = await spawnNode('bench-client', { bootstrap: info.multiaddr })
  const more = await Promise.all([spawnNode('bench-confidant-2', { bootstrap: info.multiaddr }), spawnNode('bench-confidant-3', { bootstrap: info.multiaddr })])
  await Promise.all([client, server, ...more].map(async c => await c.command('waitPeers', { count: 3 })))

  const tcp = await sequential(client, server, { floor: 'tcp', port: info.tcpPort })
  const fresh = await sequential(client, server, { floor: 'new-stream', server: info.multiaddr })
  const reused = await sequential(client, server, { floor: 'reused-stream', server: info.multiaddr })
  const call = await sequential(client, server, { floor: 'call', to: info.id })
  const ms = (s: number[], p: number): string => `${percentile(s, p).toFixed(3)} ms`
  const p50 = (s: Sequential): number => percentile(s.samples, 0.5)
  const p99 = (s: Sequential): number => percentile(s.samples, 0.99)
  row('call() p50, one at a time', ms(call.samples, 0.5), 'libp2p echo, new stream', ms(fresh.samples, 0.5), p50(call) / p50(fresh))
  row('', '', 'libp2p echo, reused stream', ms(reused.samples, 0.5), p50(call) / p50(reused))
  row('', '', 'raw TCP echo', ms(tcp.samples, 0.5), p50(call) / p50(tcp))
  row('call() p99, one at a time', ms(call.samples, 0.99), 'libp2p echo, new stream', ms(fresh.samples, 0.99), p99(call) / p99(fresh))
  row('', '', 'libp2p echo, reused stream', ms(reused.samples, 0.99), p99(call) / p99(reused))

  const callRate = await throughput(client, { floor: 'call', to: info.id })
  const freshRate = await throughput(client, { floor: 'new-stream', server: info.multiaddr })
  const reusedRate = await throughput(client, { floor: 'reused-stream', server: info.multiaddr })
  const perSecond = (r: number): string => `${Math.round(r)}/s`
  row(`requests/s, ${IN_FLIGHT} in flight`, perSecond(callRate), 'libp2p echo, new stream', perSecond(freshRate), callRate / freshRate)
  row('', '', 'libp2p echo, reused stream', perSecond(reusedRate), callRate / reusedRate)

  const micros = (n: number): string => `${n.toFixed(0)} µs`
  row('CPU per call, warm (client + server)', micros(call.cpuPerRequest), 'libp2p echo, reused stream', micros(reused.cpuPerRequest), call.cpuPerRequest / reused.cpuPerRequest)
  row('', '', 'libp2p echo, new stream', micros(fresh.cpuPerRequest), call.cpuPerRequest / fresh.cpuPerRequest)

  const everyNode = [client, server, ...more]
  const cpuNow = async (): Promise<Cpu[]> => await Promise.all(everyNode.map(async c => await c.command<Cpu>('cpu')))
  const cpuSince = (before: Cpu[], after: Cpu[]): number => before.reduce((sum, b, i) => sum + cpuMicros(b, after[i]), 0)

  // A set's floor: the same bytes to the same three peers as three warm calls at once,
  // which the set's stores cannot beat (the store path runs too rarely to be as warm).
  const confidants = [info.id, ...await Promise.all(more.map(async c => (await c.command<Info>('info')).id))]
  const fanOut = async (n: number): Promise<number[]> =>
    await client.command<number[]>('parallelCalls', { to: confidants, n, bytes: STASH_BYTES })
  await fanOut(WARMUP_ROUND_TRIPS / confidants.length)
  const fanOutBefore = await cpuNow()
  const fanOutSamples = await fanOut(ROUND_TRIPS)
  const fanOutCpu = cpuSince(fanOutBefore, await cpuNow()) / ROUND_TRIPS
  row(`${confidants.length} call()s at once, 4 KiB each, p50`, ms(fanOutSamples, 0.5), 'one call() p50', ms(call.samples, 0.5), percentile(fanOutSamples, 0.5) / p50(call))

  const stashSets = async (n: number, intervalMs: number): Promise<number[]> =>
    await client.command<number[]>('stashSets', { n, bytes: STASH_BYTES, intervalMs })
  await stashSets(1, 0)
  await sleep(STASH_SETTLE_MS)
  const hot: number[] = []
  let setCpu = 0
  for (let burst = 0; burst < STASH_SETS / STASH_BURST; burst++) {
    if (burst > 0) await sleep(STASH_REFILL_MS)
    const before = await cpuNow()
    hot.push(...await stashSets(STASH_BURST, 0))
    const after = await cpuNow()
    setCpu += cpuSince(before, after)
  }
  row('stash.set(4 KiB), 3 confidants, p50', ms(hot, 0.5), 'one call() p50', ms(call.samples, 0.5), percentile(hot, 0.5) / p50(call))
  row('', '', `${confidants.length} call()s at once, 4 KiB`, ms(fanOutSamples, 0.5), percentile(hot, 0.5) / percentile(fanOutSamples, 0.5))
  // CPU, unlike time, does not depend on how many cores four processes find free
  const cpuPerSet = setCpu / hot.length
  row('  its CPU (owner + 3 confidants)', micros(cpuPerSet), '3 x CPU per call', micros(3 * call.cpuPerRequest), cpuPerSet / (3 * call.cpuPerRequest))
  row('', '', `${confidants.length} call()s at once, 4 KiB`, micros(fanOutCpu), cpuPerSet / fanOutCpu)
  await sleep(STASH_REFILL_MS)
  const paced = await stashSets(STASH_SETS, STASH_INTERVAL_MS)
  row(`  the same, one set every ${STASH_INTERVAL_MS} ms`, ms(paced, 0.5), 'one call() p50', ms(call.samples, 0.5), percentile(paced, 0.5) / p50(call))

  // Boot-time recovery: the owner stops, a new process with its identity boots and gets its stash back.
  await stopChild(client)
  const [joinedMs, recoveredMs] = await spawnNodeWatching('bench-client', info.multiaddr)
  row('boot-time recovery (process start)', `${recoveredMs.toFixed(0)} ms`, 'boot to joining the swarm', `${joinedMs.toFixed(0)} ms`, recoveredMs / joinedMs)

  console.log(`Every row one at a time is timed (${ROUNDS} x ${ROUND_TRIPS} requests, CPU the rounds' median) after ${WARMUP_ROUND_TRIPS} requests of its own.`)
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`)
}

/** Spawns the owner again with recovery on; resolves with [joined, recovered] ms from its process start. */
async function spawnNodeWatching (name: string, bootstrap: string): Promise<[number, number]> {
  const proc = fork(NODE_SCRIPT, [JSON.stringify({ name, bootstrap, recover: true })], { execArgv: [...NODE_FLAGS], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const child = new Child(name, proc)
  children.push(child)
  const joined = child.event('joined', 30_000)
  const recovered = child.event('recovered', 30_000)
  return await Promise.all([joined, recovered])
}

let exitCode = 0
main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`)
  exitCode = 1
}).finally(async () => {
  await Promise.all(children.map(stopChild))
  process.exit(exitCode)
})
