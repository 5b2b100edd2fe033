// npm run soak -- --minutes 10 [--nodes 10] [--owners 3]
// A long run of `nara start` processes on 127.0.0.1: a few owners set a new state
// again and again through their HTTP API while other naras are killed with SIGKILL
// and restarted. Prints every nara's RSS each minute; at the end kills and restarts
// each owner, which must recover its latest state, and says how many stashes were
// lost and whether memory stayed flat after the warm-up. Every loop is bounded in
// count and time, and every process it started is stopped, also on Ctrl-C or error.
import { Command, InvalidArgumentError } from 'commander'
import type { StashBody, StashSetBody } from '../src/api/types.js'
import { superviseChildren, sleep, type Children, type NaraChild, type NaraSpec } from './swarm-children.js'
import { pollUntil, tryApi, waitForMesh } from './swarm-api.js'
import { usage } from './process-usage.js'

const START_TIMEOUT_MS = 120_000
const CONVERGE_TIMEOUT_MS = 120_000
const RECOVERY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 4_000
/** Each owner sets a new state about this often. */
const SET_EVERY_MS = 15_000
/** A non-owner is killed with SIGKILL and restarted about this often... */
const KILL_EVERY_MS = 30_000
/** ...and stays down this long before its restart. */
const DOWN_MS = 3_000
/** Audits more often than the default 45 s, so a soak sees many of them. */
const AUDIT_INTERVAL_S = 10
/** A long-lived nara whose RSS grew less than this since the warm-up counts as flat. */
const FLAT_GROWTH = 0.15

interface SoakFlags { minutes: number, nodes: number, owners: number, basePort: number, apiBasePort: number }

/** What an owner last stored with an acknowledgement: what it must get back. */
interface OwnerState { index: number, version: number, data: unknown, sets: number, failedSets: number }

const say = (line: string): void => { process.stdout.write(`${line}\n`) }

function parseFlags (): SoakFlags {
  const int = (min: number, max: number) => (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`)
    return n
  }
  const flags = new Command('soak')
    .description('a long run of nara processes on 127.0.0.1 under churn: memory over time, stashes lost')
    .option('--minutes <n>', 'how long the churn runs (the first fifth, at least a minute, is warm-up)', int(2, 240), 10)
    .option('--nodes <n>', 'how many naras', int(5, 30), 10)
    .option('--owners <n>', 'how many of them set state (never killed until the end)', int(1, 10), 3)
    .option('--base-port <n>', 'TCP port of the first nara (the others follow)', int(1024, 32_000), 21_000)
    .option('--api-base-port <n>', 'API port of the first nara (the others follow)', int(1024, 32_000), 25_000)
    .configureOutput({ outputError: (s, write) => { write(`${s.trim().split('\n').join(' ')}\n`) } })
    .exitOverride((err) => { process.exit(err.exitCode === 0 ? 0 : 2) })
    .parse().opts<SoakFlags>()
  if (flags.owners > flags.nodes - 3) {
    process.stderr.write(`error: --owners ${flags.owners} leaves too few naras to churn; give at most --nodes minus 3 (${flags.nodes - 3})\n`)
    process.exit(2)
  }
  for (const [name, base] of [['--base-port', flags.basePort], ['--api-base-port', flags.apiBasePort]] as const) {
    if (base + flags.nodes > 32_768) {
      process.stderr.write(`error: ${name} ${base} + ${flags.nodes} naras goes past 32767; give a lower ${name}\n`)
      process.exit(2)
    }
  }
  return flags
}

const rssMb = (child: NaraChild): number => usage(child.pid).rssKb / 1024
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]

async function main (): Promise<void> {
  const flags = parseFlags()
  const { children, stopAndExit } = superviseChildren({ limitMs: (flags.minutes + 10) * 60_000, graceMs: STOP_GRACE_MS, what: 'the soak' })

  try {
    const lost = await soak(children, flags)
    await children.stopAll(STOP_GRACE_MS)
    process.exit(lost > 0 ? 1 : 0)
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`)
    await stopAndExit(1)
  }
}

