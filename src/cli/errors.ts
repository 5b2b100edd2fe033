/** A wrong flag or argument: one line saying what is wrong and how to fix it; exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The command could not do its job (busy port, no nara running, API error); exit code 1. */
export class CliError extends Error {
  readonly exitCode: number
  constructor (message: string, exitCode = 1) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/** The first line of a message, trimmed: errors from libraries can span many lines. */
export function firstLine (message: string): string {
  return message.split('\n').map(l => l.trim()).find(l => l !== '') ?? message
}
