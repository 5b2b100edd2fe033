import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import type { StartSummary } from '../src/cli/format.js'
import { NODE_FLAGS } from '../src/cli/node-flags.js'

/** How many stderr lines of a child are kept, to explain why it died. */
const STDERR_TAIL = 15

export interface NaraSpec {
  name: string
  port: number
  apiPort: number
  bootstrap?: string
  /** more `nara start` flags */
  flags?: string[]
  /** more environment variables for the process */
  env?: Record<string, string>
  /** keep every stderr line it writes (`NaraChild.stderrLines`), not only the last few */
  keepStderr?: boolean
}

/** A `nara start --json` child process. */
export interface NaraChild {
  readonly spec: NaraSpec
  readonly proc: ChildProcess
  readonly pid: number
  /** its start-up summary, once it printed it */
  summary?: StartSummary
  /** resolves with the exit code (or signal) once the process has exited */
  readonly exited: Promise<string>
  exitedWith?: string
  /** the last lines it wrote on stderr */
  readonly stderrTail: string[]
  /** every line it wrote on stderr, with the wall-clock time it was read, when `spec.keepStderr` */
  readonly stderrLines: Array<{ at: number, line: string }>
  /** when it was spawned (ms since the Unix epoch) */
  readonly spawnedAt: number
}

/**
 * Spawns and tracks nara processes; every one it started is stopped by `stopAll`
 * or, if this script dies first, killed by `killAllNow` from the exit handler.
 */
export class Children {
  private readonly live = new Set<NaraChild>()

  constructor (private readonly mainJs: string, private readonly logLevel = 'warn') {}

  /** Starts a nara in its own process group, so a Ctrl-C in the terminal reaches only this script. */
  spawn (spec: NaraSpec): NaraChild {
    const args = [
      this.mainJs, 'start', '--json', '--name', spec.name, '--listen', `/ip4/127.0.0.1/tcp/${spec.port}`,
      // WebSockets on an OS-chosen loopback port, for a nara in a browser tab (GET /tab/)
      '--listen', '/ip4/127.0.0.1/tcp/0/ws',
      '--api-port', String(spec.apiPort), '--log-level', this.logLevel,
      ...(spec.bootstrap !== undefined ? ['--bootstrap', spec.bootstrap] : []),
      ...(spec.flags ?? [])
    ]
    const spawnedAt = Date.now()
    const env = spec.env === undefined ? process.env : { ...process.env, ...spec.env }
    const proc = spawn(process.execPath, [...NODE_FLAGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env })
    if (proc.pid === undefined) throw new Error(`could not start ${spec.name}: no process id`)
    const stderrTail: string[] = []
    const stderrLines: Array<{ at: number, line: string }> = []
    const exited = new Promise<string>(resolve => {
      proc.once('exit', (code, signal) => { resolve(signal ?? `code ${code ?? '?'}`) })
    })
    const child: NaraChild = { spec, proc, pid: proc.pid, exited, stderrTail, stderrLines, spawnedAt }
    void exited.then(how => { child.exitedWith = how; this.live.delete(child) })
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      if (spec.keepStderr === true) stderrLines.push({ at: Date.now(), line })
      stderrTail.push(line)
      if (stderrTail.length > STDERR_TAIL) stderrTail.shift()
    })
    this.live.add(child)
    return child
  }

  /** Waits for the child's one-line JSON summary on stdout. */
  async summaryOf (child: NaraChild, timeoutMs: number): Promise<StartSummary> {
    const lines = createInterface({ input: child.proc.stdout! })
    try {
      return await new Promise<StartSummary>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`${child.spec.name} did not start within ${timeoutMs / 1000} s${why(child)}`)) }, timeoutMs)
        lines.on('line', (line) => {
          const summary = parseSummary(line)
          if (summary === undefined) return
          clearTimeout(timer)
          child.summary = summary
          resolve(summary)
        })
        void child.exited.then(how => {
          clearTimeout(timer)
          reject(new Error(`${child.spec.name} exited (${how}) before it was up${why(child)}`))
        })
      })
    } finally {
      // keep draining stdout so the child never blocks on a full pipe
      lines.removeAllListeners('line')
      child.proc.stdout!.resume()
    }
  }

  /** SIGKILL by PID, at once: what a crash looks like. */
  async kill (child: NaraChild): Promise<void> {
    signal(child, 'SIGKILL')
    await child.exited
  }

  /** SIGTERM to every child, SIGKILL to those still running after `graceMs`. */
  async stopAll (graceMs: number): Promise<void> {
    const children = [...this.live]
    for (const child of children) signal(child, 'SIGTERM')
    await Promise.all(children.map(async child => {
      const stopped = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)])
      if (!stopped) {
        signal(child, 'SIGKILL')
        await Promise.race([child.exited, sleep(2_000)])
      }
    }))
  }

  /** Synchronous last resort (for process 'exit'): SIGKILL whatever still runs. */
  killAllNow (): void {
    for (const child of this.live) signal(child, 'SIGKILL')
  }

  get count (): number {
    return this.live.size
  }
}

function signal (child: NaraChild, sig: NodeJS.Signals): void {
  if (child.exitedWith !== undefined) return
  try {
    process.kill(child.pid, sig)
  } catch {
    // already gone
  }
}

function parseSummary (line: string): StartSummary | undefined {
  try {
    const value = JSON.parse(line) as Partial<StartSummary>
    return typeof value.peerId === 'string' && Array.isArray(value.multiaddrs) ? value as StartSummary : undefined
  } catch {
    return undefined
  }
}

function why (child: NaraChild): string {
  const last = child.stderrTail.filter(l => !l.startsWith('{')).at(-1) ?? child.stderrTail.at(-1)
  return last === undefined ? '' : `: ${last}`
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/**
 * The naras of a long-run script (scale, soak), supervised: on Ctrl-C they are stopped
 * and the script exits 130; past `limitMs` it says so and exits 1; if the script dies
 * they are killed at once. `stopAndExit` stops them all, then exits with `code`.
 */
export function superviseChildren (opts: { limitMs: number, graceMs: number, what: string }): { children: Children, stopAndExit: (code: number) => Promise<never> } {
  const mainJs = fileURLToPath(new URL('../nara.mjs', import.meta.url))
  if (!existsSync(mainJs)) throw new Error(`${mainJs} does not exist; run \`npm run build\` first`)
  const children = new Children(mainJs, 'warn')
  const stopAndExit = async (code: number): Promise<never> => {
    await children.stopAll(opts.graceMs)
    process.exit(code)
  }
  process.on('exit', () => { children.killAllNow() })
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { void stopAndExit(130) })
  setTimeout(() => {
    process.stderr.write(`error: ${opts.what} took longer than ${opts.limitMs / 60_000} minutes; stopping\n`)
    void stopAndExit(1)
  }, opts.limitMs).unref()
  return { children, stopAndExit }
}
