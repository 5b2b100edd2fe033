import type { ClientContext } from '../../../src/cli/client.js'
import type { Io } from '../../../src/cli/io.js'
import type { StartConfig } from '../../../src/cli/options.js'
import type { CliActions } from '../../../src/cli/program.js'

/** An Io that keeps every line. */
export function captureIo (): Io & { outLines: string[], errLines: string[] } {
  const outLines: string[] = []
  const errLines: string[] = []
  return {
    outLines,
    errLines,
    out: (line) => { outLines.push(...line.split('\n')) },
    err: (line) => { errLines.push(...line.split('\n')) }
  }
}

/** CLI actions that only record what they were called with. */
export function recordingActions (): CliActions & { calls: Array<{ action: string, config?: StartConfig, ctx?: ClientContext, args?: unknown[] }> } {
  const calls: Array<{ action: string, config?: StartConfig, ctx?: ClientContext, args?: unknown[] }> = []
  const client = (action: string) => async (ctx: ClientContext, ...args: unknown[]): Promise<void> => { calls.push({ action, ctx, args }) }
  return {
    calls,
    start: async (config) => { calls.push({ action: 'start', config }) },
    soul: async (flags) => { calls.push({ action: 'soul', args: [flags] }) },
    status: client('status'),
    peers: client('peers'),
    stashGet: client('stashGet'),
    stashHeld: client('stashHeld'),
    stashSet: client('stashSet')
  }
}

/** argv as process.argv has it. */
export const argv = (...args: string[]): string[] => ['node', 'nara', ...args]
