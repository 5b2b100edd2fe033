import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { NODE_FLAGS } from '../../../src/cli/node-flags.js'

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')

// The bin's shebang and `npm start` cannot import NODE_FLAGS, so they spell the flags out.
describe('the V8 flags every nara process runs with', () => {
  it('are the ones the bin\'s shebang passes', () => {
    const shebang = read('src/cli/launch.ts').split('\n')[0]
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true)
    expect(shebang.split(' ').slice(3)).toEqual([...NODE_FLAGS])
  })

  it('are the ones `npm start` passes', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start
    expect(start).toBe(`node ${NODE_FLAGS.join(' ')} dist/nara.mjs start`)
  })
})
