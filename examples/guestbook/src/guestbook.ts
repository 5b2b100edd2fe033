import { randomUUID } from 'node:crypto'
import { broadcast, local, meshRequest, type Message, type Runtime, type Service } from 'nara-p2p'
import { EntriesCodec, EntryCodec, MAX_READ, ReadCodec, SignCodec, type EntriesPayload, type Entry, type ReadPayload, type SignPayload } from './payloads.js'

/** Entries one guestbook keeps; past that the oldest are forgotten. */
export const MAX_ENTRIES = 1_000

/**
 * A swarm-wide guestbook. `sign` broadcasts an entry to every nara; `readFrom` asks one
 * nara for the entries it holds, which is how a nara that joins late catches up.
 * Every nara keeps the entries it heard of, once each (by the id the author gave it),
 * and tells the other services of each new one with the local kind `guestbook:added`.
 *
 * A signed broadcast proves who wrote it; the entries a read returns are only the
 * word of the nara that answered.
 */
export class GuestbookService implements Service {
  readonly name = 'guestbook'
  private runtime?: Runtime
  private readonly book = new Map<string, Entry>()

  init (rt: Runtime): void {
    this.runtime = rt
    rt.register(broadcast('guestbook:sign', 'Sign every guestbook in the swarm')
      .withPayload(SignCodec)
      .withHandler(1, async (msg, p) => { await this.signed(msg, p) })
      .withMaxSize(2048)
      .withRateLimit(1, 5))

    rt.register(meshRequest('guestbook:read', 'Send me your newest entries')
      .withPayload(ReadCodec)
      .withHandler(1, async (msg, p) => { await this.read(msg, p) })
      .withRateLimit(2, 4)
      .repliesWith('guestbook:entries'))

    rt.register(meshRequest('guestbook:entries', 'The entries a nara holds, newest first')
      .withPayload(EntriesCodec)
      .withMaxSize(128 * 1024))

    rt.register(local('guestbook:added', 'An entry this nara had not seen yet')
      .withPayload(EntryCodec))
  }

  /** Every entry this nara holds, oldest first (entries of the same millisecond in the order they came). */
  entries (): Entry[] {
    return [...this.book.values()].sort((a, b) => a.at - b.at)
  }

  /** Writes an entry in this nara's guestbook and broadcasts it to every other. */
  async sign (text: string): Promise<Entry> {
    const rt = this.rt()
    const me = rt.me()
    const payload: SignPayload = { id: randomUUID(), text }
    await rt.emit({ kind: 'guestbook:sign', payload })
    const entry: Entry = { ...payload, author: me.name, authorId: me.id, at: Date.now() }
    await this.add(entry)
    return entry
  }

  /** Asks one nara for its newest entries and keeps those this nara lacked; resolves with how many were new. */
  async readFrom (naraId: string, limit = MAX_READ): Promise<number> {
    const reply = await this.rt().call({ kind: 'guestbook:read', to: naraId, payload: { limit } })
    let added = 0
    for (const entry of (reply.payload as EntriesPayload).entries) {
      if (await this.add(entry)) added++
    }
    return added
  }

  private async signed (msg: Message<SignPayload>, p: SignPayload): Promise<void> {
    await this.add({ id: p.id, text: p.text, author: msg.fromName, authorId: msg.fromId, at: msg.timestamp })
  }

  private async read (msg: Message<ReadPayload>, p: ReadPayload): Promise<void> {
    const entries = this.entries().reverse().slice(0, p.limit)
    await this.rt().emit({ kind: 'guestbook:entries', to: msg.fromId, inReplyTo: msg.id, payload: { entries } })
  }

  /** Keeps an entry not seen before and tells the node's services; false when it was already here. */
  private async add (entry: Entry): Promise<boolean> {
    if (this.book.has(entry.id)) return false
    this.book.set(entry.id, entry)
    if (this.book.size > MAX_ENTRIES) this.book.delete(this.entries()[0].id)
    await this.rt().emit({ kind: 'guestbook:added', payload: entry })
    return true
  }

  private rt (): Runtime {
    if (this.runtime === undefined) throw new Error('the guestbook is not running: pass it to createNara({ services })')
    return this.runtime
  }
}
