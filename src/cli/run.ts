import { CommanderError } from 'commander'
import { peersCommand, stashGetCommand, stashHeldCommand, stashSetCommand, statusCommand } from './client.js'
import { CliError, UsageError } from './errors.js'
import { processIo, type Io } from './io.js'
import { buildProgram, type CliActions } from './program.js'

/** The real commands; `start` loads libp2p lazily so client commands start fast. */
export function defaultActions (io: Io): CliActions {
  return {
    start: async (config) => {
      const { defaultStartDeps, runStart } = await import('./start.js')
      await runStart(config, defaultStartDeps(io))
    },
    soul: async (flags) => {
      const { soulCommand } = await import('./soul.js')
      await soulCommand(flags, io)
    },
    status: statusCommand,
    peers: peersCommand,
    stashGet: stashGetCommand,
    stashHeld: stashHeldCommand,
    stashSet: stashSetCommand
  }
}

/**
 * Runs the `nara` command line (argv as in process.argv) and returns the exit
 * code, or undefined when a started node keeps running (it exits from its
 * signal handler).
 */
export async function runCli (argv: string[], io: Io = processIo, actions: CliActions = defaultActions(io)): Promise<number | undefined> {
  let started = false
  const tracked: CliActions = { ...actions, start: async (config) => { await actions.start(config); started = true } }
  try {
    await buildProgram(tracked, io).parseAsync(argv)
    return started ? undefined : 0
  } catch (err) {
    // commander has already printed its one-line error (or the help)
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    if (err instanceof UsageError || err instanceof CliError) {
      io.err(`error: ${err.message}`)
      return err.exitCode
    }
    io.err(`error: ${(err as Error).message}`)
    return 1
  }
}
