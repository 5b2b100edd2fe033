// npm run swarm -- --nodes N [--base-port P] [--api-base-port A] [--demo]
// Starts N `nara start` processes on 127.0.0.1 (the first is everyone's bootstrap),
// waits until they all see each other and prints them; --demo narrates the stash
// story. Ctrl-C stops every child (SIGTERM, then SIGKILL); none is left behind.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError, Option } from 'commander'
import { table } from '../src/cli/format.js'
import { Children, type NaraChild } from './swarm-children.js'
import { waitForMesh } from './swarm-api.js'
import { inspectorUrl, runDemo, tabUrl } from './swarm-demo.js'

const START_TIMEOUT_MS = 20_000
/**
 * Naras started together share the machine's cores, about 0.5 CPU-seconds each: on two
 * cores all 50 of a swarm were running 14-18 s after the first started (npm run scale).
 */
const startTimeoutMs = (nodes: number): number => START_TIMEOUT_MS + 500 * nodes
/** Convergence takes longer with more naras on the same two cores: about 1 s per nara measured at 50. */
const meshTimeoutMs = (nodes: number): number => 30_000 + 2_000 * nodes
const STOP_GRACE_MS = 4_000

interface SwarmFlags { nodes: number, basePort: number, apiBasePort: number, demo?: boolean, logLevel: string }

const say = (line: string): void => { process.stdout.write(`${line}\n`) }
const complain = (line: string): void => { process.stderr.write(`${line}\n`) }

function intIn (min: number, max: number, what: string): (value: string) => number {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}`)
    return n
  }
}

function parseFlags (): SwarmFlags {
  const program = new Command('swarm')
    .description('start a local swarm of naras on 127.0.0.1')
    .option('--nodes <n>', 'how many naras', intIn(1, 50, 'the number of nodes'), 3)
    .option('--base-port <p>', 'TCP port of the first nara; the others count up', intIn(1024, 65000, 'the base port'), 4500)
    .option('--api-base-port <a>', 'API port of the first nara; the others count up', intIn(1024, 65000, 'the API base port'), 7421)
    .addOption(new Option('--log-level <level>', 'the naras\' log level (their last lines are shown when one dies)')
      .choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .option('--demo', 'narrate the stash story: store, kill the owner, restart it, recover')
    .configureOutput({ outputError: (s, write) => { write(`${s.trim().split('\n').join(' ')}\n`) } })
    .exitOverride((err) => { process.exit(err.exitCode === 0 ? 0 : 2) })
  const flags = program.parse().opts<SwarmFlags>()
  if (flags.demo === true && flags.nodes < 2) program.error('error: --demo needs at least 2 nodes (4 is a good number): --nodes 4', { exitCode: 2 })
  const ranges = [[flags.basePort, flags.basePort + flags.nodes], [flags.apiBasePort, flags.apiBasePort + flags.nodes]]
  if (ranges[0][0] < ranges[1][1] && ranges[1][0] < ranges[0][1]) {
    program.error('error: the TCP and API port ranges overlap; move one with --base-port or --api-base-port', { exitCode: 2 })
  }
  return flags
}

async function main (): Promise<void> {
  const flags = parseFlags()
  const mainJs = fileURLToPath(new URL('../nara.mjs', import.meta.url))
  if (!existsSync(mainJs)) throw new Error(`${mainJs} does not exist; run \`npm run build\` first`)
  const children = new Children(mainJs, flags.logLevel)
  guard(children, flags.demo === true)

  const spec = (i: number, bootstrap?: string): Parameters<Children['spawn']>[0] => ({
    name: `swarm-${i}`, port: flags.basePort + i, apiPort: flags.apiBasePort + i, ...(bootstrap !== undefined ? { bootstrap } : {})
  })
  say(`starting ${flags.nodes} nara(s) on 127.0.0.1 ...`)
  const first = children.spawn(spec(0))
  const bootstrap = (await children.summaryOf(first, START_TIMEOUT_MS)).multiaddrs[0]
  const others = Array.from({ length: flags.nodes - 1 }, (_, i) => children.spawn(spec(i + 1, bootstrap)))
  await Promise.all(others.map(async c => await children.summaryOf(c, startTimeoutMs(flags.nodes))))
  const nodes = [first, ...others]
  await waitForMesh(nodes, meshTimeoutMs(nodes.length))
  printTable(nodes)

  if (flags.demo === true) {
    say('')
    nodes[0] = await runDemo(children, nodes, say)
    say('')
    say('stopping the swarm ...')
    await children.stopAll(STOP_GRACE_MS)
    process.exit(0)
  }
  say('')
  say(`${nodes.length} nara(s) up and seeing each other. Join with: npm start -- --bootstrap ${bootstrap}`)
  say(`Or run a nara in a browser tab: ${tabUrl(first.summary!.api)}`)
  say('Ctrl-C stops them all.')
  for (const child of nodes) {
    void child.exited.then(how => { if (!stopping) complain(`warning: ${child.spec.name} exited (${how})${lastLine(child)}`) })
  }
}

function printTable (nodes: NaraChild[]): void {
  const rows = nodes.map(c => [c.spec.name, c.summary!.id, c.summary!.peerId, `127.0.0.1:${c.spec.port}`, c.summary!.api, inspectorUrl(c.summary!.api)])
  for (const line of table(['NAME', 'NaraID', 'PeerID', 'TCP', 'API', 'INSPECTOR (open in a browser)'], rows)) say(line)
}

function lastLine (child: NaraChild): string {
  const last = child.stderrTail.at(-1)
  return last === undefined ? '' : `: ${last}`
}

let stopping = false

/** Ctrl-C/SIGTERM stop every child; a crash or exit of this script kills them. */
function guard (children: Children, demo: boolean): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      children.killAllNow()
      process.exit(1)
    }
    stopping = true
    complain(`${signal}: stopping ${children.count} nara(s) ...`)
    void children.stopAll(STOP_GRACE_MS).then(() => { process.exit(demo ? 130 : 0) })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', () => { children.killAllNow() })
  const crash = (err: unknown): void => {
    complain(`error: ${(err as Error)?.message ?? String(err)}`)
    children.killAllNow()
    process.exit(1)
  }
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
  fatal = async (err: Error) => {
    stopping = true
    const hint = err.message.includes('already in use') ? '; move the swarm with --base-port <p> / --api-base-port <a>' : ''
    complain(`error: ${err.message}${hint}`)
    await children.stopAll(STOP_GRACE_MS)
    process.exit(1)
  }
}

let fatal = async (err: Error): Promise<void> => {
  complain(`error: ${err.message}`)
  process.exit(1)
}

main().catch(async (err: Error) => { await fatal(err) })
