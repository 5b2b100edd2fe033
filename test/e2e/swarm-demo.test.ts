import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { SWARM, exited, killAll, run } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

describe('npm run swarm -- --demo', () => {
  it('stores state, kills the owner with SIGKILL, restarts it and recovers the state through the API', async () => {
    const result = await run(['--nodes', '4', '--demo', '--base-port', '47310', '--api-base-port', '47410'], 120_000, SWARM)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/SIGKILL to PID \d+/)
    expect(result.stdout).toContain('Watch swarm-0 live in a browser: http://127.0.0.1:47410/ ')
    expect(result.stdout).toMatch(/\(the same identity\)/)
    const stored = /stores its state[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    const recovered = /recovered in \d+ ms[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    expect(stored).toBeDefined()
    expect(recovered).toBe(stored)
  }, 150_000)
})

describe('npm run swarm', () => {
  it('starts N naras that find each other, prints them, and Ctrl-C stops every one of them', async () => {
    const apiBase = 47510
    const swarm = spawn(process.execPath, [SWARM, '--nodes', '3', '--base-port', '47500', '--api-base-port', String(apiBase)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    swarm.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    try {
      await waitFor(() => ['swarm-0', 'swarm-1', 'swarm-2'].every(n => stdout.includes(n)), 'the swarm table', 60_000)
      const peers = await (await fetch(`http://127.0.0.1:${apiBase + 2}/peers`)).json() as { peers: unknown[] }
      expect(peers.peers).toHaveLength(2)
      // each node's inspector, as printed, is its page
      for (let i = 0; i < 3; i++) {
        const url = `http://127.0.0.1:${apiBase + i}/`
        expect(stdout).toMatch(new RegExp(`swarm-${i} .* ${url}\\s*$`, 'm'))
        const page = await fetch(url)
        expect(page.headers.get('content-type')).toContain('text/html')
        expect(await page.text()).toContain('nara inspector')
      }

      swarm.kill('SIGINT')
      expect(await exited(swarm, 20_000)).toBe(0)
      for (let i = 0; i < 3; i++) {
        await expect(fetch(`http://127.0.0.1:${apiBase + i}/status`), `node ${i} still answers`).rejects.toThrow()
      }
      const ours = [0, 1, 2].map(i => `--api-port ${apiBase + i} `)
      const leftovers = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter(line => ours.some(flag => `${line} `.includes(flag)))
      expect(leftovers).toEqual([])
    } finally {
      swarm.kill('SIGKILL')
    }
  }, 90_000)
})
