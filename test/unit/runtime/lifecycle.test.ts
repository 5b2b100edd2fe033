import { describe, expect, it } from 'vitest'
import { Identity, MemoryNetwork, MockRuntime, broadcast, local, type Runtime, type Service } from '../../../src/index.js'
import { TextCodec } from '../../helpers/text-codec.js'

class Recorder implements Service {
  constructor (readonly name: string, private readonly events: string[]) {}
  init (rt: Runtime): void {
    this.events.push(`init ${this.name}`)
    rt.log(this.name).info('hello from init')
  }

  async start (): Promise<void> { this.events.push(`start ${this.name}`) }
  async stop (): Promise<void> { this.events.push(`stop ${this.name}`) }
}

describe('service lifecycle', () => {
  it('inits on install, starts in order, stops in reverse order, once', async () => {
    const events: string[] = []
    const rt = new MockRuntime()
    await rt.install(new Recorder('first', events))
    await rt.install(new Recorder('second', events))
    await rt.start()
    await rt.stop()
    await rt.stop()
    expect(events).toEqual(['init first', 'init second', 'start first', 'start second', 'stop second', 'stop first'])
  })

  it('refuses inbound messages once stopped, and concurrent stops share one shutdown', async () => {
    const rt = new MockRuntime()
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec).withHandler(1, () => {}))
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    rt.trust(alice)
    let serviceStops = 0
    await rt.install({ name: 'counted', init: () => {}, stop: async () => { serviceStops++ } })
    await rt.start()
    const shutdownDone = (): boolean => rt.logs.some(l => l.msg === 'runtime stopped')
    // each stop resolves only once the one shutdown has run to its end, the second caller's too
    const finishedWhenResolved = await Promise.all([rt.stop(), rt.stop()].map(async stop => { await stop; return shutdownDone() }))
    expect(finishedWhenResolved).toEqual([true, true])
    expect(serviceStops).toBe(1)
    expect(rt.logs.filter(l => l.msg === 'runtime stopped')).toHaveLength(1)
    expect(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'late' } })))
      .toMatchObject({ accepted: false, reason: { code: 'not-running' } })
  })

  it('a service that fails to start stops the ones that did, and start rejects', async () => {
    const events: string[] = []
    const rt = new MockRuntime()
    await rt.install(new Recorder('fine', events))
    await rt.install({ name: 'broken', init: () => {}, start: async () => { throw new Error('cannot start') } })
    await expect(rt.start()).rejects.toThrow('cannot start')
    expect(events).toContain('stop fine')
    expect(rt.running).toBe(false)
  })

  it('tags every service log line with the service and the nara', async () => {
    const rt = new MockRuntime({ name: 'logger-test' })
    await rt.install(new Recorder('stash', []))
    const line = rt.logs.find(l => l.msg === 'hello from init')
    expect(line?.fields).toMatchObject({ service: 'stash', nara: 'logger-test', naraId: rt.me().id })
  })
})

describe('local bus', () => {
  it('delivers a local kind to every subscriber and never to the network', async () => {
    const network = new MemoryNetwork()
    const rt = new MockRuntime({ name: 'here', network })
    const other = new MockRuntime({ name: 'there', network })
    for (const r of [rt, other]) r.register(local('app:ready', 'Ready').withPayload(TextCodec))
    const got: string[] = []
    rt.on('app:ready', (m) => { got.push(`a:${(m.payload as { text: string }).text}`) })
    rt.on('app:ready', (m) => { got.push(`b:${(m.payload as { text: string }).text}`) })
    let leaked = false
    other.on('app:ready', () => { leaked = true })
    await rt.start()
    await other.start()
    await rt.emit({ kind: 'app:ready', payload: { text: 'go' } })
    expect(got).toEqual(['a:go', 'b:go'])
    expect(leaked).toBe(false)
    expect(other.stats().received).toBe(0)
    await rt.stop()
    await other.stop()
  })

  it('one failing subscriber does not stop the others', async () => {
    const rt = new MockRuntime()
    rt.register(local('app:ready', 'Ready').withPayload(TextCodec))
    let reached = false
    rt.on('app:ready', () => { throw new Error('boom') })
    rt.on('app:ready', () => { reached = true })
    await rt.emit({ kind: 'app:ready', payload: { text: 'go' } })
    expect(reached).toBe(true)
    expect(rt.logs.some(l => l.level === 'error' && l.fields.err === 'boom')).toBe(true)
  })

  it('unsubscribing stops delivery', async () => {
    const rt = new MockRuntime()
    rt.register(local('app:ready', 'Ready').withPayload(TextCodec))
    let count = 0
    const off = rt.on('app:ready', () => { count++ })
    await rt.emit({ kind: 'app:ready', payload: { text: '1' } })
    off()
    await rt.emit({ kind: 'app:ready', payload: { text: '2' } })
    expect(count).toBe(1)
  })
})
