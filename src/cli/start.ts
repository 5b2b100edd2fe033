import { readFileSync } from 'node:fs'
import { createNara } from '../node/create-nara.js'
import type { Logger } from '../runtime/index.js'
import { ApiPortInUseError, startApi, type ApiServer } from '../api/index.js'
import type { NaraNode, NaraOptions } from '../node/types.js'
import { CliError, firstLine } from './errors.js'
import { formatStartSummary, type StartSummary } from './format.js'
import type { Io } from './io.js'
import { cliLogger, defaultLogFormat, type StartLog } from './logs.js'
import type { StartConfig } from './options.js'

/** How long a graceful stop may take before the process exits anyway. */
export const STOP_TIMEOUT_MS = 5_000

/** What `runStart` needs from the world; tests pass fakes. */
export interface StartDeps {
  io: Io
  createNode: (options: NaraOptions) => Promise<NaraNode>
  startApi: (node: NaraNode, options: { port: number }) => Promise<ApiServer>
  /** the node's logs, held back until it has started (a failed start prints only its error) */
  logger: (config: StartConfig) => StartLog
  onSignal: (signal: NodeJS.Signals, handler: () => void) => void
  exit: (code: number) => void
}

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 }

/** The real world: libp2p, fastify, pino on stderr (readable on a terminal), process signals and exit. */
export function defaultStartDeps (io: Io): StartDeps {
  return {
    io,
    createNode: createNara,
    startApi,
    logger: (config) => cliLogger({ level: config.logLevel, format: config.logFormat ?? defaultLogFormat(process.stderr), destination: process.stderr }),
    onSignal: (signal, handler) => { process.on(signal, handler) },
    exit: (code) => { process.exit(code) }
  }
}

/** A running `nara start`: what the signal handlers stop. */
export interface Started {
  node: NaraNode
  api: ApiServer
  summary: StartSummary
  /** the graceful stop the first signal runs */
  stop: () => Promise<void>
}

/**
 * `nara start`: creates the node, starts its API, prints the summary and stops
 * gracefully on SIGINT/SIGTERM (a second signal exits at once).
 *
 * @throws {CliError} when a port is busy or the node cannot start
 */
export async function runStart (config: StartConfig, deps: StartDeps): Promise<Started> {
  const logs = deps.logger(config)
  const log = logs.log
  let node: NaraNode
  let api: ApiServer
  try {
    node = await createNode(config, deps, log)
    api = await startNodeApi(node, config, deps)
  } catch (err) {
    // a busy port's one-line error says it all; anything else may need the logs
    if (err instanceof PortInUseError) logs.discard()
    else logs.release()
    throw err
  }
  const summary: StartSummary = {
    name: node.identity.name,
    id: node.identity.id,
    peerId: node.peerId(),
    multiaddrs: node.multiaddrs(),
    api: api.url,
    apiPort: api.port,
    memoryMode: node.runtime.memoryMode
  }
  if (config.json) deps.io.out(JSON.stringify(summary))
  else for (const line of formatStartSummary(summary, config.soul !== undefined)) deps.io.out(line)
  logs.release()
  log.info('nara started', { peerId: summary.peerId, api: summary.api, multiaddrs: summary.multiaddrs })

  const stop = async (): Promise<void> => {
    await Promise.all([api.close(), node.stop()])
  }
  handleSignals(stop, config, deps, log)
  return { node, api, summary, stop }
}

/** A port that nara start was told to use is taken. */
class PortInUseError extends CliError {}

async function startNodeApi (node: NaraNode, config: StartConfig, deps: StartDeps): Promise<ApiServer> {
  try {
    return await deps.startApi(node, { port: config.apiPort })
  } catch (err) {
    await node.stop()
    if (err instanceof ApiPortInUseError) {
      throw new PortInUseError(`API port ${err.port} is already in use on ${err.host}; pick another with --api-port <n> (0 = any free port)`)
    }
    throw new CliError(`cannot start the API: ${firstLine((err as Error).message)}`)
  }
}

async function createNode (config: StartConfig, deps: StartDeps, log: Logger): Promise<NaraNode> {
  try {
    return await deps.createNode({
      ...(config.name !== undefined ? { name: config.name } : {}),
      ...(config.soul !== undefined ? { soul: config.soul } : {}),
      listen: config.listen,
      announce: config.announce,
      relay: config.relay,
      ...(config.mdns !== undefined ? { mdns: config.mdns } : {}),
      upnp: config.upnp,
      ...(config.webSocketsTls !== undefined ? { webSocketsTls: readTls(config.webSocketsTls) } : {}),
      bootstrap: config.bootstrap,
      memoryMode: config.memoryMode,
      ...(config.auditIntervalMs !== undefined ? { stash: { auditIntervalMs: config.auditIntervalMs } } : {}),
      logger: log
    })
  } catch (err) {
    const message = (err as Error).message
    if (message.includes('EADDRINUSE')) {
      throw new PortInUseError(config.port !== undefined
        ? `TCP port ${config.port} is already in use; pick another with --port <n> (0 = any free port)`
        : `a listen address is already in use (${config.listen.join(', ')}); pick another with --listen or --port`)
    }
    throw new CliError(`cannot start the node: ${firstLine(message)}`)
  }
}

/** Reads the PEM files of --ws-cert and --ws-key. */
function readTls ({ certFile, keyFile }: { certFile: string, keyFile: string }): { cert: string, key: string } {
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8')
    } catch (err) {
      throw new CliError(`cannot read ${flag} ${file}: ${firstLine((err as Error).message)}`)
    }
  }
  return { cert: read('--ws-cert', certFile), key: read('--ws-key', keyFile) }
}

function handleSignals (stop: () => Promise<void>, config: StartConfig, deps: StartDeps, log: Logger): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = SIGNAL_EXIT_CODES[signal] ?? 1
    if (stopping) {
      deps.io.err(`${signal} again: exiting without waiting`)
      deps.exit(code)
      return
    }
    stopping = true
    if (!config.json) deps.io.err(`${signal}: stopping (send it again to exit at once)`)
    log.info('stopping', { signal })
    const timer = setTimeout(() => {
      deps.io.err(`the node did not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`)
      deps.exit(1)
    }, STOP_TIMEOUT_MS)
    timer.unref()
    stop().then(() => {
      clearTimeout(timer)
      log.info('stopped')
      deps.exit(0)
    }, (err: Error) => {
      clearTimeout(timer)
      deps.io.err(`error while stopping: ${firstLine(err.message)}`)
      deps.exit(1)
    })
  }
  deps.onSignal('SIGINT', () => { onSignal('SIGINT') })
  deps.onSignal('SIGTERM', () => { onSignal('SIGTERM') })
}
