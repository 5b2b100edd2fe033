import { afterAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import { exited, killAll, run, spawnStart, type SpawnedNara } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

const PEER = '12D3KooWEPsYnsWqGr1cNp4j3pgH9mvbdcRr8xb4BvgszzazQV68'

async function stop (nara: SpawnedNara): Promise<void> {
  nara.child.kill('SIGTERM')
  expect(await exited(nara.child, 8_000)).toBe(0)
}

const isJson = (line: string): boolean => {
  try {
    JSON.parse(line)
    return true
  } catch {
    return false
  }
}

const lines = (text: string): string[] => text.split('\n').filter(l => l.trim() !== '')

describe('nara start as an operator sees it', () => {
  it('never prints the soul, in its summary or its logs; nara soul does', async () => {
    const nara = spawnStart(['--name', 'e2e-secret', '--api-port', '0', '--log-level', 'debug'])
    await waitFor(() => nara.stdout().includes('Stop it with Ctrl-C') && nara.stderr().includes('nara started'), 'the start-up summary and log', 20_000)
    await stop(nara)
    const soul = await run(['soul', '--name', 'e2e-secret'], 10_000)
    expect(soul.code).toBe(0)
    expect(soul.stdout.trim()).toMatch(/^[1-9A-HJ-NP-Za-km-z]{50,60}$/)
    expect(nara.stdout()).toContain('nara soul --name e2e-secret')
    expect(nara.stdout()).not.toContain(soul.stdout.trim())
    expect(nara.stderr()).not.toContain(soul.stdout.trim())
  })

  it('logs JSON lines when piped, and readable lines with --log-format pretty', async () => {
    const piped = spawnStart(['--name', 'e2e-json', '--api-port', '0'])
    await waitFor(() => piped.stderr().includes('nara started'), 'the start-up log', 20_000)
    await stop(piped)
    expect(lines(piped.stderr()).filter(l => !l.startsWith('SIG')).every(isJson)).toBe(true)

    const pretty = spawnStart(['--name', 'e2e-pretty', '--api-port', '0', '--log-format', 'pretty'])
    await waitFor(() => pretty.stderr().includes('nara started'), 'the start-up log', 20_000)
    await stop(pretty)
    const started = lines(pretty.stderr()).find(l => l.includes('nara started'))!
    expect(isJson(started)).toBe(false)
    expect(started).toMatch(/INFO.*nara started/)
  })

  it('takes its settings from NARA_* environment variables', async () => {
    const nara = spawnStart([], { NARA_NAME: 'e2e-env', NARA_API_PORT: '0', NARA_JSON: '1', NARA_MEMORY_MODE: 'low', NARA_LOG_LEVEL: 'warn' })
    await waitFor(() => lines(nara.stdout()).find(isJson), 'the JSON start-up line', 20_000)
    const info = JSON.parse(lines(nara.stdout()).find(isJson)!) as { name: string, memoryMode: string, api: string }
    expect(info).toMatchObject({ name: 'e2e-env', memoryMode: 'low' })
    expect(((await (await fetch(`${info.api}/status`)).json()) as { name: string }).name).toBe('e2e-env')
    await stop(nara)
    expect(nara.stderr()).not.toMatch(/nara started/) // NARA_LOG_LEVEL=warn
  })

  it('warns, at the default log level, that an unreachable bootstrap peer is being retried', async () => {
    const probe = createServer()
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise(resolve => probe.close(resolve)) // nothing listens there now
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${PEER}`
    const nara = spawnStart(['--name', 'e2e-lonely', '--api-port', '0', '--bootstrap', address])
    const warning = await waitFor(() => lines(nara.stderr()).filter(isJson).map(l => JSON.parse(l) as { level: number, msg: string })
      .find(l => l.msg.startsWith('cannot reach any bootstrap peer')), 'the bootstrap warning', 20_000)
    await stop(nara)
    expect(warning.level).toBe(40)
    expect(warning.msg).toContain(address)
    expect(warning.msg).toMatch(/still trying, with backoff/)
  })
})
