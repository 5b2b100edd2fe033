import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { InvalidNameError } from './errors.js'

/** Longest allowed nara name, in characters. */
export const MAX_NAME_LENGTH = 32

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/

const ADJECTIVES = [
  'fuzzy', 'sleepy', 'brave', 'jolly', 'quiet', 'zesty', 'witty', 'nimble',
  'cosmic', 'mellow', 'sunny', 'breezy', 'plucky', 'snappy', 'dapper', 'spry',
  'cozy', 'lucky', 'bouncy', 'gentle', 'curious', 'silly', 'swift', 'wobbly',
  'merry', 'shiny', 'humble', 'peppy', 'rusty', 'misty', 'bold', 'calm',
  'fancy', 'giddy', 'tiny', 'grumpy', 'chirpy', 'dizzy', 'frosty', 'snug'
] as const

const NOUNS = [
  'otter', 'badger', 'panda', 'walrus', 'ferret', 'heron', 'koala', 'lemur',
  'moose', 'newt', 'owl', 'puffin', 'quokka', 'raccoon', 'seal', 'tapir',
  'wombat', 'yak', 'zebra', 'alpaca', 'beaver', 'crab', 'dingo', 'gecko',
  'hedgehog', 'ibis', 'jackal', 'kiwi', 'llama', 'marmot', 'narwhal', 'okapi',
  'pangolin', 'robin', 'sloth', 'toucan', 'vole', 'weasel', 'axolotl', 'bison'
] as const

/**
 * Checks a nara name: 1-32 characters of `[a-z0-9-]`, starting with a letter or digit.
 *
 * @returns the name, unchanged
 * @throws {InvalidNameError} when the name breaks the rules
 */
export function validateName (name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidNameError(`invalid name "${name}": use 1-${MAX_NAME_LENGTH} lowercase letters, digits or '-'`)
  }
  return name
}

/**
 * Makes a friendly random name such as `fuzzy-otter-07`.
 *
 * @param random - a source of numbers in [0, 1)
 * @default random Math.random
 */
export function generateName (random: () => number = Math.random): string {
  const adjective = pick(ADJECTIVES, random)
  const noun = pick(NOUNS, random)
  const digits = String(Math.floor(clampUnit(random()) * 100)).padStart(2, '0')
  return `${adjective}-${noun}-${digits}`
}

/**
 * This machine's default name: a generated name drawn from a hash of the machine
 * id, so a node started without --name is the same nara at every start.
 */
export function machineName (machineId: string): string {
  const digest = sha256(utf8ToBytes(`nara:name:${machineId}`))
  let next = 0
  return generateName(() => digest[next++ % digest.length] / 256)
}

function pick<T> (items: readonly T[], random: () => number): T {
  return items[Math.floor(clampUnit(random()) * items.length)]
}

// Keeps a misbehaving source (NaN, 1, negatives) from indexing out of range.
function clampUnit (n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0
  return n >= 1 ? 0.999999 : n
}
