// npm run scale -- --nodes 10,25,50 [--reboots 10] [--idle-seconds 120] [--kills 1] [--timeline]
// For each size: starts a swarm of `nara start` processes on 127.0.0.1 (all bootstrapped
// to the first, as `npm run swarm` does), times its convergence and the CPU it took,
// measures the idle swarm (RSS, CPU, gossip and stream messages), then kills and
// restarts one owner again and again and times its recovery (with --timeline, the reborn
// owner logs at debug level and each recovery's steps are printed), and at last kills
// other naras for good, one at a time, and times how long their peers list them online.
// Prints one table. Every process it starts is stopped, and the whole run is bounded in time.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import type { PeersBody, StashBody, RecoveryBody } from '../src/api/types.js'
import type { RuntimeStats } from '../src/runtime/runtime.js'
import { table } from '../src/cli/format.js'
import { superviseChildren, sleep, type Children, type NaraChild, type NaraSpec } from './swarm-children.js'
import { pollUntil, tryApi, waitForMesh } from './swarm-api.js'
import { usage } from './process-usage.js'
import { STEPS, STEP_MEANING, formatTimeline, timelineOf } from './reborn-timeline.js'

const START_TIMEOUT_MS = 60_000
const CONVERGE_TIMEOUT_MS = 120_000
const RECOVERY_TIMEOUT_MS = 30_000
/**
 * How long a converged swarm settles before its idle cost is measured: in the first
 * 20–30 s after convergence a swarm of 50 still used 0.6 cores (the DHT's and identify's
 * start-up work), against 0.4–0.5 after.
 */
const SETTLE_MS = 30_000
/** The idle swarm's CPU is also shown per window of this length (min / median / max): at 50 it varies by ±0.1 cores from one window to the next. */
const IDLE_WINDOW_MS = 10_000
const BETWEEN_REBOOTS_MS = 2_000
const STOP_GRACE_MS = 4_000
/** How long a killed nara's peers are watched for listing it offline (a silent peer goes within 3 heartbeats, at most 3 min). */
const OFFLINE_TIMEOUT_MS = 200_000
const OFFLINE_POLL_MS = 500
/** The whole run stops itself after this long, whatever happens. */
const RUN_LIMIT_MS = 30 * 60_000
const CLOCK_TICKS_PER_S = 100
const BASE_PORT = 20_000
const API_BASE_PORT = 24_000

interface ScaleFlags { nodes: number[], reboots: number, idleSeconds: number, kills: number, timeline: boolean }

interface SizeResult {
  nodes: number
  convergeS: number
  /** first process start → every process running (its API answering), s */
  runningS: number
  /** CPU-seconds all the swarm's processes used from their start until it converged */
  convergeCpuS: number
  rssMedianMb: number
  rssMaxMb: number
  idleCores: number
  gossipPerNodeMin: number
  streamPerNodeMin: number
  /** process start → stash:recovered, ms */
  recovered: number[]
  /** of which nara's own part: recovery begin → stash:recovered, ms */
  naraPart: number[]
  /** restart → GET /stash answering, ms */
  answering: number[]
  lost: number
  /** per peer of each killed nara: kill -9 → its GET /peers no longer lists it, ms (Infinity: still listed at the deadline) */
  seenOffline: number[]
}

const say = (line: string): void => { process.stdout.write(`${line}\n`) }

