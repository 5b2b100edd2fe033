import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { base64pad, base64url } from 'multiformats/bases/base64'

/** platform.ts for browsers: the same primitives from web APIs. */

export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

export function toBase64 (bytes: Uint8Array): string {
  return base64pad.baseEncode(bytes)
}

export function toBase64Url (bytes: Uint8Array, start: number, end: number): string {
  return base64url.baseEncode(bytes.subarray(start, end))
}

export function randomBytes (n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n))
}

export function nextTick (fn: () => void): void {
  queueMicrotask(fn)
}

/** A browser's EventTarget has no listener-count warning. */
export function setMaxListeners (_n: number, _target: EventTarget): void {}

export function xchachaSeal (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext)
}

export function xchachaOpen (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, aad).decrypt(sealed)
}
