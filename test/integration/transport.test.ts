import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import type { PrivateKey, Stream } from '@libp2p/interface'
import { Identity } from '../../src/identity/index.js'
import { NaraRuntime, broadcast, meshRequest, protobufPayload, type Message, type Runtime } from '../../src/runtime/index.js'
import { Envelope, signedBytes } from '../../src/runtime/message.js'
import { Libp2pTransport, encodeVarint, hostFromLibp2p, naraLibp2pOptions, type Libp2pTransportOptions, type NaraServices } from '../../src/transport/index.js'
import { Refusal } from '../../protocols/runtime.js'
import { waitFor } from '../helpers/wait.js'

/** A small protobuf payload for test kinds: `code` is the text, `reason` a note. */
const Note = protobufPayload('Refusal', Refusal, (p) => p.code === '' ? 'a note needs a code' : undefined)
type NoteP = ReturnType<typeof Note.decode>

interface TestNara {
  identity: Identity
  node: Libp2p<NaraServices>
  runtime: NaraRuntime
  transport: Libp2pTransport
  /** protocols this node's transport dialed, in order */
  dials: string[][]
}

const running: TestNara[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (n) => {
    await n.runtime.stop()
    await n.node.stop()
  }))
})

/** A nara runtime over a real libp2p node on 127.0.0.1 TCP; `setup` registers its behaviors. */
async function startNara (name: string, setup: (rt: Runtime) => void, options: Libp2pTransportOptions = {}): Promise<TestNara> {
  const identity = Identity.create({ name, machineId: 'test' })
  const node = await createLibp2p(naraLibp2pOptions({ privateKey: identity.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] }))
  const host = hostFromLibp2p(node)
  const dials: string[][] = []
  const transport = new Libp2pTransport({
    ...host,
    dialProtocol: async (peer, protocols, opts) => {
      dials.push(protocols)
      return await host.dialProtocol(peer, protocols, opts)
    }
  }, options)
  const runtime = new NaraRuntime({ identity, transport, env: 'test' })
  setup(runtime)
  await runtime.start()
  const nara = { identity, node, runtime, transport, dials }
  running.push(nara)
  return nara
}

/** Connects two naras and lets each know the other's key (what presence would do). */
async function link (a: TestNara, b: TestNara): Promise<void> {
  await a.node.dial(b.node.getMultiaddrs()[0])
  a.runtime.keyring.remember(b.identity.toKnown())
  b.runtime.keyring.remember(a.identity.toKnown())
}

/** `test:echo` answered by `test:echoed`; `handle` decides what the callee does. */
function echo (handle?: (rt: Runtime, msg: Message<NoteP>, p: NoteP) => Promise<void>): (rt: Runtime) => void {
  return (rt) => {
    const request = meshRequest('test:echo', 'Echo').withPayload(Note).repliesWith('test:echoed')
    if (handle !== undefined) request.withHandler(1, async (msg, p) => { await handle(rt, msg, p) })
    rt.register(request)
    rt.register(meshRequest('test:echoed', 'Echoed').withPayload(Note))
  }
}

const reply = async (rt: Runtime, msg: Message<NoteP>, p: NoteP): Promise<void> => {
  await rt.emit({ kind: 'test:echoed', to: msg.fromId, inReplyTo: msg.id, payload: { code: p.code.toUpperCase(), reason: `v${msg.version}` } })
}

