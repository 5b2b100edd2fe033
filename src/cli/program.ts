import { Command, Option } from 'commander'
import type { ClientContext } from './client.js'
import { UsageError } from './errors.js'
import type { Io } from './io.js'
import {
  checkSoulFlags, DEFAULT_API_PORT, parseAnnounce, parseApiUrl, parseAuditInterval, parseBootstrap, parseListen, parseLogFormat, parseLogLevel, parseMemoryMode, parseName,
  parsePort, parseRelayMode, parseSwitch, repeatable, resolveApiUrl, resolveStartConfig, type StartConfig, type StartFlags
} from './options.js'

/** What the commands do once their flags are parsed; main wires the real ones, tests fakes. */
export interface CliActions {
  start: (config: StartConfig) => Promise<void>
  soul: (flags: SoulFlags) => Promise<void>
  status: (ctx: ClientContext) => Promise<void>
  peers: (ctx: ClientContext) => Promise<void>
  stashGet: (ctx: ClientContext) => Promise<void>
  stashHeld: (ctx: ClientContext) => Promise<void>
  stashSet: (ctx: ClientContext, json: string | undefined, file: string | undefined) => Promise<void>
}

interface ClientFlags { api?: string, apiPort?: number, json?: boolean }

/** Which nara's soul `nara soul` prints: this machine's for the name, or the one given. */
export interface SoulFlags { name?: string, soul?: string }

/**
 * The `nara` program. It never exits the process itself: parse errors throw
 * CommanderError (after printing one line) and main picks the exit code.
 */
export function buildProgram (actions: CliActions, io: Io): Command {
  const program = new Command('nara')
    .description('a runtime for peer-to-peer programs on js-libp2p')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => { io.out(s.replace(/\n$/, '')) },
      writeErr: (s) => { io.err(s.replace(/\n$/, '')) },
      outputError: (s, write) => { write(`${oneLine(s)}\n`) }
    })
  addApiOptions(program)

  // Every start flag can also come from its NARA_* environment variable; a flag beats it.
  program.command('start')
    .description('start a nara (on every interface, TCP port 4001, unless told otherwise) with its local HTTP API')
    .addOption(nameOption())
    .addOption(soulOption())
    .addOption(new Option('--port <n>', 'TCP port on every interface (default 4001; 0 = any free port)').argParser(parsePort).env('NARA_PORT'))
    .addOption(new Option('--listen <multiaddr>', 'a multiaddr to listen on, TCP or WebSockets (/ws), e.g. /ip4/127.0.0.1/tcp/4001 (repeatable; comma-separated in the variable)').argParser(repeatable(parseListen)).env('NARA_LISTEN'))
    .addOption(new Option('--announce <multiaddr>', 'an address peers reach this nara at that it cannot see itself: a public IP or /dns4/<name>/tcp/<port> (repeatable; comma-separated in the variable)').argParser(repeatable(parseAnnounce)).env('NARA_ANNOUNCE'))
    .addOption(new Option('--relay <mode>', 'relay for naras behind NAT: auto (once AutoNAT says this nara is public), on, off (default auto)').argParser(parseRelayMode).env('NARA_RELAY'))
    .addOption(new Option('--mdns <on|off>', 'find naras on the LAN by multicast DNS (default: on when listening beyond loopback)').argParser(parseSwitch).env('NARA_MDNS'))
    .addOption(new Option('--upnp <on|off>', 'ask the router to forward a port by UPnP (default off)').argParser(parseSwitch).env('NARA_UPNP'))
    .addOption(new Option('--ws-cert <file>', 'the TLS certificate (PEM) for a secure WebSockets listen address, .../tls/ws').env('NARA_WS_CERT'))
    .addOption(new Option('--ws-key <file>', 'its private key (PEM)').env('NARA_WS_KEY'))
    .addOption(new Option('--bootstrap <multiaddr>', 'a nara to join, /.../p2p/<PeerID> (repeatable; comma-separated in the variable)').argParser(repeatable(parseBootstrap)).env('NARA_BOOTSTRAP'))
    .addOption(new Option('--api-port <n>', 'HTTP API port on 127.0.0.1 (0 = any free port)').argParser(parsePort).default(DEFAULT_API_PORT).env('NARA_API_PORT'))
    .addOption(new Option('--memory-mode <mode>', 'how many other naras\' stashes to keep: low 5, medium 20, high 50').argParser(parseMemoryMode).default('medium').env('NARA_MEMORY_MODE'))
    .addOption(new Option('--audit-interval <seconds>', 'how often to check that each confidant still holds this nara\'s stash (default 45)').argParser(parseAuditInterval).env('NARA_AUDIT_INTERVAL'))
    .addOption(new Option('--log-level <level>', 'debug, info, warn, error or silent (logs go to stderr)').argParser(parseLogLevel).default('info').env('NARA_LOG_LEVEL'))
    .addOption(new Option('--log-format <format>', 'pretty (readable lines) or json (JSON lines); default: pretty on a terminal, json otherwise').argParser(parseLogFormat).env('NARA_LOG_FORMAT'))
    .addOption(new Option('--json', 'print the start-up summary as one JSON line on stdout (the variable: set to anything)').env('NARA_JSON'))
    .action(async (flags: StartFlags, cmd: Command) => {
      await actions.start(usage(cmd, () => resolveStartConfig(flags)))
    })

  program.command('soul')
    .description('print the soul of a nara on this machine: its secret, which makes it this nara on any machine')
    .addOption(nameOption())
    .addOption(soulOption())
    .action(async (flags: SoulFlags, cmd: Command) => {
      usage(cmd, () => { checkSoulFlags(flags) })
      await actions.soul(flags)
    })

  clientCommand(program, 'status', 'show the running nara: name, ids, addresses, uptime')
    .action(async (flags: ClientFlags, cmd: Command) => { await actions.status(context(cmd, flags, program, io)) })
  clientCommand(program, 'peers', 'list the naras the running nara sees online')
    .action(async (flags: ClientFlags, cmd: Command) => { await actions.peers(context(cmd, flags, program, io)) })

  const stash = program.command('stash').description('the running nara\'s stash: small JSON state kept by its peers')
  clientCommand(stash, 'get', 'print the stash').action(async (flags: ClientFlags, cmd: Command) => {
    await actions.stashGet(context(cmd, flags, program, io))
  })
  clientCommand(stash, 'set', 'store JSON as the stash, with up to 3 confidants')
    .argument('[json]', 'the JSON value, e.g. \'{"level": 7}\'')
    .option('--file <path>', 'read the JSON from a file')
    .action(async (json: string | undefined, flags: ClientFlags & { file?: string }, cmd: Command) => {
      await actions.stashSet(context(cmd, flags, program, io), json, flags.file)
    })
  clientCommand(stash, 'held', 'list the stashes this nara keeps for others (sizes only)')
    .action(async (flags: ClientFlags, cmd: Command) => { await actions.stashHeld(context(cmd, flags, program, io)) })
  addHelpHints(program, 'nara')
  return program
}

