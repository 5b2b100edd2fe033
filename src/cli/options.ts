import { InvalidArgumentError } from 'commander'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidNameError, InvalidSoulError, parseSoul, validateName } from '../identity/index.js'
import { MEMORY_MODES, type MemoryMode } from '../runtime/index.js'
import { RELAY_MODES, type RelayMode } from '../transport/index.js'
import { UsageError } from './errors.js'
import { LOG_FORMATS, type LogFormat } from './logs.js'

/** The API port `nara start` uses and the client commands talk to, unless told otherwise. */
export const DEFAULT_API_PORT = 7420
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type CliLogLevel = typeof LOG_LEVELS[number]

// The parsers below are commander argParsers: they throw InvalidArgumentError, which
// commander prints as "option '--x <v>' argument 'v' is invalid. <message>".

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort (value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN
  if (!(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535 (0 = any free port)')
  }
  return port
}

/** Bounds of --audit-interval, in seconds: often enough to test with, rarely enough to still mean something. */
export const AUDIT_INTERVAL_BOUNDS_S = { min: 0.1, max: 86_400 } as const

/** How often the owner audits its confidants, in seconds (decimals allowed); returned in ms. */
export function parseAuditInterval (value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN
  const { min, max } = AUDIT_INTERVAL_BOUNDS_S
  if (!(seconds >= min && seconds <= max)) {
    throw new InvalidArgumentError(`give seconds from ${min} to ${max}, e.g. 45 or 0.5`)
  }
  return Math.round(seconds * 1000)
}

export function parseMemoryMode (value: string): MemoryMode {
  const mode = MEMORY_MODES.find(m => m === value)
  if (mode === undefined) throw new InvalidArgumentError(`use one of ${MEMORY_MODES.join(', ')}`)
  return mode
}

export function parseLogLevel (value: string): CliLogLevel {
  const level = LOG_LEVELS.find(l => l === value)
  if (level === undefined) throw new InvalidArgumentError(`use one of ${LOG_LEVELS.join(', ')}`)
  return level
}

export function parseLogFormat (value: string): LogFormat {
  const format = LOG_FORMATS.find(f => f === value)
  if (format === undefined) throw new InvalidArgumentError(`use one of ${LOG_FORMATS.join(', ')}`)
  return format
}

export function parseName (value: string): string {
  try {
    return validateName(value)
  } catch (err) {
    if (err instanceof InvalidNameError) throw new InvalidArgumentError(`${err.message}, e.g. --name fuzzy-otter-07`)
    throw err
  }
}

/** Where `nara start` listens without --listen or --port: every interface, on the port kubo and operators' firewalls know. */
export const DEFAULT_LISTEN_PORT = 4001
export const listenOnAllInterfaces = (port: number): string[] => [`/ip4/0.0.0.0/tcp/${port}`]

/** A multiaddr to listen on: TCP, or WebSockets over TCP (/ws), without a /p2p part. */
export function parseListen (value: string): string {
  const ma = parseMultiaddr(value, '/ip4/0.0.0.0/tcp/4001')
  const names = ma.getComponents().map(c => c.name)
  if (!names.includes('tcp')) throw new InvalidArgumentError('nara listens on TCP or WebSockets; use e.g. /ip4/0.0.0.0/tcp/4001 or /ip4/0.0.0.0/tcp/4002/ws')
  if (names.includes('p2p')) throw new InvalidArgumentError('a listen address has no /p2p part; use e.g. /ip4/0.0.0.0/tcp/4001')
  return ma.toString()
}

/** An address peers reach this nara at, seen from outside: an IP or DNS name with a TCP port, without /p2p. */
export function parseAnnounce (value: string): string {
  const example = '/ip4/203.0.113.7/tcp/4001 or /dns4/nara.example.com/tcp/4001'
  const ma = parseMultiaddr(value, example)
  const names = ma.getComponents().map(c => c.name)
  if (!['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(names[0]) || !names.includes('tcp')) {
    throw new InvalidArgumentError(`announce a host and a TCP port, e.g. ${example}`)
  }
  if (names.includes('p2p')) throw new InvalidArgumentError(`an announced address has no /p2p part (nara adds its own), e.g. ${example}`)
  return ma.toString()
}

export function parseRelayMode (value: string): RelayMode {
  const mode = RELAY_MODES.find(m => m === value)
  if (mode === undefined) throw new InvalidArgumentError(`use one of ${RELAY_MODES.join(', ')} (auto: relay once AutoNAT says this nara is public)`)
  return mode
}

/** on or off. */
export function parseSwitch (value: string): boolean {
  if (value === 'on') return true
  if (value === 'off') return false
  throw new InvalidArgumentError('use on or off')
}

/** A multiaddr of a nara to join: it must end in /p2p/<PeerID>. */
export function parseBootstrap (value: string): string {
  const example = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...'
  const ma = parseMultiaddr(value, example)
  const p2p = ma.getComponents().find(c => c.name === 'p2p')?.value
  if (p2p === undefined) {
    throw new InvalidArgumentError(`a bootstrap address needs the nara's PeerID, e.g. ${example} (copy it from that nara's start-up output)`)
  }
  try {
    peerIdFromString(p2p)
  } catch {
    throw new InvalidArgumentError(`"${p2p}" is not a PeerID; copy the whole address from that nara's start-up output`)
  }
  return ma.toString()
}

/** The base URL of a nara's API, without a trailing slash. */
export function parseApiUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError(`not a URL; use e.g. http://127.0.0.1:${DEFAULT_API_PORT}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`the API speaks http; use e.g. http://127.0.0.1:${DEFAULT_API_PORT}`)
  }
  return url.toString().replace(/\/+$/, '')
}

/** The API URL of a port on this machine. */
export function apiUrlOfPort (port: number): string {
  return `http://127.0.0.1:${port}`
}

/**
 * For repeatable flags: parses each value and appends it. A value may hold several,
 * comma-separated (how an environment variable such as NARA_BOOTSTRAP lists them).
 */
export function repeatable<T> (parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), ...value.split(',').map(v => v.trim()).filter(v => v !== '').map(parse)]
}

