import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:net'
import { MemoryLogger } from '../../../src/index.js'
import { startApi } from '../../../src/api/index.js'
import { CliError } from '../../../src/cli/errors.js'
import { resolveStartConfig } from '../../../src/cli/options.js'
import { runStart, type StartDeps } from '../../../src/cli/start.js'
import { cliLogger, type StartLog } from '../../../src/cli/logs.js'
import { fakeNode, type FakeNode } from '../api/fake-node.js'
import { captureIo } from './helpers.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanup.splice(0)) await c() })

const config = (extra: Record<string, unknown> = {}): ReturnType<typeof resolveStartConfig> =>
  resolveStartConfig({ apiPort: 0, memoryMode: 'medium', logLevel: 'info', ...extra })

/** Fake deps: a MockRuntime node, the real API, signal handlers and exit codes captured. */
function deps (node?: FakeNode, overrides: Partial<StartDeps> = {}): StartDeps & { io: ReturnType<typeof captureIo>, signals: Map<string, () => void>, exits: number[], created: unknown[] } {
  const signals = new Map<string, () => void>()
  const exits: number[] = []
  const created: unknown[] = []
  return {
    io: captureIo(),
    signals,
    exits,
    created,
    createNode: async (options) => { created.push(options); return node! },
    startApi,
    logger: () => ({ log: new MemoryLogger(), release: () => {}, discard: () => {} }),
    onSignal: (signal, handler) => { signals.set(signal, handler) },
    exit: (code) => { exits.push(code) },
    ...overrides
  } as StartDeps & { io: ReturnType<typeof captureIo>, signals: Map<string, () => void>, exits: number[], created: unknown[] }
}

async function busyPort (): Promise<number> {
  const blocker: Server = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  cleanup.push(async () => { await new Promise(resolve => blocker.close(resolve)) })
  return (blocker.address() as { port: number }).port
}

describe('nara start', () => {
  it('creates the node from the flags, starts the API and prints one JSON line with --json', async () => {
    const node = await fakeNode('starter')
    const d = deps(node)
    const started = await runStart(config({ name: 'starter', port: 4001, json: true, memoryMode: 'low' }), d)
    cleanup.push(started.stop)
    expect(d.created).toEqual([{
      name: 'starter', listen: ['/ip4/0.0.0.0/tcp/4001'], announce: [], relay: 'auto', upnp: false, bootstrap: [], memoryMode: 'low', logger: expect.any(Object)
    }])
    expect(d.io.outLines).toHaveLength(1)
    const summary = JSON.parse(d.io.outLines[0]) as Record<string, unknown>
    expect(summary).toEqual({
      name: 'starter',
      id: node.identity.id,
      peerId: node.peerId(),
      multiaddrs: node.multiaddrs(),
      api: started.api.url,
      apiPort: started.api.port,
      memoryMode: 'medium'
    })
    expect((await fetch(`${started.api.url}/status`)).status).toBe(200)
  })

  it('gives the stash the audit interval of --audit-interval', async () => {
    const node = await fakeNode('auditor')
    const d = deps(node)
    const started = await runStart(config({ name: 'auditor', auditInterval: 1_500 }), d)
    cleanup.push(started.stop)
    expect(d.created).toEqual([expect.objectContaining({ name: 'auditor', stash: { auditIntervalMs: 1_500 } })])
  })

  it('prints a readable block by default, which says how to print the soul but not the soul', async () => {
    const node = await fakeNode('reader')
    const d = deps(node)
    const started = await runStart(config(), d)
    cleanup.push(started.stop)
    const text = d.io.outLines.join('\n')
    expect(d.io.outLines[0]).toBe('nara reader is running')
    for (const part of [node.identity.id, node.peerId(), node.multiaddrs()[0], started.api.url, '`nara soul --name reader` prints it']) {
      expect(text).toContain(part)
    }
    expect(text).not.toContain(node.identity.soulString())
    const soul = node.identity.soulString()
    const given = deps(node)
    cleanup.push((await runStart(config({ name: 'reader', soul }), given)).stop)
    expect(given.io.outLines.join('\n')).toContain('secret; the one given with --soul')
    expect(given.io.outLines.join('\n')).not.toContain(soul)
  })

  it('holds the node\'s logs until the summary is out; a busy API port drops them, another failure shows them', async () => {
    const written: string[] = []
    const stderr = { write: (s: string) => { written.push(s); return true } } as unknown as NodeJS.WritableStream
    const logger = (): StartLog => cliLogger({ level: 'info', format: 'json', destination: stderr })
    const node = await fakeNode('held')
    const d = deps(node, { logger })
    d.createNode = async (options) => { options.logger?.info('creating'); return node }
    const started = await runStart(config(), d)
    cleanup.push(started.stop)
    expect(written.map(l => JSON.parse(l).msg)).toEqual(['creating', 'nara started'])

    written.length = 0
    const busy = await fakeNode('held-busy')
    const b = deps(busy, { logger, createNode: async (options) => { options.logger?.info('creating'); return busy } })
    await expect(runStart(config({ apiPort: await busyPort() }), b)).rejects.toThrow(/already in use/)
    expect(written).toEqual([])

    const broken = async (options: { logger?: { warn: (m: string) => void } }): Promise<never> => {
      options.logger?.warn('about to break')
      throw new Error('something broke')
    }
    await expect(runStart(config(), deps(undefined, { logger, createNode: broken }))).rejects.toThrow(/something broke/)
    expect(written.map(l => JSON.parse(l).msg)).toEqual(['about to break'])
  })

  it('stops gracefully on the first signal and exits 0; a second exits at once', async () => {
    const node = await fakeNode('signals')
    const d = deps(node)
    await runStart(config(), d)
    d.signals.get('SIGTERM')!()
    await expect.poll(() => d.exits).toEqual([0])
    expect(node.runtime.running).toBe(false)
    d.signals.get('SIGINT')!()
    expect(d.exits).toEqual([0, 130])
  })

  it('a busy API port is a one-line error, and the node is stopped again', async () => {
    const node = await fakeNode('api-busy')
    const port = await busyPort()
    const error = await runStart(config({ apiPort: port }), deps(node)).catch((err: Error) => err)
    expect(error).toBeInstanceOf(CliError)
    expect((error as Error).message).toBe(`API port ${port} is already in use on 127.0.0.1; pick another with --api-port <n> (0 = any free port)`)
    expect(node.runtime.running).toBe(false)
  })

  it('a busy TCP port is a one-line error', async () => {
    const busy = async (): Promise<never> => {
      throw new Error('Some configured addresses failed to be listened on:\n\n  /ip4/127.0.0.1/tcp/4001: Error: listen EADDRINUSE: address already in use')
    }
    const error = await runStart(config({ port: 4001 }), deps(undefined, { createNode: busy })).catch((err: Error) => err)
    expect(error).toBeInstanceOf(CliError)
    expect((error as Error).message).toBe('TCP port 4001 is already in use; pick another with --port <n> (0 = any free port)')
  })

  it('any other start failure is its first line', async () => {
    const broken = async (): Promise<never> => { throw new Error('something broke\n   at stack') }
    await expect(runStart(config(), deps(undefined, { createNode: broken }))).rejects.toThrow(/^cannot start the node: something broke$/)
  })
})