describe('Libp2pTransport: mesh requests', () => {
  it('a call gets its reply on the request\'s own stream', async () => {
    const callee = await startNara('callee', echo(reply))
    const caller = await startNara('caller', echo())
    await link(caller, callee)

    const answer = await caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: 'hello', reason: '' } })
    expect(answer.kind).toBe('test:echoed')
    expect(answer.fromId).toBe(callee.identity.id)
    expect(answer.payload).toEqual({ code: 'HELLO', reason: 'v1' })
    // The callee never opened a stream of its own: the reply rode the caller's.
    expect(callee.dials).toEqual([])
    expect(caller.dials).toEqual([['/nara/test/echo/1']])
  })

  it('settles the newest version both sides serve', async () => {
    const seen: number[] = []
    const twoVersions = (handlers: boolean, versions: number[]) => (rt: Runtime) => {
      const greet = meshRequest('test:greet', 'Greet')
      for (const v of versions) greet.withPayload(Note, v)
      if (handlers) {
        for (const v of versions) {
          greet.withHandler(v, async (msg: Message<unknown>, p: unknown) => {
            seen.push(msg.version)
            await reply(rt, msg as Message<NoteP>, p as NoteP)
          })
        }
      }
      rt.register(greet)
      rt.register(meshRequest('test:echoed', 'Echoed').withPayload(Note))
    }
    const old = await startNara('old-callee', twoVersions(true, [1]))
    const current = await startNara('new-callee', twoVersions(true, [1, 2]))
    const caller = await startNara('caller', twoVersions(false, [1, 2]))
    await link(caller, old)
    await link(caller, current)

    const fromOld = await caller.runtime.call({ kind: 'test:greet', to: old.identity.id, payload: { code: 'hi', reason: '' } })
    expect(fromOld.payload).toEqual({ code: 'HI', reason: 'v1' })
    const fromCurrent = await caller.runtime.call({ kind: 'test:greet', to: current.identity.id, payload: { code: 'hi', reason: '' } })
    expect(fromCurrent.payload).toEqual({ code: 'HI', reason: 'v2' })
    expect(seen).toEqual([1, 2])
    expect(caller.dials[0]).toEqual(['/nara/test/greet/2', '/nara/test/greet/1'])
    // Each settled version keeps its stream: more calls to either peer dial nothing new.
    expect((await caller.runtime.call({ kind: 'test:greet', to: old.identity.id, payload: { code: 'again', reason: '' } })).payload).toEqual({ code: 'AGAIN', reason: 'v1' })
    expect((await caller.runtime.call({ kind: 'test:greet', to: current.identity.id, payload: { code: 'again', reason: '' } })).payload).toEqual({ code: 'AGAIN', reason: 'v2' })
    expect(seen).toEqual([1, 2, 1, 2])
    expect(caller.dials).toHaveLength(2)
  })

  it('rejects with UnreachableError for a nara nobody can find', async () => {
    const callee = await startNara('callee', echo(reply))
    const caller = await startNara('caller', echo())
    const stranger = Identity.create({ name: 'stranger', machineId: 'test' })
    caller.runtime.keyring.remember(stranger.toKnown())
    const callStranger = async (): Promise<Message> =>
      await caller.runtime.call({ kind: 'test:echo', to: stranger.id, payload: { code: 'hi', reason: '' } }, { timeoutMs: 4_000 })

    // The dial's own answer, not the call's deadline running out ("no stream within 4000 ms").
    const becauseNoAddress = { name: 'UnreachableError', message: expect.stringMatching(/^cannot reach \S+: The dial request has no valid addresses/) }
    // Alone: no address and no DHT peer to ask.
    await expect(callStranger()).rejects.toMatchObject(becauseNoAddress)
    // In a swarm: the DHT is asked and does not know it either.
    await link(caller, callee)
    await expect(callStranger()).rejects.toMatchObject(becauseNoAddress)
  })

  it('finds a restarted nara at its new address through the DHT', async () => {
    const caller = await startNara('caller', echo())
    const relay = await startNara('relay', echo())
    await link(caller, relay)
    const before = await startNara('bob', echo(reply))
    await link(caller, before)
    // bob restarts elsewhere: same key, new port; the caller only knows the old address.
    running.splice(running.indexOf(before), 1)
    await before.runtime.stop()
    await before.node.stop()
    await waitFor(() => caller.node.getConnections(before.node.peerId).length === 0, 'the caller to notice bob left')
    const after = await startNara('bob', echo(reply))
    expect(after.node.peerId.equals(before.node.peerId)).toBe(true)
    await after.node.dial(relay.node.getMultiaddrs()[0])

    const answer = await caller.runtime.call({ kind: 'test:echo', to: after.identity.id, payload: { code: 'back', reason: '' } })
    expect(answer.payload).toEqual({ code: 'BACK', reason: 'v1' })
  })

  it('rejects with TimeoutError when the callee never replies, and no-reply when it closes', async () => {
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const callee = await startNara('callee', echo(async (_rt, _msg, p) => {
      if (p.code === 'wait') await gate
    }))
    const caller = await startNara('caller', echo())
    await link(caller, callee)
    try {
      await expect(caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: 'wait', reason: '' } }, { timeoutMs: 300 }))
        .rejects.toMatchObject({ name: 'TimeoutError' })
      await expect(caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: 'quiet', reason: '' } }))
        .rejects.toMatchObject({ name: 'RefusedError', code: 'no-reply' })
    } finally {
      release()
    }
  })

  it('keeps at most the per-peer limit of requests in flight and still serves them all', async () => {
    let inFlight = 0
    let peak = 0
    const callee = await startNara('callee', echo(async (rt, msg, p) => {
      peak = Math.max(peak, ++inFlight)
      await new Promise(resolve => setTimeout(resolve, 20))
      inFlight--
      await reply(rt, msg, p)
    }))
    const caller = await startNara('caller', echo(), { maxConcurrentRequestsPerPeer: 4 })
    await link(caller, callee)
    const calls = Array.from({ length: 20 }, async (_, i) =>
      await caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: `n${i}`, reason: '' } }))
    const answers = await Promise.all(calls)
    expect(answers.map(a => (a.payload as NoteP).code)).toEqual(Array.from({ length: 20 }, (_, i) => `N${i}`))
    expect(peak).toBeLessThanOrEqual(4)
  })
})

