import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MockRuntime, StashService, PresenceService } from '../../src/index.js'

const table = readFileSync(new URL('../../protocols/PROTOCOLS.md', import.meta.url), 'utf8')
const rows = new Map(table.split('\n')
  .filter(line => line.startsWith('| `'))
  .map(line => {
    const cells = line.split('|').map(c => c.trim())
    return [cells[1].replaceAll('`', ''), { template: cells[2], route: cells[3].replaceAll('`', '') }] as const
  }))

const TEMPLATE_NAMES = { meshRequest: 'mesh', broadcast: 'broadcast', local: 'local' }

describe('protocols/PROTOCOLS.md', () => {
  it('documents every registered behavior with its template and protocol id or topic', async () => {
    const rt = new MockRuntime()
    await rt.install(new StashService())
    await rt.install(new PresenceService())
    for (const behavior of rt.behaviors()) {
      const row = rows.get(behavior.kind)
      expect(row, `${behavior.kind} is missing from protocols/PROTOCOLS.md`).toBeDefined()
      expect(row?.template, behavior.kind).toBe(TEMPLATE_NAMES[behavior.template])
      const routes = behavior.template === 'local'
        ? ['—']
        : behavior.template === 'broadcast' ? [behavior.route()] : behavior.versionsNewestFirst().map(v => behavior.route(v))
      for (const route of routes) expect(row?.route, behavior.kind).toContain(route)
    }
  })

  it('lists no kind that nothing registers', async () => {
    const rt = new MockRuntime()
    await rt.install(new StashService())
    await rt.install(new PresenceService())
    const registered = new Set(rt.behaviors().map(b => b.kind))
    expect([...rows.keys()].filter(kind => !registered.has(kind))).toEqual([])
  })
})
