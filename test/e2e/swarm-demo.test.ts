import { afterAll, describe, expect, it } from 'vitest'
import { SWARM, killAll, run } from '../helpers/processes.js'

afterAll(() => { killAll() })

describe('npm run swarm -- --demo', () => {
  it('stores state, kills the owner with SIGKILL, restarts it and recovers the state through the API', async () => {
    const result = await run(['--nodes', '4', '--demo', '--base-port', '47310', '--api-base-port', '47410'], 120_000, SWARM)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/SIGKILL to PID \d+/)
    expect(result.stdout).toMatch(/\(the same identity\)/)
    const stored = /stores its state[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    const recovered = /recovered in \d+ ms[^\n]*\n\s*(\{.*\})/.exec(result.stdout)?.[1]
    expect(stored).toBeDefined()
    expect(recovered).toBe(stored)
  }, 150_000)
})
