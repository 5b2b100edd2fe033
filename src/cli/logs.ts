import { prettyFactory } from 'pino-pretty'
import { pinoLogger, type Logger } from '../runtime/index.js'
import type { CliLogLevel } from './options.js'

export const LOG_FORMATS = ['pretty', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]

/** The logs of `nara start`, held back until it knows whether it started. */
export interface StartLog {
  readonly log: Logger
  /** start-up went well: write what was held, and every later line at once */
  release(): void
  /** start-up failed and its one-line error says why: drop what was held, and every later line */
  discard(): void
}

/** Readable lines for people at a terminal, JSON lines for anything else. */
export function defaultLogFormat (stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json'
}

/**
 * pino's JSON lines, made readable (pino-pretty, formatting each line in this
 * thread: no worker, so it works in the bundle) when the format is pretty.
 */
export function cliLogger (options: { level: CliLogLevel, format: LogFormat, destination: NodeJS.WritableStream & { isTTY?: boolean } }): StartLog {
  const format = options.format === 'pretty'
    ? prettyFactory({ colorize: options.destination.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'naraId', singleLine: true })
    : (line: string) => line
  let held: string[] | undefined = []
  let open = true
  const sink = {
    write: (line: string): void => {
      if (!open) return
      if (held !== undefined) held.push(line)
      else options.destination.write(format(line))
    }
  }
  return {
    log: pinoLogger({ level: options.level, destination: sink }),
    release: () => {
      const lines = held ?? []
      held = undefined
      for (const line of lines) options.destination.write(format(line))
    },
    discard: () => {
      held = undefined
      open = false
    }
  }
}
