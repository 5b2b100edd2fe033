import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { SWARM, exited, killAll, run } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

describe('npm run swarm -- --demo', () => {
  it('stores state, kills the owner with SIGKILL, restarts it and recovers the state through the API', async () => {
    const result = await run(['--nodes', '4', '--demo', '--base-port', '27310', '--api-base-port', '27410'], 120_000, SWARM)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/SIGKILL to PID \d+/)
    expect(result.stdout).toContain('Watch swarm-0 live in a browser: http://127.0.0.1:27410/ ')
    expect(result.stdout).toMatch(/\(the same identity\)/)
    const stored = /stores its state[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    const recovered = /recovered in \d+ ms[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    expect(stored).toBeDefined()
    expect(recovered).toBe(stored)
  }, 150_000)
})

describe('npm run swarm', () => {
  it('starts 20 naras that all find each other, prints them, and Ctrl-C stops every one of them', async () => {
    const count = 20
    const apiBase = 27600
    const swarm = spawn(process.execPath, [SWARM, '--nodes', String(count), '--base-port', '27500', '--api-base-port', String(apiBase)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    swarm.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    swarm.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const indexes = Array.from({ length: count }, (_, i) => i)
    try {
      // printed once every nara's GET /peers lists the 19 others
      await waitFor(() => stdout.includes('up and seeing each other') || swarm.exitCode !== null, 'the swarm to converge', 100_000, 200)
      expect(stdout, stderr).toContain(`${count} nara(s) up and seeing each other`)
      for (const i of indexes) expect(stdout).toContain(`swarm-${i} `)
      const peers = await (await fetch(`http://127.0.0.1:${apiBase + count - 1}/peers`)).json() as { peers: unknown[] }
      expect(peers.peers).toHaveLength(count - 1)
      // each node's inspector, as printed, is its page
      for (const i of [0, count - 1]) {
        const url = `http://127.0.0.1:${apiBase + i}/`
        expect(stdout).toMatch(new RegExp(`swarm-${i} .* ${url}\\s*$`, 'm'))
        const page = await fetch(url)
        expect(page.headers.get('content-type')).toContain('text/html')
        expect(await page.text()).toContain('nara inspector')
      }
      // the tab page, as printed, joins through the first nara's WebSocket address
      expect(stdout).toContain(`Or run a nara in a browser tab: http://127.0.0.1:${apiBase}/tab/`)
      const join = await (await fetch(`http://127.0.0.1:${apiBase}/tab/join`)).json() as { addresses: string[] }
      expect(join.addresses).toEqual([expect.stringMatching(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//)])

      swarm.kill('SIGINT')
      expect(await exited(swarm, 30_000)).toBe(0)
      for (const i of indexes) {
        await expect(fetch(`http://127.0.0.1:${apiBase + i}/status`), `node ${i} still answers`).rejects.toThrow()
      }
      const ours = indexes.map(i => `--api-port ${apiBase + i} `)
      const leftovers = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter(line => ours.some(flag => `${line} `.includes(flag)))
      expect(leftovers).toEqual([])
    } finally {
      swarm.kill('SIGKILL')
      // a failed run must not leave its naras behind: they are the processes carrying our API ports
      const ours = indexes.map(i => `--api-port ${apiBase + i} `)
      for (const line of execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n')) {
        if (ours.some(flag => `${line} `.includes(flag))) process.kill(Number(line.trim().split(' ')[0]), 'SIGKILL')
      }
    }
  }, 150_000)
})
