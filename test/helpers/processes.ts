import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { StartSummary as Started } from '../../src/cli/format.js'
import { NODE_FLAGS } from '../../src/cli/node-flags.js'

/** The built CLI (npm test builds before running the suite). */
export const CLI = fileURLToPath(new URL('../../dist/nara.mjs', import.meta.url))
export const SWARM = fileURLToPath(new URL('../../dist/scripts/swarm.js', import.meta.url))

/** Tests stay on loopback: a nara told nowhere else listens on 127.0.0.1 (not `nara start`'s every interface). */
export const LOOPBACK_LISTEN = '/ip4/127.0.0.1/tcp/0'
const saysWhere = (args: string[], env: Record<string, string | undefined> = {}): boolean =>
  args.includes('--listen') || args.includes('--port') || env.NARA_LISTEN !== undefined || env.NARA_PORT !== undefined
const onLoopback = (args: string[], env?: Record<string, string | undefined>): string[] => saysWhere(args, env) ? args : ['--listen', LOOPBACK_LISTEN, ...args]

export interface RunningNara {
  child: ChildProcess
  info: Started
  stderr: () => string
}

const children = new Set<ChildProcess>()

/** Starts `nara start --json ...` and resolves with its start-up line. */
export async function startNara (args: string[], timeoutMs = 20_000, cli = CLI): Promise<RunningNara> {
  const child = spawn(process.execPath, [...NODE_FLAGS, cli, 'start', '--json', '--api-port', '0', '--log-level', 'warn', ...onLoopback(args)], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const info = await new Promise<Started>((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => { reject(new Error(`nara did not start within ${timeoutMs} ms: ${stderr}`)) }, timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
      const line = stdout.split('\n').find(l => l.startsWith('{'))
      if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as Started) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nara exited with ${code}: ${stderr}`)) })
  })
  return { child, info, stderr: () => stderr }
}

/** A spawned `nara start`, its output so far. */
export interface SpawnedNara {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
}

/** Spawns `nara start` with exactly these flags (and environment variables), collecting its output. */
export function spawnStart (args: string[], env: Record<string, string> = {}): SpawnedNara {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'start', ...onLoopback(args, env)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  children.add(child)
  child.once('exit', () => children.delete(child))
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  return { child, stdout: () => stdout, stderr: () => stderr }
}

/** Runs a command to completion (bounded) and returns its exit code and output. */
export async function run (args: string[], timeoutMs = 90_000, file = CLI): Promise<{ code: number | null, stdout: string, stderr: string, ms: number }> {
  const started = Date.now()
  const child = spawn(process.execPath, [file, ...(args[0] === 'start' ? ['start', ...onLoopback(args.slice(1))] : args)], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.once('exit', (c) => { clearTimeout(timer); children.delete(child); resolve(c) })
  })
  return { code, stdout, stderr, ms: Date.now() - started }
}

/** Resolves with the exit code once the process has exited. */
export async function exited (child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)) }, timeoutMs)
    child.once('exit', (code) => { clearTimeout(timer); resolve(code) })
  })
}

/** Kills every process these helpers started and that is still running (by PID, ours only). */
export function killAll (): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}
