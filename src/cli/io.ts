/** Where the CLI writes: the only place nara touches the terminal. */
export interface Io {
  /** a line on stdout */
  out(line: string): void
  /** a line on stderr */
  err(line: string): void
}

/** stdout and stderr of this process. */
export const processIo: Io = {
  out: (line) => { process.stdout.write(`${line}\n`) },
  err: (line) => { process.stderr.write(`${line}\n`) }
}