function nameOption (): Option {
  return new Option('--name <name>', 'the nara\'s name (1-32 of a-z 0-9 -); default: this machine\'s name, the same at every start').argParser(parseName).env('NARA_NAME')
}

function soulOption (): Option {
  return new Option('--soul <soul>', 'the soul made for that name: the same identity on any machine').env('NARA_SOUL')
}

function addApiOptions (cmd: Command): Command {
  return cmd
    .option('--api <url>', `the API of the nara to talk to (default: http://127.0.0.1:${DEFAULT_API_PORT})`, parseApiUrl)
    .option('--api-port <n>', 'the API port of a nara on this machine', parsePort)
}

function clientCommand (parent: Command, name: string, description: string): Command {
  return addApiOptions(parent.command(name).description(description))
    .option('--json', 'print the API\'s JSON answer')
}

/** The client context: this command's --api/--api-port, else the program's. */
function context (cmd: Command, flags: ClientFlags, program: Command, io: Io): ClientContext {
  const local = flags.api !== undefined || flags.apiPort !== undefined
  const chosen = local ? flags : program.opts<ClientFlags>()
  return { api: usage(cmd, () => resolveApiUrl(chosen)), json: flags.json === true, io }
}

/** Runs a check; a UsageError becomes commander's one-line error (exit code 2). */
function usage<T> (cmd: Command, check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: 2, code: 'nara.usage' })
    throw err
  }
}

// commander's own errors say what is wrong but not where to look: point at the command's help.
function addHelpHints (cmd: Command, path: string): void {
  const generic = /unknown (option|command)|too many arguments|missing required argument|argument missing/
  cmd.configureOutput({
    outputError: (s, write) => {
      const message = oneLine(s).replace(/\.$/, '')
      write(`${generic.test(message) ? `${message}; see \`${path} --help\`` : message}\n`)
    }
  })
  for (const sub of cmd.commands) addHelpHints(sub, `${path} ${sub.name()}`)
}

// commander adds "(Did you mean ...?)" on a second line; keep every error on one.
function oneLine (text: string): string {
  return text.trim().split('\n').map(l => l.trim()).filter(l => l !== '').join(' ')
}
