import type { PayloadCodec } from '../../src/index.js'

export interface Text { text: string }

/** A tiny JSON payload codec for test kinds; rejects empty text. */
export const TextCodec: PayloadCodec<Text> = {
  name: 'Text',
  encode: (p) => new TextEncoder().encode(JSON.stringify(p)),
  decode: (bytes) => {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Text
    if (typeof value.text !== 'string') throw new Error('text must be a string')
    return value
  },
  validate: (p) => p.text === '' ? 'text is empty' : undefined
}