describe('Libp2pTransport: reused request streams', () => {
  /** test:echo as in `echo`, plus test:greet on a stream of its own; both handlers wait for `gate` when asked to. */
  const gated = (gate: () => Promise<void>, running: { n: number }) => (rt: Runtime): void => {
    const handle = async (msg: Message<NoteP>, p: NoteP): Promise<void> => {
      running.n++
      if (p.reason === 'wait') await gate()
      await reply(rt, msg, p)
    }
    rt.register(meshRequest('test:echo', 'Echo').withPayload(Note).withHandler(1, handle).repliesWith('test:echoed'))
    rt.register(meshRequest('test:greet', 'Greet').withPayload(Note).withHandler(1, handle).repliesWith('test:echoed'))
    rt.register(meshRequest('test:echoed', 'Echoed').withPayload(Note))
  }

  it('many concurrent calls share one stream and each gets its own reply', async () => {
    const callee = await startNara('callee', echo(async (rt, msg, p) => {
      // later requests finish first, so replies come back out of order
      await new Promise(resolve => setTimeout(resolve, 40 - Number(p.code.slice(1))))
      await reply(rt, msg, p)
    }))
    const caller = await startNara('caller', echo())
    await link(caller, callee)
    const answers = await Promise.all(Array.from({ length: 40 }, async (_, i) =>
      await caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: `n${i}`, reason: '' } })))
    expect(answers.map(a => (a.payload as NoteP).code)).toEqual(Array.from({ length: 40 }, (_, i) => `N${i}`))
    expect(caller.dials).toEqual([['/nara/test/echo/1']])
    expect(caller.transport.openRequestStreams).toBe(1)
    expect(caller.runtime.stats().drops).toEqual({})
  })

  it('a stream killed mid-call fails exactly the calls on it; the next call opens a fresh one', async () => {
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    const running = { n: 0 }
    const callee = await startNara('callee', gated(async () => { await gate }, running))
    const caller = await startNara('caller', gated(async () => {}, { n: 0 }))
    await link(caller, callee)
    const ask = async (kind: string, code: string, reason = 'wait'): Promise<Message> =>
      await caller.runtime.call({ kind, to: callee.identity.id, payload: { code, reason } })
    const echoes = [ask('test:echo', 'a'), ask('test:echo', 'b'), ask('test:echo', 'c')].map(async p => await p.then(() => 'resolved', (err: Error) => err.name))
    const greeting = ask('test:greet', 'hi')
    await waitFor(() => running.n === 4, 'all four requests to reach their handlers')

    const echoStream = callee.node.getConnections(caller.node.peerId).flatMap(c => c.streams).find(s => s.protocol === '/nara/test/echo/1')
    expect(echoStream).toBeDefined()
    echoStream?.abort(new Error('killed by the test'))
    expect(await Promise.all(echoes)).toEqual(['UnreachableError', 'UnreachableError', 'UnreachableError'])

    release()
    expect((await greeting).payload).toEqual({ code: 'HI', reason: 'v1' })
    expect((await ask('test:echo', 'again', '')).payload).toEqual({ code: 'AGAIN', reason: 'v1' })
    expect(caller.dials.map(d => d[0])).toEqual(['/nara/test/echo/1', '/nara/test/greet/1', '/nara/test/echo/1'])
  })

  it('closes a stream that has been idle, and opens a new one for the next call', async () => {
    const callee = await startNara('callee', echo(reply))
    const caller = await startNara('caller', echo(), { idleStreamMs: 150 })
    await link(caller, callee)
    const streamsOnCallee = (): number => callee.node.getConnections(caller.node.peerId).flatMap(c => c.streams).filter(s => s.protocol === '/nara/test/echo/1').length

    await caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: 'one', reason: '' } })
    expect(caller.transport.openRequestStreams).toBe(1)
    await waitFor(() => caller.transport.openRequestStreams === 0 && streamsOnCallee() === 0, 'the idle stream to close at both ends')
    const answer = await caller.runtime.call({ kind: 'test:echo', to: callee.identity.id, payload: { code: 'two', reason: '' } })
    expect(answer.payload).toEqual({ code: 'TWO', reason: 'v1' })
    expect(caller.dials).toHaveLength(2)
  })
})

