import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino'

/** Structured fields of a log line. */
export type LogFields = Record<string, unknown>
/** How much a log line matters, least first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** The scoped logger services get from `rt.log(service)`. */
export interface Logger {
  /** Detail for whoever debugs this nara. */
  debug(msg: string, fields?: LogFields): void
  /** Something an operator wants to see in normal operation. */
  info(msg: string, fields?: LogFields): void
  /** Something went wrong that the nara works around. */
  warn(msg: string, fields?: LogFields): void
  /** Something failed that the nara could not work around. */
  error(msg: string, fields?: LogFields): void
  /** a logger whose every line also carries these fields */
  child(fields: LogFields): Logger
}

/** A Logger writing JSON lines through pino (the CLI's logger) to any `write(line)`. */
export function pinoLogger (options: { level?: LevelWithSilent, destination?: { write(line: string): unknown } } = {}): Logger {
  const root = pino({ level: options.level ?? 'info', base: undefined }, options.destination as never)
  return wrapPino(root)
}

function wrapPino (p: PinoLogger): Logger {
  return {
    debug: (msg, fields) => { p.debug(fields ?? {}, msg) },
    info: (msg, fields) => { p.info(fields ?? {}, msg) },
    warn: (msg, fields) => { p.warn(fields ?? {}, msg) },
    error: (msg, fields) => { p.error(fields ?? {}, msg) },
    child: (fields) => wrapPino(p.child(fields))
  }
}

/** One line MemoryLogger kept. */
export interface LogRecord {
  level: LogLevel
  msg: string
  fields: LogFields
}

/** Keeps log records in memory (bounded); MockRuntime uses it so tests can assert on logs. */
export class MemoryLogger implements Logger {
  constructor (
    readonly records: LogRecord[] = [],
    private readonly bindings: LogFields = {},
    private readonly capacity = 10_000
  ) {}

  debug (msg: string, fields?: LogFields): void { this.write('debug', msg, fields) }
  info (msg: string, fields?: LogFields): void { this.write('info', msg, fields) }
  warn (msg: string, fields?: LogFields): void { this.write('warn', msg, fields) }
  error (msg: string, fields?: LogFields): void { this.write('error', msg, fields) }

  child (fields: LogFields): Logger {
    return new MemoryLogger(this.records, { ...this.bindings, ...fields }, this.capacity)
  }

  private write (level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.records.push({ level, msg, fields: { ...this.bindings, ...fields } })
    if (this.records.length > this.capacity) this.records.shift()
  }
}
