import { describe, expect, it } from 'vitest'
import { MockRuntime, broadcast, local, meshRequest } from '../../../src/index.js'
import { TextCodec } from '../../helpers/text-codec.js'

describe('behaviors', () => {
  it('map mesh kinds to versioned stream protocols and broadcasts to topics', () => {
    const mesh = meshRequest('stash:store', 'Store').withPayload(TextCodec).withPayload(TextCodec, 2)
    expect(mesh.route(1)).toBe('/nara/stash/store/1')
    expect(mesh.versionsNewestFirst()).toEqual([2, 1])
    expect(broadcast('stash:refresh', 'Refresh').withPayload(TextCodec).route()).toBe('/nara/stash/refresh')
  })

  it('refuse kind names that break the svc:op convention', () => {
    for (const bad of ['store', 'Stash:store', 'stash:', ':store', 'stash:store:1', 'stash store']) {
      expect(() => meshRequest(bad, 'x'), bad).toThrow(expect.objectContaining({ name: 'BehaviorDefinitionError' }))
    }
  })

  it('need a payload before a handler, and no handler for local kinds', () => {
    expect(() => meshRequest('a:b', 'x').withHandler(1, () => {})).toThrow(/withPayload/)
    expect(() => local('a:b', 'x').withPayload(TextCodec).withHandler(1, () => {})).toThrow(/subscribers/)
    expect(() => meshRequest('a:b', 'x').withPayload(TextCodec).withPayload(TextCodec)).toThrow(/twice/)
  })

  it('registering a kind twice is a clear error', () => {
    const rt = new MockRuntime()
    rt.register(meshRequest('echo:say', 'Say').withPayload(TextCodec))
    expect(() => { rt.register(meshRequest('echo:say', 'Say again').withPayload(TextCodec)) })
      .toThrow(expect.objectContaining({ name: 'DuplicateKindError', message: expect.stringContaining('echo:say') }))
  })

  it('registering a behavior without a payload is a clear error', () => {
    const rt = new MockRuntime()
    expect(() => { rt.register(meshRequest('echo:say', 'Say')) }).toThrow(/withPayload/)
  })

  it('emitting or calling an unregistered kind is a clear error', async () => {
    const rt = new MockRuntime()
    await expect(rt.emit({ kind: 'nope:never', payload: {} })).rejects.toMatchObject({ name: 'UnknownKindError' })
    await expect(rt.call({ kind: 'nope:never', to: 'x', payload: {} })).rejects.toMatchObject({ name: 'UnknownKindError' })
  })

  it('emitting an invalid payload fails before anything is sent', async () => {
    const rt = new MockRuntime()
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec))
    await expect(rt.emit({ kind: 'echo:shout', payload: { text: '' } })).rejects.toMatchObject({ name: 'InvalidPayloadError' })
    expect(rt.emitted).toHaveLength(0)
  })

  it('a mesh emit needs a recipient and a broadcast must not have one', async () => {
    const rt = new MockRuntime()
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec))
    rt.register(meshRequest('echo:say', 'Say').withPayload(TextCodec))
    await expect(rt.emit({ kind: 'echo:say', payload: { text: 'hi' } })).rejects.toThrow(/recipient/)
    await expect(rt.emit({ kind: 'echo:shout', to: 'someone', payload: { text: 'hi' } })).rejects.toThrow(/no single recipient/)
  })
})