function parseFlags (): ScaleFlags {
  const sizes = (value: string): number[] => {
    const list = value.split(',').map(v => Number(v.trim()))
    if (list.some(n => !Number.isInteger(n) || n < 2 || n > 50)) throw new InvalidArgumentError('give sizes from 2 to 50, comma-separated, e.g. 10,25,50')
    return list
  }
  const int = (min: number, max: number) => (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`)
    return n
  }
  return new Command('scale')
    .description('measure swarms of nara processes on 127.0.0.1: convergence, idle cost, recovery')
    .option('--nodes <sizes>', 'swarm sizes, comma-separated', sizes, [10, 25, 50])
    .option('--reboots <n>', 'owner kill -9 and restarts per size', int(1, 50), 10)
    .option('--idle-seconds <s>', 'how long the idle swarm is measured (the default averages out its swings from one 10 s window to the next)', int(5, 300), 120)
    .option('--kills <n>', 'naras killed with kill -9 for good at the end, each timed until its peers list it offline', int(0, 10), 1)
    .option('--timeline', 'the reborn owner logs at debug level; print the steps of each recovery', false)
    .configureOutput({ outputError: (s, write) => { write(`${s.trim().split('\n').join(' ')}\n`) } })
    .exitOverride((err) => { process.exit(err.exitCode === 0 ? 0 : 2) })
    .parse().opts<ScaleFlags>()
}

async function statsOf (child: NaraChild): Promise<RuntimeStats | undefined> {
  for (const path of ['/stats', '/metrics']) {
    const res = await tryApi<RuntimeStats>(child.summary!.api, path).catch(() => undefined)
    if (res?.status === 200 && typeof res.body === 'object' && res.body.traffic !== undefined) return res.body
  }
  return undefined
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

const median = (values: number[]): number => percentile(values, 0.5)

async function measureSize (children: Children, n: number, flags: ScaleFlags): Promise<SizeResult> {
  const spec = (i: number, bootstrap?: string): NaraSpec => ({
    name: `scale-${i}`, port: BASE_PORT + i, apiPort: API_BASE_PORT + i, ...(bootstrap !== undefined ? { bootstrap } : {})
  })
  say(`\n[${n}] starting ${n} naras ...`)
  const t0 = Date.now()
  const first = children.spawn(spec(0))
  const bootstrap = (await children.summaryOf(first, START_TIMEOUT_MS)).multiaddrs[0]
  const others = Array.from({ length: n - 1 }, (_, i) => children.spawn(spec(i + 1, bootstrap)))
  await Promise.all(others.map(async c => await children.summaryOf(c, START_TIMEOUT_MS)))
  const runningS = (Date.now() - t0) / 1000
  const nodes = [first, ...others]
  await waitForMesh(nodes, CONVERGE_TIMEOUT_MS)
  const convergeS = (Date.now() - t0) / 1000
  // A start is CPU-bound on a small machine: this over the cores is a floor on convergeS.
  const convergeCpuS = nodes.reduce((sum, c) => sum + usage(c.pid).ticks, 0) / CLOCK_TICKS_PER_S
  say(`[${n}] converged in ${convergeS.toFixed(1)} s (first process start to every GET /peers listing ${n - 1}); ` +
    `all ${n} processes running after ${runningS.toFixed(1)} s; the swarm used ${convergeCpuS.toFixed(0)} CPU-seconds until converged`)

  await sleep(SETTLE_MS)
  const before = nodes.map(c => usage(c.pid))
  const statsBefore = await Promise.all(nodes.map(statsOf))
  const idleStart = Date.now()
  const windows: number[] = []
  let windowStart = { at: idleStart, ticks: before.reduce((sum, u) => sum + u.ticks, 0) }
  while (Date.now() - idleStart < flags.idleSeconds * 1000) {
    await sleep(Math.min(IDLE_WINDOW_MS, flags.idleSeconds * 1000 - (Date.now() - idleStart)))
    const now = { at: Date.now(), ticks: nodes.reduce((sum, c) => sum + usage(c.pid).ticks, 0) }
    windows.push((now.ticks - windowStart.ticks) / CLOCK_TICKS_PER_S / ((now.at - windowStart.at) / 1000))
    windowStart = now
  }
  const idleS = (Date.now() - idleStart) / 1000
  const after = nodes.map(c => usage(c.pid))
  const statsAfter = await Promise.all(nodes.map(statsOf))
  const ticks = after.reduce((sum, u, i) => sum + u.ticks - before[i].ticks, 0)
  const rss = after.map(u => u.rssKb / 1024)
  const perNodeMin = (field: 'gossipIn' | 'streamIn' | 'gossipOut' | 'streamOut'): number => {
    const deltas = statsAfter.flatMap((s, i) => s !== undefined && statsBefore[i] !== undefined ? [s.traffic[field] - statsBefore[i]!.traffic[field]] : [])
    return deltas.length === 0 ? NaN : deltas.reduce((a, b) => a + b, 0) / deltas.length / (idleS / 60)
  }
  const result: SizeResult = {
    nodes: n,
    convergeS,
    runningS,
    convergeCpuS,
    rssMedianMb: median(rss),
    rssMaxMb: Math.max(...rss),
    idleCores: ticks / CLOCK_TICKS_PER_S / idleS,
    gossipPerNodeMin: perNodeMin('gossipIn') + perNodeMin('gossipOut'),
    streamPerNodeMin: perNodeMin('streamIn') + perNodeMin('streamOut'),
    recovered: [],
    naraPart: [],
    answering: [],
    lost: 0,
    seenOffline: []
  }
  const cores = (c: number): string => c.toFixed(2)
  say(`[${n}] idle: ${cores(result.idleCores)} cores for the swarm over ${idleS.toFixed(0)} s ` +
    `(${IDLE_WINDOW_MS / 1000} s windows: min ${cores(Math.min(...windows))}, median ${cores(median(windows))}, max ${cores(Math.max(...windows))}), ` +
    `RSS median ${result.rssMedianMb.toFixed(0)} MB, ` +
    `${result.gossipPerNodeMin.toFixed(0)} gossip and ${result.streamPerNodeMin.toFixed(0)} stream messages per node per minute`)

  // The owner is not the bootstrap node: a reborn nara joins through someone else.
  let owner = nodes[1]
  const rebornSpec = (): NaraSpec => flags.timeline
    ? { ...spec(1, bootstrap), flags: ['--log-level', 'debug'], env: { DEBUG: 'nara:transport' }, keepStderr: true }
    : spec(1, bootstrap)
  const put = await tryApi<{ error?: string }>(owner.summary!.api, '/stash', { method: 'PUT', body: JSON.stringify({ level: n }) })
  if (put?.status !== 200) throw new Error(`PUT /stash on ${owner.spec.name} failed: ${put?.body.error ?? 'no answer'}`)
  for (let r = 1; r <= flags.reboots; r++) {
    await sleep(BETWEEN_REBOOTS_MS)
    await children.kill(owner)
    const restartedAt = Date.now()
    owner = children.spawn(rebornSpec())
    const cpu = flags.timeline ? sampleCpu(owner) : undefined
    await children.summaryOf(owner, START_TIMEOUT_MS)
    const api = owner.summary!.api
    const answer = await pollUntil(async () => {
      const res = await tryApi<StashBody>(api, '/stash')
      return res?.status === 200 || res?.status === 404 ? res : undefined
    }, RECOVERY_TIMEOUT_MS, () => `${owner.spec.name} to answer GET /stash`).finally(() => cpu?.stop())
    const answeringMs = Date.now() - restartedAt
    if (flags.timeline) {
      const log = join(tmpdir(), `nara-scale-${n}-reboot-${r}.log`)
      writeFileSync(log, owner.stderrLines.map(l => `+${l.at - owner.spawnedAt} ${l.line}\n`).join(''))
      const timeline = timelineOf(owner.stderrLines, owner.spawnedAt)
      const busy = cpu!.msBy(timeline.at.recovered ?? answeringMs)
      say(`[${n}] reboot ${r} timeline, ms after spawn: ${formatTimeline(timeline)}; GET /stash ${answeringMs}; ` +
        `CPU by recovered ${busy} ms (its log: ${log})`)
    }
    const recovery: RecoveryBody | undefined = answer.status === 200 ? answer.body.recovery : undefined
    if (recovery === undefined || recovery.count === 0) {
      result.lost++
      say(`[${n}] reboot ${r}: stash NOT recovered`)
      continue
    }
    result.recovered.push(recovery.endedAtMs)
    result.naraPart.push(recovery.endedAtMs - recovery.beganAtMs)
    result.answering.push(answeringMs)
    say(`[${n}] reboot ${r}: recovered ${recovery.count} copies ${recovery.endedAtMs} ms after process start ` +
      `(nara's part ${recovery.endedAtMs - recovery.beganAtMs} ms); GET /stash answered ${answeringMs} ms after the restart`)
  }
  if (flags.timeline) say(`[${n}] timeline steps: ${STEPS.map(s => `${s} = ${STEP_MEANING[s]}`).join('; ')}`)

  // Naras killed for good, neither the bootstrap node nor the owner: how long is each listed online?
  const live = [nodes[0], owner, ...nodes.slice(2)]
  for (let k = 0; k < flags.kills && live.length > 3; k++) {
    const victim = live.pop()!
    await sleep(BETWEEN_REBOOTS_MS)
    const times = await timeSeenOffline(children, victim, live)
    result.seenOffline.push(...times)
    say(`[${n}] kill ${k + 1}: ${victim.spec.name} seen offline by its ${times.length} peers after p50 ${seconds(median(times))} s, ` +
      `the last after ${seconds(Math.max(...times))} s`)
  }
  return result
}

/** Samples a process's CPU every 50 ms; `msBy(t)`: the CPU it had used t ms after its spawn. */
function sampleCpu (child: NaraChild): { stop: () => void, msBy: (t: number) => number } {
  const samples: Array<{ at: number, ms: number }> = []
  const timer = setInterval(() => { samples.push({ at: Date.now() - child.spawnedAt, ms: usage(child.pid).ticks * 1000 / CLOCK_TICKS_PER_S }) }, 50)
  return {
    stop: () => { clearInterval(timer) },
    msBy: (t) => samples.findLast(s => s.at <= t)?.ms ?? 0
  }
}

const seconds = (ms: number): string => ms === Infinity ? `> ${OFFLINE_TIMEOUT_MS / 1000}` : (ms / 1000).toFixed(1)

/** kill -9 `victim`; per observer, the ms until its GET /peers no longer lists it (Infinity: listed until the deadline). */
async function timeSeenOffline (children: Children, victim: NaraChild, observers: NaraChild[]): Promise<number[]> {
  const id = victim.summary!.id
  const killedAt = Date.now()
  await children.kill(victim)
  const seen = new Map<NaraChild, number>()
  while (seen.size < observers.length && Date.now() - killedAt < OFFLINE_TIMEOUT_MS) {
    await Promise.all(observers.filter(o => !seen.has(o)).map(async (o) => {
      const res = await tryApi<PeersBody>(o.summary!.api, '/peers').catch(() => undefined)
      if (res?.status === 200 && !res.body.peers.some(p => p.id === id)) seen.set(o, Date.now() - killedAt)
    }))
    await sleep(OFFLINE_POLL_MS)
  }
  return observers.map(o => seen.get(o) ?? Infinity)
}

function printTable (results: SizeResult[]): void {
  const ms = (v: number): string => Number.isNaN(v) ? '-' : `${Math.round(v)}`
  say('')
  const rows = results.map(r => [
    String(r.nodes), r.convergeS.toFixed(1), r.runningS.toFixed(1), r.convergeCpuS.toFixed(0),
    `${r.rssMedianMb.toFixed(0)} / ${r.rssMaxMb.toFixed(0)}`, r.idleCores.toFixed(2),
    r.gossipPerNodeMin.toFixed(0), r.streamPerNodeMin.toFixed(0),
    `${ms(median(r.recovered))} / ${ms(percentile(r.recovered, 0.99))}`,
    `${ms(median(r.naraPart))} / ${ms(percentile(r.naraPart, 0.99))}`,
    `${ms(median(r.answering))} / ${ms(percentile(r.answering, 0.99))}`,
    `${r.recovered.length}/${r.recovered.length + r.lost}`,
    r.seenOffline.length === 0 ? '-' : `${seconds(median(r.seenOffline))} / ${seconds(Math.max(...r.seenOffline))}`
  ])
  for (const line of table(['NODES', 'CONVERGE s', 'ALL RUNNING s', 'CPU-s TO CONVERGE', 'RSS MB med/max', 'IDLE CPU cores',
    'GOSSIP /node/min', 'STREAM /node/min',
    'START→RECOVERED ms p50/p99', 'NARA PART ms p50/p99', 'RESTART→GET /stash ms p50/p99', 'RECOVERED', 'KILL -9→OFFLINE s p50/max'], rows)) say(line)
}

async function main (): Promise<void> {
  const flags = parseFlags()
  const { children } = superviseChildren({ limitMs: RUN_LIMIT_MS, graceMs: STOP_GRACE_MS, what: 'the run' })

  const results: SizeResult[] = []
  for (const n of flags.nodes) {
    try {
      results.push(await measureSize(children, n, flags))
    } finally {
      await children.stopAll(STOP_GRACE_MS)
      await sleep(2_000) // let the ports and the CPU calm down before the next size
    }
  }
  printTable(results)
}

main().catch((err: Error) => {
  process.stderr.write(`error: ${err.message}\n`)
  process.exit(1)
})
