import { afterEach, describe, expect, it } from 'vitest'
import { InvalidArgumentError } from 'commander'
import { Identity } from '../../../src/index.js'
import {
  DEFAULT_API_PORT, parseAnnounce, parseApiUrl, parseBootstrap, parseListen, parseLogLevel, parseMemoryMode, parseName, parsePort, parseRelayMode, parseSwitch,
  resolveApiUrl, resolveStartConfig, type StartFlags
} from '../../../src/cli/options.js'
import { UsageError } from '../../../src/cli/errors.js'
import { runCli } from '../../../src/cli/run.js'
import { argv, captureIo, recordingActions } from './helpers.js'

const PEER = '12D3KooWEPsYnsWqGr1cNp4j3pgH9mvbdcRr8xb4BvgszzazQV68'
const BOOT = `/ip4/127.0.0.1/tcp/4500/p2p/${PEER}`
const defaults: StartFlags = { apiPort: DEFAULT_API_PORT, memoryMode: 'medium', logLevel: 'info' }

/** Runs the CLI with recording actions; returns the exit code, the lines and the calls. */
async function cli (...args: string[]): Promise<{ code: number | undefined, err: string[], out: string[], calls: ReturnType<typeof recordingActions>['calls'] }> {
  const io = captureIo()
  const actions = recordingActions()
  const code = await runCli(argv(...args), io, actions)
  return { code, err: io.errLines.filter(l => l !== ''), out: io.outLines, calls: actions.calls }
}

