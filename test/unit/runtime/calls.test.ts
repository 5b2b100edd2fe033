import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryNetwork, MockRuntime, Refusal, meshRequest, type Message, type Runtime } from '../../../src/index.js'
import { TextCodec, type Text } from '../../helpers/text-codec.js'
import { waitFor } from '../../helpers/wait.js'

/** Registers `echo:say` (replied to with `echo:said`) with the given handler on a runtime. */
function echo (rt: Runtime, handler: (msg: Message<Text>, p: Text) => Promise<void> | void): void {
  rt.register(meshRequest('echo:say', 'Say something').withPayload(TextCodec).withHandler(1, handler).withRateLimit(1, 2).repliesWith('echo:said'))
  rt.register(meshRequest('echo:said', 'Said').withPayload(TextCodec))
}

const started: MockRuntime[] = []
async function pair (handler: (rt: Runtime) => (msg: Message<Text>, p: Text) => Promise<void> | void): Promise<{ caller: MockRuntime, callee: MockRuntime }> {
  const network = new MemoryNetwork()
  const caller = new MockRuntime({ name: 'caller', network })
  const callee = new MockRuntime({ name: 'callee', network })
  echo(caller, () => {})
  echo(callee, handler(callee))
  await caller.start()
  await callee.start()
  started.push(caller, callee)
  return { caller, callee }
}

afterEach(async () => {
  for (const rt of started.splice(0)) await rt.stop()
})

