import { afterAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { exited, killAll, run, startNara, type RunningNara } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

const getJson = async (url: string): Promise<{ status: number, body: any }> => {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

describe('nara start and the CLI client, as spawned processes', () => {
  it('a node starts, answers the API and the client commands, and stops gracefully on SIGTERM', async () => {
    const a = await startNara(['--name', 'e2e-alpha', '--memory-mode', 'high'])
    expect(a.info.name).toBe('e2e-alpha')
    expect(a.info.multiaddrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    const status = await getJson(`${a.info.api}/status`)
    expect(status.body).toMatchObject({ name: 'e2e-alpha', id: a.info.id, peerId: a.info.peerId, memoryMode: 'high' })

    const cli = await run(['status', '--api', a.info.api, '--json'])
    expect(cli.code).toBe(0)
    expect(JSON.parse(cli.stdout)).toMatchObject({ id: a.info.id })

    a.child.kill('SIGTERM')
    expect(await exited(a.child, 8_000)).toBe(0)
  })

  it('restarting with the same name gives the same identity; --soul gives it anywhere', async () => {
    const first = await startNara(['--name', 'e2e-same'])
    first.child.kill('SIGTERM')
    await exited(first.child)
    const again = await startNara(['--name', 'e2e-same'])
    expect(again.info.id).toBe(first.info.id)
    expect(again.info.peerId).toBe(first.info.peerId)
    again.child.kill('SIGTERM')
    await exited(again.child)
    // The soul string (which `nara soul` prints) carries the identity to any machine.
    const soul = (await run(['soul', '--name', 'e2e-same'], 10_000)).stdout.trim()
    const carried = await startNara(['--name', 'e2e-same', '--soul', soul])
    expect(carried.info.id).toBe(first.info.id)
    carried.child.kill('SIGTERM')
    await exited(carried.child)
  })

  it('two nodes find each other, store a stash through the API and report who holds it', async () => {
    const nodes: RunningNara[] = []
    nodes.push(await startNara(['--name', 'e2e-owner']))
    for (const name of ['e2e-c1', 'e2e-c2', 'e2e-c3']) nodes.push(await startNara(['--name', name, '--bootstrap', nodes[0].info.multiaddrs[0]]))
    try {
      const owner = nodes[0].info
      await waitFor(async () => (await getJson(`${owner.api}/peers`)).body.peers.length === 3, 'the owner to see three peers', 20_000)

      const set = await run(['stash', 'set', '{"level":7,"name":"e2e"}', '--api', owner.api, '--json'])
      expect(set.code, set.stderr).toBe(0)
      expect(JSON.parse(set.stdout).confidants).toHaveLength(3)

      const get = await run(['stash', 'get', '--api', owner.api, '--json'])
      expect(JSON.parse(get.stdout)).toMatchObject({ data: { level: 7, name: 'e2e' } })

      const held = await Promise.all(nodes.slice(1).map(async n => (await getJson(`${n.info.api}/stash/held`)).body.held))
      for (const h of held) {
        expect(h).toEqual([expect.objectContaining({ ownerId: owner.id, bytes: expect.any(Number) })])
        expect(JSON.stringify(h)).not.toMatch(/ciphertext/)
      }
      const behaviors = (await getJson(`${owner.api}/behaviors`)).body.behaviors
      expect(behaviors.find((b: { kind: string }) => b.kind === 'stash:store').route).toContain('/nara/stash/store/1')
    } finally {
      for (const n of nodes) n.child.kill('SIGTERM')
      await Promise.all(nodes.map(async n => await exited(n.child)))
    }
  })

  it('a bad flag is one line on stderr and exit code 2', async () => {
    for (const args of [['start', '--port', 'abc'], ['start', '--memory-mode', 'huge'], ['start', '--bootstrap', 'not-a-multiaddr'], ['start', '--frobnicate'],
      ['start', '--announce', '203.0.113.7:4001'], ['start', '--relay', 'sometimes'], ['start', '--mdns', 'yes']]) {
      const result = await run(args, 10_000)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    }
  })

  it('a busy port is a one-line error and a non-zero exit, with no log line before it', async () => {
    const blocker = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      for (const [flag, value] of [['--listen', `/ip4/127.0.0.1/tcp/${port}`], ['--api-port', String(port)]]) {
        const result = await run(['start', '--name', 'e2e-busy', flag, value, '--log-level', 'debug'], 20_000)
        expect(result.code, flag).not.toBe(0)
        expect(result.stderr.trim().split('\n'), flag).toHaveLength(1)
        expect(result.stderr, flag).toMatch(String(port))
      }
    } finally {
      blocker.close()
    }
  })

  it('a client command with no node running says how to start one', async () => {
    const probe = createServer()
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise(resolve => probe.close(resolve)) // now nothing listens there
    const result = await run(['status', '--api', `http://127.0.0.1:${port}`], 10_000)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/no nara is running.*npm start/)
  })
})
