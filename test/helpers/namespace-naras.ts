import type { ChildProcess } from 'node:child_process'
import type { StartSummary } from '../../src/cli/format.js'
import { NODE_FLAGS } from '../../src/cli/node-flags.js'
import { CLI, exited } from './processes.js'

/** The API port inside every namespace: each has its own loopback, so they never collide. */
export const NAMESPACE_API_PORT = 7420

/** A host of a namespace network: where a process runs. */
export interface Host { readonly name: string, readonly ns: string }

/** A `nara start` running in a namespace. */
export interface NamespaceNara { readonly host: Host, readonly child: ChildProcess, readonly info: StartSummary, readonly startedAt: number, stderr: () => string }

export type Spawner = (host: Host, command: string, args: string[]) => ChildProcess

/**
 * Starts real `nara start` processes inside network namespaces and talks to their APIs
 * from inside those namespaces (an API listens on its namespace's 127.0.0.1 only).
 * `stopAll()` kills whatever still runs.
 */
export class NamespaceNaras {
  private readonly running = new Set<ChildProcess>()

  constructor (private readonly spawnIn: Spawner) {}

  /** Spawns a command in a host's namespace; stopAll kills it if it still runs. */
  spawn (host: Host, args: string[]): ChildProcess {
    const child = this.spawnIn(host, process.execPath, args)
    this.running.add(child)
    child.once('exit', () => this.running.delete(child))
    return child
  }

  async start (host: Host, args: string[], timeoutMs = 20_000): Promise<NamespaceNara> {
    const startedAt = Date.now()
    const child = this.spawn(host, [...NODE_FLAGS, CLI, 'start', '--json', '--api-port', String(NAMESPACE_API_PORT), '--log-level', 'warn', ...args])
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
    const info = await new Promise<StartSummary>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => { reject(new Error(`nara on ${host.name} did not start within ${timeoutMs} ms: ${stderr}`)) }, timeoutMs)
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString()
        const line = stdout.split('\n').find(l => l.startsWith('{'))
        if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as StartSummary) }
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nara on ${host.name} exited with ${code}: ${stderr}`)) })
    })
    return { host, child, info, startedAt, stderr: () => stderr }
  }

  /** GET (or PUT with a body) on a nara's API, from inside its namespace; status 0 when it did not answer. */
  async api<T> (nara: NamespaceNara, path: string, body?: unknown): Promise<{ status: number, body: T }> {
    const script = 'const [u, b] = process.argv.slice(1); fetch(u, b === undefined ? {} : { method: "PUT", body: b, headers: { "content-type": "application/json" } })' +
      '.then(async r => { const t = await r.text(); let j; try { j = JSON.parse(t) } catch { j = t } process.stdout.write(JSON.stringify({ status: r.status, body: j })) },' +
      ' e => { process.stdout.write(JSON.stringify({ status: 0, body: { error: String(e) } })) })'
    const child = this.spawn(nara.host, ['-e', script, `http://127.0.0.1:${NAMESPACE_API_PORT}${path}`, ...(body === undefined ? [] : [JSON.stringify(body)])])
    let out = ''
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    await exited(child, 30_000)
    return JSON.parse(out) as { status: number, body: T }
  }

  async kill (nara: NamespaceNara, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    nara.child.kill(signal)
    await exited(nara.child)
  }

  async stopAll (): Promise<void> {
    for (const child of this.running) child.kill('SIGKILL')
    await Promise.all([...this.running].map(async c => await exited(c).catch(() => null)))
  }
}
