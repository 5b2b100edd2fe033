import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApi, type ApiServer } from '../../../src/api/index.js'
import { stashInput } from '../../../src/cli/client.js'
import { UsageError } from '../../../src/cli/errors.js'
import { formatDuration } from '../../../src/cli/format.js'
import { runCli } from '../../../src/cli/run.js'
import { fakeSwarm, type FakeNode } from '../api/fake-node.js'
import { argv, captureIo } from './helpers.js'

let nodes: FakeNode[] = []
let server: ApiServer

async function nara (...args: string[]): Promise<{ code: number | undefined, out: string[], err: string[] }> {
  const io = captureIo()
  const code = await runCli(argv(...args, '--api', server.url), io)
  return { code, out: io.outLines, err: io.errLines }
}

beforeAll(async () => {
  nodes = await fakeSwarm(3, 'cli')
  server = await startApi(nodes[0], { port: 0 })
})

afterAll(async () => {
  await server.close()
  for (const n of nodes) await n.stop()
})

describe('client commands against a running API', () => {
  it('nara status prints who the nara is', async () => {
    // the uptime the node reports, fixed, so the line does not depend on when this test runs
    const uptime = vi.spyOn(nodes[0], 'uptimeMs').mockReturnValue(61_500)
    try {
      const { code, out } = await nara('status')
      expect(code).toBe(0)
      expect(out[0]).toMatch(/^name\s+cli-0$/)
      expect(out.join('\n')).toContain(nodes[0].identity.id)
      expect(out).toContainEqual(expect.stringMatching(/^uptime\s+1m 1s$/))
    } finally {
      uptime.mockRestore()
    }
  })

  it('nara status --json prints the API answer', async () => {
    const { out } = await nara('status', '--json')
    expect(JSON.parse(out[0])).toMatchObject({ name: 'cli-0', id: nodes[0].identity.id })
  })

  it('nara peers prints a table of the others', async () => {
    const { code, out } = await nara('peers')
    expect(code).toBe(0)
    expect(out[0]).toMatch(/^NAME\s+NaraID\s+PeerID\s+CONNECTION\s+UPTIME\s+LAST SEEN$/)
    expect(out.slice(1, 3).map(l => l.split(/\s+/)[0])).toEqual(['cli-1', 'cli-2'])
    expect(out[3]).toBe('2 peer(s) online')
  })

  it('nara peers shows each peer\'s uptime now, not the figure it last announced', async () => {
    const [node] = await fakeSwarm(1, 'clock')
    const now = Date.now()
    const announced = { id: 'some-id', name: 'quiet', uptimeMs: 60_000, lastSeen: now - 90_000, onlineSince: now - 600_000 }
    node.runtime.setOnlinePeers([announced])
    const api = await startApi(node, { port: 0 })
    const io = captureIo()
    try {
      expect(await runCli(argv('peers', '--api', api.url), io)).toBe(0)
    } finally {
      await api.close()
      await node.stop()
    }
    // 60 s announced 90 s ago: up for 2m 30s by now (a second may pass while the command runs)
    expect(io.outLines[1]).toMatch(/^quiet\s+some-id\s+\(unknown\)\s+none\s+2m 3[01]s\s+1m 3[01]s ago$/)
  })

  it('nara stash get before a stash exists says how to make one', async () => {
    const { code, err } = await nara('stash', 'get')
    expect(code).toBe(1)
    expect(err).toEqual(['error: this nara has no stash yet; set one with nara stash set \'{"level": 7}\''])
  })

  it('nara stash set stores; nara stash get prints it', async () => {
    const set = await nara('stash', 'set', '{"level": 7, "items": ["map"]}')
    expect(set.code).toBe(0)
    expect(set.out[0]).toMatch(/^stored version \d+ with 2 confidant\(s\): cli-[12], cli-[12]$/)
    const get = await nara('stash', 'get')
    expect(get.out.slice(0, 6)).toEqual(['{', '  "level": 7,', '  "items": [', '    "map"', '  ]', '}'])
    expect(get.out[6]).toMatch(/^version \d+, kept by cli-[12], cli-[12]$/)
    const json = await nara('stash', 'get', '--json')
    expect(JSON.parse(json.out[0])).toMatchObject({ data: { level: 7, items: ['map'] } })
  })

  it('nara stash set --file reads the JSON from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nara-cli-'))
    const file = join(dir, 'state.json')
    await writeFile(file, '{"from": "file"}')
    expect((await nara('stash', 'set', '--file', file)).code).toBe(0)
    expect(JSON.parse((await nara('stash', 'get', '--json')).out[0]).data).toEqual({ from: 'file' })
  })

  it('nara stash held lists what a confidant keeps', async () => {
    const io = captureIo()
    const confidant = nodes.find(n => n.stash.stored.size > 0)!
    const api = await startApi(confidant, { port: 0 })
    try {
      expect(await runCli(argv('stash', 'held', '--api', api.url), io)).toBe(0)
    } finally {
      await api.close()
    }
    expect(io.outLines[0]).toMatch(/^OWNER\s+NaraID\s+VERSION\s+SIZE\s+STORED$/)
    expect(io.outLines[1].split(/\s+/).slice(0, 2)).toEqual([nodes[0].identity.name, nodes[0].identity.id])
  })

  it('an API error becomes one line and exit code 1', async () => {
    const io = captureIo()
    const alone = await fakeSwarm(1, 'lonely')
    const api = await startApi(alone[0], { port: 0 })
    try {
      expect(await runCli(argv('stash', 'set', '1', '--api', api.url), io)).toBe(1)
    } finally {
      await api.close()
      await alone[0].stop()
    }
    expect(io.errLines).toEqual([expect.stringMatching(/^error: 0 peer\(s\) online, at least 1 needed to keep a stash; /)])
  })
})

describe('client commands without a nara', () => {
  it('say that none is running and how to start one', async () => {
    const free = createServer()
    await new Promise<void>(resolve => free.listen(0, '127.0.0.1', resolve))
    const port = (free.address() as { port: number }).port
    await new Promise(resolve => free.close(resolve))
    const io = captureIo()
    expect(await runCli(argv('status', '--api-port', String(port)), io)).toBe(1)
    expect(io.errLines).toEqual([`error: no nara is running at http://127.0.0.1:${port}; start one with \`npm start\``])
  })
})

describe('stashInput', () => {
  it('checks the JSON before anything is sent', async () => {
    await expect(stashInput('{bad', undefined)).rejects.toThrow(UsageError)
    await expect(stashInput('{bad', undefined)).rejects.toThrow(/^'\{bad' is not valid JSON .*; quote it for your shell/)
    await expect(stashInput(undefined, undefined)).rejects.toThrow(/^nothing to store/)
    await expect(stashInput('1', 'f.json')).rejects.toThrow(/not both/)
    await expect(stashInput(undefined, '/does/not/exist.json')).rejects.toThrow('cannot read --file /does/not/exist.json: ENOENT')
    expect(await stashInput('[1, 2]', undefined)).toBe('[1, 2]')
  })

  it('a bad argument exits 2 through the CLI', async () => {
    const io = captureIo()
    expect(await runCli(argv('stash', 'set', 'not json', '--api-port', '1'), io)).toBe(2)
    expect(io.errLines).toHaveLength(1)
  })
})

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(999)).toBe('0s')
    expect(formatDuration(59_000)).toBe('59s')
    expect(formatDuration(125_000)).toBe('2m 5s')
    expect(formatDuration(3_720_000)).toBe('1h 2m')
    expect(formatDuration(100 * 3_600_000)).toBe('4d 4h')
  })
})