function parseMultiaddr (value: string, example: string): Multiaddr {
  try {
    return multiaddr(value)
  } catch (err) {
    throw new InvalidArgumentError(`not a multiaddr (${(err as Error).message}); use e.g. ${example}`)
  }
}

/** The flags of `nara start`, as commander parsed them. */
export interface StartFlags {
  name?: string
  soul?: string
  port?: number
  listen?: string[]
  announce?: string[]
  relay?: RelayMode
  mdns?: boolean
  upnp?: boolean
  wsCert?: string
  wsKey?: string
  bootstrap?: string[]
  apiPort: number
  memoryMode: MemoryMode
  /** --audit-interval, already in ms */
  auditInterval?: number
  logLevel: CliLogLevel
  logFormat?: LogFormat
  json?: boolean
}

/** What `nara start` runs: node options plus the CLI's own settings. */
export interface StartConfig {
  name?: string
  soul?: string
  /** where to listen: --listen, else --port on all interfaces, else all interfaces on port 4001 */
  listen: string[]
  announce: string[]
  relay: RelayMode
  /** undefined: on when listening beyond loopback */
  mdns?: boolean
  upnp: boolean
  /** the files of --ws-cert and --ws-key, for secure WebSockets listen addresses */
  webSocketsTls?: { certFile: string, keyFile: string }
  bootstrap: string[]
  memoryMode: MemoryMode
  /** undefined: the stash's default */
  auditIntervalMs?: number
  apiPort: number
  logLevel: CliLogLevel
  /** undefined: pretty on a terminal, JSON lines otherwise */
  logFormat?: LogFormat
  json: boolean
  /** the --port given, for error messages */
  port?: number
}

/**
 * Checks the flags that only make sense together and builds the start config.
 *
 * @throws {UsageError} on a soul without its name or for another name, or --port with --listen
 */
export function resolveStartConfig (flags: StartFlags): StartConfig {
  checkSoulFlags(flags)
  if (flags.port !== undefined && flags.listen !== undefined) {
    throw new UsageError('--port and --listen both set where to listen; pass --port <n> or --listen <multiaddr>, not both')
  }
  const listen = flags.listen ?? listenOnAllInterfaces(flags.port ?? DEFAULT_LISTEN_PORT)
  const webSocketsTls = resolveWebSocketsTls(flags, listen)
  return {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.soul !== undefined ? { soul: flags.soul } : {}),
    listen,
    announce: flags.announce ?? [],
    relay: flags.relay ?? 'auto',
    ...(flags.mdns !== undefined ? { mdns: flags.mdns } : {}),
    upnp: flags.upnp ?? false,
    ...(webSocketsTls !== undefined ? { webSocketsTls } : {}),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    bootstrap: flags.bootstrap ?? [],
    memoryMode: flags.memoryMode,
    ...(flags.auditInterval !== undefined ? { auditIntervalMs: flags.auditInterval } : {}),
    apiPort: flags.apiPort,
    logLevel: flags.logLevel,
    ...(flags.logFormat !== undefined ? { logFormat: flags.logFormat } : {}),
    json: flags.json === true
  }
}

/** --ws-cert and --ws-key come together, and a secure WebSockets listen address (`/tls/ws`) needs them. */
function resolveWebSocketsTls (flags: StartFlags, listen: string[]): StartConfig['webSocketsTls'] {
  if ((flags.wsCert === undefined) !== (flags.wsKey === undefined)) {
    throw new UsageError('--ws-cert and --ws-key go together: the certificate and its private key (PEM files)')
  }
  const secure = listen.filter(address => address.includes('/tls/ws'))
  if (flags.wsCert === undefined || flags.wsKey === undefined) {
    if (secure.length > 0) throw new UsageError(`${secure[0]} is secure WebSockets: pass --ws-cert <file> --ws-key <file> (PEM), or listen on .../ws`)
    return undefined
  }
  if (secure.length === 0) throw new UsageError('--ws-cert and --ws-key are for secure WebSockets: add e.g. --listen /ip4/0.0.0.0/tcp/4443/tls/ws')
  return { certFile: flags.wsCert, keyFile: flags.wsKey }
}

/**
 * A soul belongs to the name it was made for: --soul needs --name, and that name.
 *
 * @throws {UsageError} on a soul without its name or for another name
 */
export function checkSoulFlags (flags: { name?: string, soul?: string }): void {
  if (flags.soul === undefined) return
  if (flags.name === undefined) {
    throw new UsageError('--soul needs --name: a soul belongs to the name it was made for; pass both, e.g. --name fuzzy-otter-07 --soul <soul>')
  }
  try {
    parseSoul(flags.soul, flags.name)
  } catch (err) {
    if (err instanceof InvalidSoulError) throw new UsageError(`--soul: ${err.message}`)
    throw err
  }
}

/** The API URL a client command talks to: --api, else --api-port, else the default port. */
export function resolveApiUrl (flags: { api?: string, apiPort?: number }): string {
  if (flags.api !== undefined && flags.apiPort !== undefined) {
    throw new UsageError('--api and --api-port both say which nara to talk to; pass one of them')
  }
  return flags.api ?? apiUrlOfPort(flags.apiPort ?? DEFAULT_API_PORT)
}