describe('flag parsers', () => {
  it('ports: 0 to 65535, whole numbers only', () => {
    expect(parsePort('0')).toBe(0)
    expect(parsePort('4001')).toBe(4001)
    expect(parsePort('65535')).toBe(65535)
    for (const bad of ['abc', '', '-1', '65536', '1.5', '1e3', '0x10', '99999999']) {
      expect(() => parsePort(bad)).toThrow(InvalidArgumentError)
    }
    expect(() => parsePort('abc')).toThrow('a port is a whole number from 1 to 65535 (0 = any free port)')
  })

  it('memory modes and log levels from their lists', () => {
    expect(parseMemoryMode('low')).toBe('low')
    expect(() => parseMemoryMode('huge')).toThrow('use one of low, medium, high')
    expect(parseLogLevel('silent')).toBe('silent')
    expect(() => parseLogLevel('loud')).toThrow('use one of debug, info, warn, error, silent')
  })

  it('names follow the naming rules', () => {
    expect(parseName('fuzzy-otter-07')).toBe('fuzzy-otter-07')
    expect(() => parseName('Bad_Name')).toThrow(/invalid name "Bad_Name".*e\.g\. --name fuzzy-otter-07/)
  })

  it('listen addresses: a TCP or WebSockets multiaddr without /p2p', () => {
    expect(parseListen('/ip4/127.0.0.1/tcp/4001')).toBe('/ip4/127.0.0.1/tcp/4001')
    expect(parseListen('/ip6/::/tcp/4001')).toBe('/ip6/::/tcp/4001')
    expect(parseListen('/ip4/0.0.0.0/tcp/4002/ws')).toBe('/ip4/0.0.0.0/tcp/4002/ws')
    expect(() => parseListen('garbage')).toThrow(/^not a multiaddr .*; use e\.g\. \/ip4\/0\.0\.0\.0\/tcp\/4001$/)
    expect(() => parseListen('/ip4/999.0.0.1/tcp/1')).toThrow(/not a multiaddr/)
    expect(() => parseListen('/ip4/127.0.0.1/udp/1')).toThrow('nara listens on TCP or WebSockets')
    expect(() => parseListen(BOOT)).toThrow('a listen address has no /p2p part')
  })

  it('announced addresses: a host (IP or DNS name) and a TCP port, without /p2p', () => {
    expect(parseAnnounce('/dns4/nara.example.com/tcp/4001')).toBe('/dns4/nara.example.com/tcp/4001')
    expect(parseAnnounce('/ip4/203.0.113.7/tcp/4001/ws')).toBe('/ip4/203.0.113.7/tcp/4001/ws')
    expect(() => parseAnnounce('nara.example.com:4001')).toThrow(/^not a multiaddr .*; use e\.g\. \/ip4\/203\.0\.113\.7\/tcp\/4001 or \/dns4\//)
    expect(() => parseAnnounce('/dns4/nara.example.com')).toThrow('announce a host and a TCP port')
    expect(() => parseAnnounce('/p2p-circuit')).toThrow('announce a host and a TCP port')
    expect(() => parseAnnounce(BOOT)).toThrow('an announced address has no /p2p part')
  })

  it('relay modes and on/off switches', () => {
    expect(parseRelayMode('auto')).toBe('auto')
    expect(parseRelayMode('off')).toBe('off')
    expect(() => parseRelayMode('yes')).toThrow('use one of auto, on, off')
    expect(parseSwitch('on')).toBe(true)
    expect(parseSwitch('off')).toBe(false)
    expect(() => parseSwitch('true')).toThrow('use on or off')
  })

  it('bootstrap addresses need a real PeerID', () => {
    expect(parseBootstrap(BOOT)).toBe(BOOT)
    expect(() => parseBootstrap('/ip4/127.0.0.1/tcp/4500')).toThrow(/needs the nara's PeerID/)
    expect(() => parseBootstrap('/ip4/127.0.0.1/tcp/4500/p2p/xyz')).toThrow('"xyz" is not a PeerID')
    expect(() => parseBootstrap('4500')).toThrow(/not a multiaddr/)
  })

  it('API URLs: http(s), without a trailing slash', () => {
    expect(parseApiUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000')
    expect(() => parseApiUrl('nope')).toThrow('not a URL')
    expect(() => parseApiUrl('ftp://x')).toThrow('the API speaks http')
  })
})

describe('resolveStartConfig', () => {
  it('defaults: every interface on TCP port 4001, relaying once public, mDNS left to the listen address, no UPnP, no bootstrap', () => {
    expect(resolveStartConfig(defaults)).toEqual({
      listen: ['/ip4/0.0.0.0/tcp/4001'], announce: [], relay: 'auto', upnp: false, bootstrap: [], memoryMode: 'medium', apiPort: 7420, logLevel: 'info', json: false
    })
  })

  it('secure WebSockets: --ws-cert and --ws-key together, with a /tls/ws listen address', () => {
    const wss = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4443/tls/ws']
    expect(resolveStartConfig({ ...defaults, listen: wss, wsCert: 'c.pem', wsKey: 'k.pem' }).webSocketsTls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem' })
    expect(() => resolveStartConfig({ ...defaults, listen: wss, wsCert: 'c.pem' })).toThrow('--ws-cert and --ws-key go together')
    expect(() => resolveStartConfig({ ...defaults, listen: wss })).toThrow('/ip4/0.0.0.0/tcp/4443/tls/ws is secure WebSockets: pass --ws-cert <file> --ws-key <file>')
    expect(() => resolveStartConfig({ ...defaults, wsCert: 'c.pem', wsKey: 'k.pem' })).toThrow('add e.g. --listen /ip4/0.0.0.0/tcp/4443/tls/ws')
  })

  it('--port is that TCP port on every interface', () => {
    expect(resolveStartConfig({ ...defaults, port: 4011 }).listen).toEqual(['/ip4/0.0.0.0/tcp/4011'])
  })

  it('refuses --port with --listen, and a soul without its name or for another name', () => {
    expect(() => resolveStartConfig({ ...defaults, port: 1, listen: ['/ip4/127.0.0.1/tcp/2'] })).toThrow(UsageError)
    expect(() => resolveStartConfig({ ...defaults, soul: 'abc' })).toThrow('--soul needs --name')
    const soul = Identity.create({ name: 'alice', machineId: 'cli-test' }).soulString()
    expect(resolveStartConfig({ ...defaults, name: 'alice', soul }).soul).toBe(soul)
    expect(() => resolveStartConfig({ ...defaults, name: 'bob', soul })).toThrow(/^--soul: this soul belongs to a different name than "bob"/)
    expect(() => resolveStartConfig({ ...defaults, name: 'bob', soul: 'abc' })).toThrow(/^--soul: invalid soul/)
  })

  it('client commands: --api, else --api-port, else the default; never both', () => {
    expect(resolveApiUrl({})).toBe('http://127.0.0.1:7420')
    expect(resolveApiUrl({ apiPort: 9000 })).toBe('http://127.0.0.1:9000')
    expect(resolveApiUrl({ api: 'http://h:1' })).toBe('http://h:1')
    expect(() => resolveApiUrl({ api: 'http://h:1', apiPort: 2 })).toThrow('pass one of them')
  })
})

describe('nara start: parsing the command line', () => {
  it('hands every flag to start', async () => {
    const { code, calls, err } = await cli('start', '--name', 'alice', '--port', '4001', '--bootstrap', BOOT, '--bootstrap', BOOT,
      '--api-port', '0', '--memory-mode', 'high', '--audit-interval', '2.5', '--log-level', 'warn', '--json',
      '--announce', '/dns4/nara.example.com/tcp/4001', '--announce', '/ip4/203.0.113.7/tcp/4001', '--relay', 'off', '--mdns', 'off', '--upnp', 'on')
    expect(err).toEqual([])
    expect(code).toBeUndefined()
    expect(calls).toEqual([{
      action: 'start',
      config: {
        name: 'alice',
        port: 4001,
        listen: ['/ip4/0.0.0.0/tcp/4001'],
        announce: ['/dns4/nara.example.com/tcp/4001', '/ip4/203.0.113.7/tcp/4001'],
        relay: 'off',
        mdns: false,
        upnp: true,
        bootstrap: [BOOT, BOOT],
        apiPort: 0,
        memoryMode: 'high',
        auditIntervalMs: 2500,
        logLevel: 'warn',
        json: true
      }
    }])
  })

  it('repeats --listen', async () => {
    const { calls } = await cli('start', '--listen', '/ip4/127.0.0.1/tcp/1', '--listen', '/ip4/127.0.0.1/tcp/2')
    expect(calls[0].config?.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  })

  const bad: Array<[string[], RegExp]> = [
    [['--port', 'abc'], /^error: option '--port <n>' argument 'abc' is invalid\. a port is a whole number/],
    [['--announce', '1.2.3.4:4001'], /^error: option '--announce <multiaddr>' argument '1\.2\.3\.4:4001' is invalid\. not a multiaddr .*use e\.g\. \/ip4\/203\.0\.113\.7\/tcp\/4001/],
    [['--relay', 'maybe'], /^error: option '--relay <mode>' argument 'maybe' is invalid\. use one of auto, on, off/],
    [['--mdns', 'yes'], /^error: option '--mdns <on\|off>' argument 'yes' is invalid\. use on or off$/],
    [['--upnp', '1'], /^error: option '--upnp <on\|off>' argument '1' is invalid\. use on or off$/],
    [['--api-port', '70000'], /^error: option '--api-port <n>' argument '70000' is invalid/],
    [['--memory-mode', 'huge'], /^error: option '--memory-mode <mode>' argument 'huge' is invalid\. use one of low, medium, high$/],
    [['--audit-interval', '0'], /^error: option '--audit-interval <seconds>' argument '0' is invalid\. give seconds from 0\.1 to 86400, e\.g\. 45 or 0\.5$/],
    [['--audit-interval', '1m'], /^error: option '--audit-interval <seconds>' argument '1m' is invalid\. give seconds from 0\.1 to 86400/],
    [['--listen', 'garbage'], /^error: option '--listen <multiaddr>' argument 'garbage' is invalid\. not a multiaddr/],
    [['--bootstrap', '/ip4/1.2.3.4/tcp/1'], /needs the nara's PeerID/],
    [['--log-level', 'loud'], /use one of debug, info, warn, error, silent$/],
    [['--name', 'NOPE'], /invalid name "NOPE"/],
    [['--nmae', 'x'], /^error: unknown option '--nmae' \(Did you mean --name\?\); see `nara start --help`$/],
    [['--soul', 'abc'], /^error: --soul needs --name/],
    [['--port', '1', '--listen', '/ip4/127.0.0.1/tcp/2'], /^error: --port and --listen both set where to listen/],
    [['extra'], /^error: too many arguments for 'start'.*; see `nara start --help`$/],
    [['--port'], /^error: option '--port <n>' argument missing; see `nara start --help`$/]
  ]
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one line and exit code 2`, async () => {
      const { code, err, calls } = await cli('start', ...args)
      expect(code).toBe(2)
      expect(calls).toEqual([])
      expect(err).toHaveLength(1)
      expect(err[0]).toMatch(message)
    })
  }

  it('an unknown command is one line with a hint, exit code 2', async () => {
    const { code, err } = await cli('strat')
    expect(code).toBe(2)
    expect(err).toEqual(["error: unknown command 'strat' (Did you mean start?); see `nara --help`"])
  })

  it('--help exits 0', async () => {
    const { code, out } = await cli('start', '--help')
    expect(code).toBe(0)
    expect(out.join('\n')).toContain('--memory-mode <mode>')
  })
})

describe('nara start: flags from NARA_* environment variables', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('NARA_') && !(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })
  const OTHER = BOOT.replace('4500', '4501')

  it('every start flag can come from its variable; repeatable ones take a comma-separated list', async () => {
    Object.assign(process.env, {
      NARA_NAME: 'envy', NARA_PORT: '4002', NARA_BOOTSTRAP: `${BOOT}, ${OTHER}`, NARA_API_PORT: '0', NARA_MEMORY_MODE: 'low',
      NARA_AUDIT_INTERVAL: '30', NARA_LOG_LEVEL: 'debug', NARA_LOG_FORMAT: 'pretty', NARA_JSON: '1',
      NARA_ANNOUNCE: '/dns4/a.example.com/tcp/4001,/dns6/b.example.com/tcp/4001', NARA_RELAY: 'on', NARA_MDNS: 'on', NARA_UPNP: 'off'
    })
    const { code, calls, err } = await cli('start')
    expect(err).toEqual([])
    expect(code).toBeUndefined()
    expect(calls[0].config).toEqual({
      name: 'envy', port: 4002, listen: ['/ip4/0.0.0.0/tcp/4002'], bootstrap: [BOOT, OTHER], apiPort: 0, memoryMode: 'low',
      auditIntervalMs: 30_000, logLevel: 'debug', logFormat: 'pretty', json: true,
      announce: ['/dns4/a.example.com/tcp/4001', '/dns6/b.example.com/tcp/4001'], relay: 'on', mdns: true, upnp: false
    })
    delete process.env.NARA_PORT
    process.env.NARA_LISTEN = '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2'
    const soul = Identity.create({ name: 'envy', machineId: 'cli-test' }).soulString()
    process.env.NARA_SOUL = soul
    expect((await cli('start')).calls[0].config).toMatchObject({ listen: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'], soul })
  })

  it('a flag beats its variable', async () => {
    Object.assign(process.env, { NARA_NAME: 'envy', NARA_API_PORT: '9999', NARA_BOOTSTRAP: OTHER, NARA_LOG_FORMAT: 'pretty' })
    const { calls } = await cli('start', '--name', 'flagged', '--api-port', '1234', '--bootstrap', BOOT, '--log-format', 'json')
    expect(calls[0].config).toMatchObject({ name: 'flagged', apiPort: 1234, bootstrap: [BOOT], logFormat: 'json' })
  })

  it('a bad value in a variable is a one-line error that names the variable', async () => {
    process.env.NARA_PORT = 'abc'
    const { code, err, calls } = await cli('start')
    expect(code).toBe(2)
    expect(calls).toEqual([])
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^error: option '--port <n>' value 'abc' from env 'NARA_PORT' is invalid\. a port is a whole number/)
  })

  it('nara start --help names the variables', async () => {
    const help = (await cli('start', '--help')).out.join(' ').replace(/\s+/g, ' ')
    for (const env of ['NARA_NAME', 'NARA_SOUL', 'NARA_PORT', 'NARA_LISTEN', 'NARA_BOOTSTRAP', 'NARA_API_PORT', 'NARA_MEMORY_MODE', 'NARA_LOG_LEVEL', 'NARA_LOG_FORMAT', 'NARA_JSON']) {
      expect(help).toContain(`env: ${env}`)
    }
  })

  it('--log-format is pretty or json', async () => {
    const { code, err } = await cli('start', '--log-format', 'xml')
    expect(code).toBe(2)
    expect(err[0]).toMatch(/argument 'xml' is invalid\. use one of pretty, json$/)
  })
})

describe('nara soul: parsing the command line', () => {
  afterEach(() => { delete process.env.NARA_NAME })

  it('takes the name from --name or NARA_NAME, and refuses a soul for another name', async () => {
    expect((await cli('soul', '--name', 'alice')).calls).toEqual([{ action: 'soul', args: [{ name: 'alice' }] }])
    process.env.NARA_NAME = 'bob'
    expect((await cli('soul')).calls).toEqual([{ action: 'soul', args: [{ name: 'bob' }] }])
    const soul = Identity.create({ name: 'alice', machineId: 'cli-test' }).soulString()
    const wrong = await cli('soul', '--soul', soul)
    expect(wrong.code).toBe(2)
    expect(wrong.err).toEqual([expect.stringMatching(/^error: --soul: this soul belongs to a different name than "bob"/)])
  })
})

describe('client commands: parsing the command line', () => {
  it('talk to the default API, or the one --api / --api-port names (before or after the command)', async () => {
    expect((await cli('status')).calls[0].ctx?.api).toBe('http://127.0.0.1:7420')
    expect((await cli('--api-port', '9000', 'peers')).calls[0].ctx?.api).toBe('http://127.0.0.1:9000')
    expect((await cli('--api', 'http://127.0.0.1:9001/', 'stash', 'get')).calls[0].ctx?.api).toBe('http://127.0.0.1:9001')
    const local = await cli('--api-port', '9000', 'stash', 'held', '--api-port', '9002', '--json')
    expect(local.calls[0]).toMatchObject({ action: 'stashHeld', ctx: { api: 'http://127.0.0.1:9002', json: true } })
  })

  it('stash set passes the JSON argument or --file', async () => {
    expect((await cli('stash', 'set', '{"a":1}')).calls[0]).toMatchObject({ action: 'stashSet', args: ['{"a":1}', undefined] })
    expect((await cli('stash', 'set', '--file', 'x.json')).calls[0]).toMatchObject({ action: 'stashSet', args: [undefined, 'x.json'] })
  })

  it('rejects --api with --api-port, and a bad URL, with exit code 2', async () => {
    const both = await cli('status', '--api', 'http://h:1', '--api-port', '2')
    expect(both.code).toBe(2)
    expect(both.err).toEqual(['error: --api and --api-port both say which nara to talk to; pass one of them'])
    const url = await cli('--api', 'nope', 'status')
    expect(url.code).toBe(2)
    expect(url.err[0]).toMatch(/^error: option '--api <url>' argument 'nope' is invalid\. not a URL/)
  })
})