describe('call', () => {
  it('resolves with the reply whose inReplyTo matches the request', async () => {
    const { caller, callee } = await pair((rt) => async (msg, p) => {
      await rt.emit({ kind: 'echo:said', to: msg.fromId, inReplyTo: msg.id, payload: { text: p.text.toUpperCase() } })
    })
    const reply = await caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'hello' } })
    expect(reply.kind).toBe('echo:said')
    expect(reply.payload).toEqual({ text: 'HELLO' })
    expect(reply.fromId).toBe(callee.me().id)
    // The reply can settle the call before the request's emit pipeline has finished recording it.
    const request = await waitFor(() => caller.emittedOf('echo:say')[0], 'the request to be recorded')
    expect(reply.inReplyTo).toBe(request.id)
    expect(caller.stats().pendingCalls).toBe(0)
  })

  it('rejects with a TimeoutError when its timeout passes, and leaves no pending call behind', async () => {
    const reached = Promise.withResolvers<void>()
    const reply = Promise.withResolvers<void>()
    const { caller, callee } = await pair(() => async () => { reached.resolve(); await reply.promise })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const outcome = caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'hello?' } }, { timeoutMs: 50 })
        .then(() => 'replied', (err: Error) => err)
      await reached.promise
      vi.advanceTimersByTime(49)
      expect(caller.stats().pendingCalls).toBe(1)
      vi.advanceTimersByTime(1)
      expect(caller.stats().pendingCalls).toBe(0)
      expect(await outcome).toMatchObject({ name: 'TimeoutError' })
    } finally {
      vi.useRealTimers()
      reply.resolve()
    }
  })

  it('rejects with the reason a handler refused with', async () => {
    const { caller, callee } = await pair(() => () => { throw new Refusal('not-allowed', 'you may not say that') })
    await expect(caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'rude' } }))
      .rejects.toMatchObject({ name: 'RefusedError', code: 'not-allowed', message: expect.stringContaining('you may not say that') })
  })

  it('hides internal errors from the caller but still refuses', async () => {
    const { caller, callee } = await pair(() => () => { throw new Error('secret stack detail') })
    const err = await caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'x' } }).catch((e: Error) => e)
    expect(err).toMatchObject({ name: 'RefusedError', code: 'handler-failed' })
    expect((err as Error).message).not.toContain('secret')
    expect(callee.logs.some(l => l.level === 'error' && l.fields.err === 'secret stack detail')).toBe(true)
  })

  it('tells a rate-limited caller so with a RateLimitedError', async () => {
    const { caller, callee } = await pair((rt) => async (msg, p) => {
      await rt.emit({ kind: 'echo:said', to: msg.fromId, inReplyTo: msg.id, payload: p })
    })
    const results = await Promise.allSettled([1, 2, 3].map(async (i) => await caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: `${i}` } })))
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(2)
    const rejected = results.find(r => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toMatchObject({ name: 'RateLimitedError', code: 'rate-limited' })
  })

  it('only the callee, answering with the declared reply kind, settles a call', async () => {
    const network = new MemoryNetwork()
    const caller = new MockRuntime({ name: 'caller', network })
    const callee = new MockRuntime({ name: 'callee', network })
    const other = new MockRuntime({ name: 'other', network })
    let request: Message | undefined
    let answer!: (kind: string) => void
    const answered = new Promise<string>(resolve => { answer = resolve })
    for (const rt of [caller, callee, other]) {
      rt.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).repliesWith('echo:said').withHandler(1, async (msg) => {
        request = msg
        await rt.emit({ kind: await answered, to: msg.fromId, inReplyTo: msg.id, payload: { text: 'the answer' } })
      }))
      rt.register(meshRequest('echo:said', 'Said').withPayload(TextCodec))
      rt.register(meshRequest('echo:other', 'Other').withPayload(TextCodec))
      await rt.start()
      started.push(rt)
    }

    const pending = caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'hi' } })
    const { id } = await waitFor(() => request, 'the request to reach the callee')
    // Another nara answers first, on a stream of its own: the call keeps waiting.
    await other.emit({ kind: 'echo:said', to: caller.me().id, inReplyTo: id, payload: { text: 'not me' } })
    expect(caller.drops.get('unhandled')).toBe(1)
    answer('echo:said')
    expect((await pending).payload).toEqual({ text: 'the answer' })
  })

  it('a reply of the wrong kind fails the call at once instead of settling it', async () => {
    const { caller, callee } = await pair((rt) => async (msg) => {
      await rt.emit({ kind: 'echo:other', to: msg.fromId, inReplyTo: msg.id, payload: { text: 'wrong kind' } })
    })
    for (const rt of [caller, callee]) rt.register(meshRequest('echo:other', 'Other').withPayload(TextCodec))
    await expect(caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'x' } }, { timeoutMs: 5_000 }))
      .rejects.toMatchObject({ name: 'RefusedError', code: 'bad-reply' })
  })

  it('a reply speaks the request\'s version, so an older caller can read it', async () => {
    const network = new MemoryNetwork()
    const old = new MockRuntime({ name: 'old', network })
    const upgraded = new MockRuntime({ name: 'upgraded', network })
    old.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).repliesWith('echo:said'))
    old.register(meshRequest('echo:said', 'Said').withPayload(TextCodec))
    upgraded.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).withHandler(1, async (msg) => {
      await upgraded.emit({ kind: 'echo:said', to: msg.fromId, inReplyTo: msg.id, payload: { text: 'hello old friend' } })
    }).repliesWith('echo:said'))
    upgraded.register(meshRequest('echo:said', 'Said').withPayload(TextCodec).withPayload(TextCodec, 2))
    for (const rt of [old, upgraded]) { await rt.start(); started.push(rt) }
    const reply = await old.call({ kind: 'echo:say', to: upgraded.me().id, payload: { text: 'hi' } })
    expect(reply.version).toBe(1)
    expect(reply.payload).toEqual({ text: 'hello old friend' })
  })

  it('says a nara is unreachable when its key is unknown', async () => {
    const { caller } = await pair(() => () => {})
    await expect(caller.call({ kind: 'echo:say', to: 'nobody-we-know', payload: { text: 'x' } }))
      .rejects.toMatchObject({ name: 'UnreachableError' })
    expect(caller.stats().pendingCalls).toBe(0)
  })

  it('a callee that closes without replying is reported, not left to time out', async () => {
    const { caller, callee } = await pair(() => () => {})
    await expect(caller.call({ kind: 'echo:say', to: callee.me().id, payload: { text: 'x' } }, { timeoutMs: 5_000 }))
      .rejects.toMatchObject({ name: 'RefusedError', code: 'no-reply' })
  })
})