/** The run itself; resolves with the number of stashes lost. */
async function soak (children: Children, flags: SoakFlags): Promise<number> {
  const spec = (i: number, bootstrap?: string): NaraSpec => ({
    name: `soak-${i}`, port: flags.basePort + i, apiPort: flags.apiBasePort + i, flags: ['--audit-interval', String(AUDIT_INTERVAL_S)],
    ...(bootstrap !== undefined ? { bootstrap } : {})
  })
  say(`soak: ${flags.nodes} naras on 127.0.0.1 (TCP ${flags.basePort}+, API ${flags.apiBasePort}+), ${flags.owners} owners setting state every ~${SET_EVERY_MS / 1000} s, ` +
    `a non-owner killed with SIGKILL and restarted every ~${KILL_EVERY_MS / 1000} s, audits every ~${AUDIT_INTERVAL_S} s, for ${flags.minutes} minutes`)
  const nodes: NaraChild[] = [children.spawn(spec(0))]
  const bootstrap = (await children.summaryOf(nodes[0], START_TIMEOUT_MS)).multiaddrs[0]
  for (let i = 1; i < flags.nodes; i++) nodes.push(children.spawn(spec(i, bootstrap)))
  await Promise.all(nodes.slice(1).map(async c => await children.summaryOf(c, START_TIMEOUT_MS)))
  await waitForMesh(nodes, CONVERGE_TIMEOUT_MS)
  say(`${flags.nodes} naras up and seeing each other`)

  // naras 1..owners set state; nara 0 (everyone's bootstrap) and the owners are never killed before the end
  const owners: OwnerState[] = Array.from({ length: flags.owners }, (_, k) => ({ index: k + 1, version: 0, data: undefined, sets: 0, failedSets: 0 }))
  const victims = Array.from({ length: flags.nodes - 1 - flags.owners }, (_, k) => k + 1 + flags.owners)
  const runMs = flags.minutes * 60_000
  const warmUpMinute = Math.max(1, Math.round(flags.minutes / 5))
  const began = Date.now()
  const deadline = began + runMs
  /** RSS of each nara at each minute; NaN while it is down */
  const samples: number[][] = []
  /** naras restarted since the warm-up sample: their RSS says nothing about growth */
  const restartedSinceWarmUp = new Set<number>()
  let kills = 0

  const setLoop = async (owner: OwnerState): Promise<void> => {
    const maxSets = Math.ceil(runMs / SET_EVERY_MS) + 1
    await sleep(Math.random() * SET_EVERY_MS)
    while (Date.now() < deadline && owner.sets + owner.failedSets < maxSets) {
      const data = { owner: `soak-${owner.index}`, seq: owner.sets + owner.failedSets + 1, at: new Date().toISOString() }
      const res = await tryApi<StashSetBody & { error?: string }>(nodes[owner.index].summary!.api, '/stash', { method: 'PUT', body: JSON.stringify(data), timeoutMs: 30_000 }).catch((err: Error) => {
        say(`  PUT /stash on soak-${owner.index} failed: ${err.message}`)
        return undefined
      })
      if (res?.status === 200) {
        owner.version = res.body.version
        owner.data = data
        owner.sets++
      } else {
        owner.failedSets++
        if (res !== undefined) say(`  PUT /stash on soak-${owner.index} answered ${res.status}: ${res.body.error ?? ''}`)
      }
      await sleep(Math.min(SET_EVERY_MS * (0.5 + Math.random()), Math.max(0, deadline - Date.now())))
    }
  }

  const churnLoop = async (): Promise<void> => {
    const maxKills = Math.floor(runMs / KILL_EVERY_MS)
    while (Date.now() + KILL_EVERY_MS < deadline && kills < maxKills) {
      await sleep(KILL_EVERY_MS * (0.5 + Math.random()))
      if (Date.now() >= deadline) return
      const i = victims[Math.floor(Math.random() * victims.length)]
      await children.kill(nodes[i])
      kills++
      await sleep(DOWN_MS)
      nodes[i] = children.spawn(spec(i, bootstrap))
      await children.summaryOf(nodes[i], START_TIMEOUT_MS)
      if (samples.length >= warmUpMinute) restartedSinceWarmUp.add(i)
    }
  }

  const sampleLoop = async (): Promise<void> => {
    for (let minute = 1; minute <= flags.minutes; minute++) {
      await sleep(Math.max(0, began + minute * 60_000 - Date.now()))
      const rss = nodes.map(c => c.exitedWith === undefined ? rssMb(c) : NaN)
      samples.push(rss)
      const sets = owners.reduce((n, o) => n + o.sets, 0)
      say(`[minute ${String(minute).padStart(3)}] RSS MB ${rss.map((r, i) => `soak-${i} ${Number.isNaN(r) ? 'down' : r.toFixed(0)}`).join(', ')}` +
        ` | kill -9 so far ${kills}, stash sets ${sets}${minute === warmUpMinute ? ' (warm-up sample)' : ''}`)
    }
  }

  await Promise.all([...owners.map(setLoop), churnLoop(), sampleLoop()])

  // memory: the naras alive and never restarted since the warm-up sample
  const warm = samples[warmUpMinute - 1]
  const end = samples[samples.length - 1]
  const steady = nodes.map((_, i) => i).filter(i => !restartedSinceWarmUp.has(i) && !Number.isNaN(warm[i]) && !Number.isNaN(end[i]))
  const growth = steady.map(i => (end[i] - warm[i]) / warm[i])
  const flat = growth.every(g => g < FLAT_GROWTH)

  // each owner: kill -9, restart, recover its latest acknowledged state
  let lost = 0
  for (const owner of owners) {
    if (owner.version === 0) {
      say(`soak-${owner.index}: never stored a state`)
      lost++
      continue
    }
    await children.kill(nodes[owner.index])
    const restartedAt = Date.now()
    nodes[owner.index] = children.spawn(spec(owner.index, bootstrap))
    const api = (await children.summaryOf(nodes[owner.index], START_TIMEOUT_MS)).api
    const res = await pollUntil(async () => {
      const r = await tryApi<StashBody>(api, '/stash')
      return r?.status === 200 || r?.status === 404 ? r : undefined
    }, RECOVERY_TIMEOUT_MS, () => `soak-${owner.index} to answer GET /stash`)
    const same = res.status === 200 && res.body.version === owner.version && JSON.stringify(res.body.data) === JSON.stringify(owner.data)
    if (!same) lost++
    say(`soak-${owner.index}: kill -9 and restart: ${same
      ? `recovered its latest state (version ${owner.version}, set ${owner.sets} times) in ${Date.now() - restartedAt} ms`
      : `LOST its latest state (expected version ${owner.version}, got ${res.status === 200 ? `version ${res.body.version}` : `HTTP ${res.status}`})`}`)
  }

  const sets = owners.reduce((n, o) => n + o.sets, 0)
  const failedSets = owners.reduce((n, o) => n + o.failedSets, 0)
  const pct = (g: number): string => `${g >= 0 ? '+' : ''}${(100 * g).toFixed(1)} %`
  say('')
  say(`soak: ${flags.nodes} naras, ${flags.minutes} minutes, ${kills} kill -9 + restarts of non-owners, ${sets} stash sets acknowledged (${failedSets} failed)`)
  say(`RSS MB median at warm-up (minute ${warmUpMinute}) ${median(steady.map(i => warm[i])).toFixed(0)} → at the end ${median(steady.map(i => end[i])).toFixed(0)}; ` +
    `${steady.length} naras never restarted since the warm-up grew ${pct(median(growth))} median, ${pct(Math.max(...growth))} at most`)
  say(`memory flat after warm-up: ${flat ? 'yes' : 'no'} (every such nara grew less than ${pct(FLAT_GROWTH)})`)
  say(`stashes lost: ${lost} of ${owners.length}`)
  return lost
}

main().catch((err: Error) => {
  process.stderr.write(`error: ${err.message}\n`)
  process.exit(1)
})
