import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { setMaxListeners as nodeSetMaxListeners } from 'node:events'

/**
 * The few primitives nara takes from its platform, Node's fast ones here. A browser
 * build (scripts/bundle-browser.ts) takes `platform.browser.ts` instead: same names,
 * no Node built-ins.
 */

/** Whether two byte arrays hold the same bytes (not constant-time: for cache keys, not secrets). */
export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

/** Standard base64 of the bytes. */
export function toBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** Unpadded base64url of `bytes[start..end)`. */
export function toBase64Url (bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64url')
}

/** `n` bytes from the system's secure generator. */
export function randomBytes (n: number): Uint8Array {
  return nodeRandomBytes(n)
}

/** Runs `fn` once the current operation has finished, before any I/O. */
export function nextTick (fn: () => void): void {
  process.nextTick(fn)
}

/** Lifts Node's listener-count warning for a signal that many waiters listen to by design. */
export function setMaxListeners (n: number, target: EventTarget): void {
  nodeSetMaxListeners(n, target)
}