describe('Libp2pTransport: broadcasts', () => {
  const news = (got?: string[]) => (rt: Runtime) => {
    const b = broadcast('test:news', 'News').withPayload(Note)
    if (got !== undefined) b.withHandler(1, (msg, p) => { got.push(`${msg.fromId}:${p.code}`) })
    rt.register(b)
  }

  it('holds a broadcast made before anyone subscribed and delivers it once a peer appears', async () => {
    const early = await startNara('early', news())
    await early.runtime.emit({ kind: 'test:news', payload: { code: 'booted', reason: '' } })
    expect(early.transport.heldBroadcasts).toBe(1)

    const got: string[] = []
    const late = await startNara('late', news(got))
    await link(late, early)
    await waitFor(() => got.length > 0, 'the held broadcast to arrive', 5_000)
    expect(got).toEqual([`${early.identity.id}:booted`])
    await waitFor(() => early.transport.heldBroadcasts === 0, 'the held broadcast to be released')
  })

  it('holds only the newest announcement of a retained kind, and every broadcast of other kinds', async () => {
    const kinds = (got?: string[]) => (rt: Runtime) => {
      news(got)(rt)
      const state = broadcast('test:state', 'State').withPayload(Note).retained()
      if (got !== undefined) state.withHandler(1, (msg, p) => { got.push(`state:${p.code}`) })
      rt.register(state)
    }
    const early = await startNara('alone-a-while', kinds())
    for (const code of ['one', 'two', 'three']) await early.runtime.emit({ kind: 'test:state', payload: { code, reason: '' } })
    for (const code of ['a', 'b']) await early.runtime.emit({ kind: 'test:news', payload: { code, reason: '' } })
    expect(early.transport.heldBroadcasts).toBe(3)

    const got: string[] = []
    const late = await startNara('joins-later', kinds(got))
    await link(late, early)
    await waitFor(() => early.transport.heldBroadcasts === 0, 'the held broadcasts to be released', 5_000)
    // published after the held ones on the same gossip stream, so it arrives after them
    await early.runtime.emit({ kind: 'test:news', payload: { code: 'last', reason: '' } })
    await waitFor(() => got.some(g => g.endsWith(':last')), 'the last broadcast to arrive', 5_000)
    const id = early.identity.id
    expect(got.sort()).toEqual([`${id}:a`, `${id}:b`, `${id}:last`, 'state:three'].sort())
  })

  it('delivers a broadcast to every subscribed peer with the author key authenticated', async () => {
    const got: string[] = []
    const a = await startNara('bcast-a', news())
    const b = await startNara('bcast-b', news(got))
    const c = await startNara('bcast-c', news(got))
    await link(a, b)
    await link(a, c)
    await waitFor(() => a.node.services.pubsub.getSubscribers('/nara/test/news').length === 2, 'both peers to subscribe')
    await a.runtime.emit({ kind: 'test:news', payload: { code: 'hello', reason: '' } })
    await waitFor(() => got.length === 2, 'both peers to get the broadcast')
    expect(got).toEqual([`${a.identity.id}:hello`, `${a.identity.id}:hello`])
    expect(a.transport.heldBroadcasts).toBe(0)
  })
})

