import { afterEach, describe, expect, it } from 'vitest'
import { Identity, MemoryNetwork, MockRuntime } from 'nara-p2p'
import { GuestbookService, MAX_ENTRIES } from '../src/guestbook.js'
import { MAX_TEXT_LENGTH, type EntriesPayload } from '../src/payloads.js'

const bob = Identity.create({ name: 'bob', machineId: 'guestbook-test' })
const running: MockRuntime[] = []

/** A started MockRuntime running a guestbook, optionally linked to others on `network`. */
async function guestbookNara (name: string, network?: MemoryNetwork): Promise<{ rt: MockRuntime, book: GuestbookService }> {
  const rt = new MockRuntime({ name, ...(network !== undefined ? { network } : {}) })
  const book = new GuestbookService()
  await rt.install(book)
  await rt.start()
  running.push(rt)
  return { rt, book }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(async rt => { await rt.stop() }))
})

describe('guestbook', () => {
  it('keeps an entry another nara signed, under its author\'s name', async () => {
    const { rt, book } = await guestbookNara('alice')
    rt.trust(bob)
    const id = crypto.randomUUID()
    const outcome = await rt.deliver(await rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload: { id, text: 'hi from bob' } }))
    expect(outcome).toEqual({ accepted: true })
    expect(book.entries()).toMatchObject([{ id, text: 'hi from bob', author: 'bob', authorId: bob.id }])
    expect(rt.emittedOf('guestbook:added')).toHaveLength(1)
  })

  it('keeps an entry heard twice once', async () => {
    const { rt, book } = await guestbookNara('alice')
    rt.trust(bob)
    const payload = { id: crypto.randomUUID(), text: 'once' }
    await rt.deliver(await rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload }))
    await rt.deliver(await rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload }))
    expect(book.entries()).toHaveLength(1)
  })

  it.each([
    ['empty text', { id: crypto.randomUUID(), text: '  ' }],
    ['text that is too long', { id: crypto.randomUUID(), text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['an id that is no UUID', { id: 'mine', text: 'hello' }],
    ['a number for text', { id: crypto.randomUUID(), text: 42 }]
  ])('drops a signature with %s before the handler runs', async (_, payload) => {
    const { rt, book } = await guestbookNara('alice')
    rt.trust(bob)
    // encode by hand: the runtime's own codec would refuse to build an invalid envelope
    const bytes = new TextEncoder().encode(JSON.stringify(payload))
    const outcome = await rt.deliver(await rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload: {} }, { payload: bytes }))
    expect(outcome).toMatchObject({ accepted: false, reason: { code: 'invalid-payload' } })
    expect(book.entries()).toEqual([])
  })

  it('drops a signature from a nara it cannot verify', async () => {
    const { rt, book } = await guestbookNara('alice')
    const outcome = await rt.deliver(await rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload: { id: crypto.randomUUID(), text: 'who am I' } }))
    expect(outcome.accepted).toBe(false)
    expect(book.entries()).toEqual([])
  })

  it('signs by broadcast and keeps its own entry', async () => {
    const { rt, book } = await guestbookNara('alice')
    const entry = await book.sign('my own book')
    expect(rt.emittedOf('guestbook:sign').map(m => m.payload)).toEqual([{ id: entry.id, text: 'my own book' }])
    expect(book.entries()).toEqual([entry])
  })

  it('forgets its oldest entry once it holds more than it keeps', async () => {
    const { book } = await guestbookNara('alice')
    for (let i = 0; i <= MAX_ENTRIES; i++) await book.sign(`entry ${i}`)
    const entries = book.entries()
    expect(entries).toHaveLength(MAX_ENTRIES)
    expect(entries.map(e => e.text)).not.toContain('entry 0')
    expect(entries.at(-1)?.text).toBe(`entry ${MAX_ENTRIES}`)
  })

  it('answers a read with its newest entries, as many as asked for', async () => {
    const { rt, book } = await guestbookNara('alice')
    for (const text of ['one', 'two', 'three']) await book.sign(text)
    rt.trust(bob)
    const request = await rt.envelopeFrom(bob, { kind: 'guestbook:read', to: rt.me().id, payload: { limit: 2 } })
    await rt.deliver(request)
    const [reply] = rt.emittedOf('guestbook:entries')
    expect(reply.toId).toBe(bob.id)
    expect(reply.inReplyTo).toBe(request.id)
    expect((reply.payload as EntriesPayload).entries.map(e => e.text)).toEqual(['three', 'two'])
  })

  it('catches up by reading another nara\'s book', async () => {
    const network = new MemoryNetwork()
    const alice = await guestbookNara('alice', network)
    const late = await guestbookNara('late', network)
    // bob signed while only alice could hear it: late never got the broadcast
    alice.rt.trust(bob)
    await alice.rt.deliver(await alice.rt.envelopeFrom(bob, { kind: 'guestbook:sign', payload: { id: crypto.randomUUID(), text: 'only alice heard this' } }))
    expect(late.book.entries()).toEqual([])

    expect(await late.book.readFrom(alice.rt.me().id)).toBe(1)
    expect(late.book.entries().map(e => [e.author, e.text])).toEqual([['bob', 'only alice heard this']])
    expect(await late.book.readFrom(alice.rt.me().id)).toBe(0)
  })

  it('signs every linked guestbook by broadcast', async () => {
    const network = new MemoryNetwork()
    const alice = await guestbookNara('alice', network)
    const late = await guestbookNara('late', network)
    await late.book.sign('late is here')
    expect(alice.book.entries().map(e => [e.author, e.text])).toEqual([['late', 'late is here']])
  })
})
