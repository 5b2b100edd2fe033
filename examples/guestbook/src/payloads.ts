import type { PayloadCodec } from 'nara-p2p'

/** The longest entry a guestbook takes, in characters. */
export const MAX_TEXT_LENGTH = 200
/** The most entries one read returns. */
export const MAX_READ = 40
/** An entry's id: a UUID its author made. */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** guestbook:sign, broadcast: a nara signs every guestbook. */
export interface SignPayload { id: string, text: string }
/** guestbook:read, to one nara: "send me your newest entries". */
export interface ReadPayload { limit: number }
/** One line of a guestbook. `at` is the author's clock, ms since the Unix epoch. */
export interface Entry { id: string, author: string, authorId: string, text: string, at: number }
/** guestbook:entries, the answer to a read: the entries that nara holds, newest first. */
export interface EntriesPayload { entries: Entry[] }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * A payload sent as JSON. The runtime decodes and then validates every payload it
 * receives (and every one it emits); `problemOf` gets the parsed value as it came off
 * the wire, so it checks the shape, not only the values.
 */
function jsonPayload<T> (name: string, problemOf: (value: unknown) => string | undefined): PayloadCodec<T> {
  return {
    name,
    encode: (payload) => encoder.encode(JSON.stringify(payload)),
    decode: (bytes) => JSON.parse(decoder.decode(bytes)) as T,
    validate: (payload) => problemOf(payload)
  }
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function textProblem (text: unknown): string | undefined {
  if (typeof text !== 'string') return 'text must be a string'
  if (text.trim() === '') return 'text is empty'
  if (text.length > MAX_TEXT_LENGTH) return `text is longer than ${MAX_TEXT_LENGTH} characters`
  return undefined
}

function idProblem (id: unknown): string | undefined {
  return typeof id === 'string' && ID_PATTERN.test(id) ? undefined : 'id must be a lowercase UUID'
}

function entryProblem (value: unknown): string | undefined {
  if (!isRecord(value)) return 'an entry must be an object'
  if (typeof value.author !== 'string' || value.author === '') return 'an entry needs its author\'s name'
  if (typeof value.authorId !== 'string' || value.authorId === '') return 'an entry needs its author\'s NaraID'
  if (!Number.isSafeInteger(value.at)) return 'an entry\'s time must be an integer'
  return idProblem(value.id) ?? textProblem(value.text)
}

export const SignCodec = jsonPayload<SignPayload>('GuestbookSign', (value) =>
  isRecord(value) ? idProblem(value.id) ?? textProblem(value.text) : 'must be an object')

export const ReadCodec = jsonPayload<ReadPayload>('GuestbookRead', (value) =>
  isRecord(value) && Number.isInteger(value.limit) && Number(value.limit) >= 1 && Number(value.limit) <= MAX_READ
    ? undefined
    : `limit must be an integer from 1 to ${MAX_READ}`)

export const EntriesCodec = jsonPayload<EntriesPayload>('GuestbookEntries', (value) => {
  if (!isRecord(value) || !Array.isArray(value.entries)) return 'entries must be an array'
  if (value.entries.length > MAX_READ) return `at most ${MAX_READ} entries`
  for (const entry of value.entries) {
    const problem = entryProblem(entry)
    if (problem !== undefined) return problem
  }
  return undefined
})

/** guestbook:added, local: an entry this nara had not seen yet. */
export const EntryCodec = jsonPayload<Entry>('GuestbookEntry', entryProblem)