describe('Libp2pTransport: adversarial peers', () => {
  const toStop: Array<Libp2p<{ identify: Identify, pubsub: GossipSub }>> = []
  afterEach(async () => { await Promise.all(toStop.splice(0).map(async (n) => { await n.stop() })) })

  /** A plain libp2p node (no nara runtime) that speaks nara's protocols by hand. */
  async function plainNode (privateKey: PrivateKey): Promise<Libp2p<{ identify: Identify, pubsub: GossipSub }>> {
    const node = await createLibp2p({
      privateKey,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
    })
    toStop.push(node)
    return node
  }

  /** An envelope correctly signed by `signer`. */
  async function signedBy (signer: Identity, kind: string, toId: string, fields: { id?: string, inReplyTo?: string, note?: NoteP } = {}): Promise<Uint8Array> {
    const envelope: Envelope = {
      id: fields.id ?? `m-${Math.random().toString(36).slice(2)}`,
      kind,
      version: 1,
      fromId: signer.id,
      fromName: signer.name,
      toId,
      timestamp: Date.now(),
      inReplyTo: fields.inReplyTo ?? '',
      payload: Note.encode(fields.note ?? { code: 'gimme', reason: '' }) as Uint8Array<ArrayBuffer>,
      signature: new Uint8Array(0)
    }
    envelope.signature = await signer.sign(signedBytes(envelope)) as Uint8Array<ArrayBuffer>
    return Envelope.encode(envelope)
  }

  /** A correctly signed envelope from `victim` (say, captured earlier) replayed by someone else. */
  const victimsEnvelope = async (victim: Identity, kind: string, toId: string): Promise<Uint8Array> => await signedBy(victim, kind, toId)

  const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap(p => [...p]))

  it('drops garbage, oversize, truncated, slow and impersonating requests, and stays up', async () => {
    let handled = 0
    const target = await startNara('target', echo(async (rt, msg, p) => { handled++; await reply(rt, msg, p) }), { readTimeoutMs: 300 })
    const alice = await startNara('alice', echo())
    await link(alice, target)
    const mallory = await plainNode(Identity.create({ name: 'mallory', machineId: 'test' }).privateKey)
    await mallory.dial(target.node.getMultiaddrs()[0])
    const open = async (): Promise<Stream> => await mallory.dialProtocol(target.node.peerId, '/nara/test/echo/1')
    const dropped = async (code: string, n = 1): Promise<void> => {
      await waitFor(() => target.runtime.drops.get(code) === n, `a ${code} drop`)
    }

    const badPrefix = await open()
    badPrefix.send(new Uint8Array(8).fill(0xff))
    await dropped('bad-frame')

    const oversize = await open()
    oversize.send(concat(encodeVarint(1_000_000), new Uint8Array(64)))
    await dropped('oversize-frame')

    const truncated = await open()
    truncated.send(concat(encodeVarint(100), new Uint8Array(10)))
    await truncated.close()
    await dropped('truncated-frame')

    const garbage = await open()
    await lpStream(garbage).write(new TextEncoder().encode('this is not an envelope'))
    await garbage.close()
    await dropped('malformed-envelope')

    await open() // says nothing at all
    await dropped('read-timeout')

    const forged = await open()
    const lp = lpStream(forged)
    await lp.write(await victimsEnvelope(alice.identity, 'test:echo', target.identity.id))
    const refusal = Envelope.decode((await lp.read()).subarray())
    expect(refusal.kind).toBe('runtime:refused')
    expect(Note.decode(refusal.payload).code).toBe('impersonation')
    await dropped('impersonation')

    expect(handled).toBe(0)
    // Still serving honest peers.
    const answer = await alice.runtime.call({ kind: 'test:echo', to: target.identity.id, payload: { code: 'ok', reason: '' } })
    expect(answer.payload).toEqual({ code: 'OK', reason: 'v1' })
    expect(handled).toBe(1)
  })

  it('a reused stream survives garbage between good requests, and a garbage prefix ends it', async () => {
    let handled = 0
    const target = await startNara('target', echo(async (rt, msg, p) => { handled++; await reply(rt, msg, p) }))
    const malloryId = Identity.create({ name: 'mallory', machineId: 'test' })
    const mallory = await plainNode(malloryId.privateKey)
    await mallory.dial(target.node.getMultiaddrs()[0])
    const stream = await mallory.dialProtocol(target.node.peerId, '/nara/test/echo/1')
    const lp = lpStream(stream)
    await lp.write(await signedBy(malloryId, 'test:echo', target.identity.id, { note: { code: 'one', reason: '' } }))
    await lp.write(new TextEncoder().encode('this is not an envelope'))
    await lp.write(await signedBy(malloryId, 'test:echo', target.identity.id, { note: { code: 'two', reason: '' } }))
    const replies = [Envelope.decode((await lp.read()).subarray()), Envelope.decode((await lp.read()).subarray())]
    expect(replies.map(r => Note.decode(r.payload).code).sort()).toEqual(['ONE', 'TWO'])
    expect(target.runtime.drops.get('malformed-envelope')).toBe(1)
    expect(handled).toBe(2)

    stream.send(new Uint8Array(8).fill(0xff))
    await waitFor(() => target.runtime.drops.get('bad-frame') === 1, 'a bad-frame drop')
    await waitFor(() => stream.status !== 'open', 'the stream to be aborted')
  })

  it('drops and counts a reply to a request nobody sent; the real reply still settles the call', async () => {
    const fakeId = Identity.create({ name: 'fake-callee', machineId: 'test' })
    const fake = await plainNode(fakeId.privateKey)
    await fake.handle('/nara/test/echo/1', async (stream) => {
      const lp = lpStream(stream)
      const request = Envelope.decode((await lp.read()).subarray())
      await lp.write(await signedBy(fakeId, 'test:echoed', request.fromId, { inReplyTo: 'nobody-asked', note: { code: 'stray', reason: '' } }))
      await lp.write(await signedBy(fakeId, 'test:echoed', request.fromId, { inReplyTo: request.id, note: { code: 'real', reason: '' } }))
    })
    const caller = await startNara('caller', echo())
    await caller.node.dial(fake.getMultiaddrs()[0])
    caller.runtime.keyring.remember(fakeId.toKnown())
    const answer = await caller.runtime.call({ kind: 'test:echo', to: fakeId.id, payload: { code: 'hi', reason: '' } })
    expect(answer.payload).toEqual({ code: 'real', reason: '' })
    expect(caller.runtime.drops.get('unknown-reply')).toBe(1)
  })

  it('gives up a stream whose sender never reads its replies, and keeps serving others', async () => {
    const big = 'x'.repeat(60_000)
    const target = await startNara('target', echo(async (rt, msg) => {
      await rt.emit({ kind: 'test:echoed', to: msg.fromId, inReplyTo: msg.id, payload: { code: 'big', reason: big } })
    }), { writeTimeoutMs: 300 })
    const alice = await startNara('alice', echo())
    await link(alice, target)
    const malloryId = Identity.create({ name: 'mallory', machineId: 'test' })
    const mallory = await plainNode(malloryId.privateKey)
    await mallory.dial(target.node.getMultiaddrs()[0])
    const stream = await mallory.dialProtocol(target.node.peerId, '/nara/test/echo/1')
    stream.pause() // reads nothing: yamux stops granting the target send window
    const lp = lpStream(stream)
    // 12 replies of 60 KB are far beyond one stream's 256 KiB window
    for (let i = 0; i < 12; i++) await lp.write(await signedBy(malloryId, 'test:echo', target.identity.id))
    await waitFor(() => target.runtime.drops.get('write-timeout') >= 1, 'a write-timeout drop')

    const answer = await alice.runtime.call({ kind: 'test:echo', to: target.identity.id, payload: { code: 'ok', reason: '' } })
    expect(answer.payload).toEqual({ code: 'big', reason: big })
  })

  it('drops requests from a peer whose key is not Ed25519', async () => {
    let handled = 0
    const target = await startNara('target', echo(async () => { handled++ }))
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    const odd = await plainNode(await generateKeyPair('secp256k1'))
    await odd.dial(target.node.getMultiaddrs()[0])
    const stream = await odd.dialProtocol(target.node.peerId, '/nara/test/echo/1')
    // The stream is refused as soon as it opens, so this write may already fail.
    await lpStream(stream).write(await victimsEnvelope(alice, 'test:echo', target.identity.id)).catch(() => {})
    await waitFor(() => target.runtime.drops.get('unauthenticated-peer') === 1, 'an unauthenticated-peer drop')
    expect(handled).toBe(0)
  })

  it('rejects a gossiped broadcast whose author is not the nara it claims to be', async () => {
    const got: string[] = []
    const target = await startNara('target', (rt) => {
      rt.register(broadcast('test:news', 'News').withPayload(Note).withHandler(1, (_msg, p) => { got.push(p.code) }))
    })
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    const mallory = await plainNode(Identity.create({ name: 'mallory', machineId: 'test' }).privateKey)
    mallory.services.pubsub.subscribe('/nara/test/news')
    await mallory.dial(target.node.getMultiaddrs()[0])
    await waitFor(() => mallory.services.pubsub.getSubscribers('/nara/test/news').length > 0, 'the target to subscribe')
    await mallory.services.pubsub.publish('/nara/test/news', await victimsEnvelope(alice, 'test:news', ''))
    await waitFor(() => target.runtime.drops.get('impersonation') === 1, 'an impersonation drop')
    expect(got).toEqual([])
  })
})

describe('TransportHost: connecting', () => {
  it('tells the dialer when the connection has opened, before its handshake finishes', async () => {
    const target = await startNara('target', () => {})
    const dialer = await startNara('dialer', () => {})
    const steps: string[] = []
    const connecting = hostFromLibp2p(dialer.node).connect(target.node.getMultiaddrs()[0], { onOpen: () => { steps.push('open') } })
    await connecting.then(() => { steps.push('connected') })
    expect(steps).toEqual(['open', 'connected'])
    expect(dialer.node.getConnections(target.node.peerId)).toHaveLength(1)
  })
})
