import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto'
import { hchacha } from '@noble/ciphers/chacha.js'
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
  const bytes = nodeRandomBytes(n)
  // a plain Uint8Array, as in a browser: a Buffer compares and serializes differently
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Runs `fn` once the current operation has finished, before any I/O. */
export function nextTick (fn: () => void): void {
  process.nextTick(fn)
}

/** Lifts Node's listener-count warning for a signal that many waiters listen to by design. */
export function setMaxListeners (n: number, target: EventTarget): void {
  nodeSetMaxListeners(n, target)
}

/** "expand 32-byte k", the ChaCha constants, as little-endian words. */
const SIGMA = Uint32Array.of(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574)
const TAG_BYTES = 16

/** Little-endian 32-bit words of `bytes` (a multiple of 4 long). */
function words (bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Uint32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getUint32(i * 4, true))
}

/**
 * XChaCha20-Poly1305's key and nonce for the IETF ChaCha20-Poly1305 that OpenSSL runs
 * natively (draft-irtf-cfrg-xchacha §2.3): HChaCha20 of the key and the nonce's first
 * 16 bytes, and four zero bytes before its last 8.
 */
function ietfKeyAndNonce (key: Uint8Array, nonce: Uint8Array): { subkey: Buffer, ietfNonce: Buffer } {
  if (key.byteLength !== 32 || nonce.byteLength !== 24) throw new RangeError('XChaCha20-Poly1305 takes a 32-byte key and a 24-byte nonce')
  const out = new Uint32Array(8)
  hchacha(SIGMA, words(key), words(nonce.subarray(0, 16)), out)
  const subkey = Buffer.alloc(32)
  out.forEach((word, i) => { subkey.writeUInt32LE(word, i * 4) })
  const ietfNonce = Buffer.alloc(12)
  ietfNonce.set(nonce.subarray(16), 4)
  return { subkey, ietfNonce }
}

/** XChaCha20-Poly1305 encryption: the ciphertext followed by its 16-byte tag (as @noble/ciphers lays it out). */
export function xchachaSeal (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const { subkey, ietfNonce } = ietfKeyAndNonce(key, nonce)
  const cipher = createCipheriv('chacha20-poly1305', subkey, ietfNonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad, { plaintextLength: plaintext.byteLength })
  const body = cipher.update(plaintext)
  cipher.final()
  const sealed = new Uint8Array(body.byteLength + TAG_BYTES)
  sealed.set(body)
  sealed.set(cipher.getAuthTag(), body.byteLength)
  return sealed
}

/** Opens what `xchachaSeal` made; throws when the key, nonce or associated data is wrong or a byte was changed. */
export function xchachaOpen (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.byteLength < TAG_BYTES) throw new RangeError('the ciphertext is shorter than its tag')
  const { subkey, ietfNonce } = ietfKeyAndNonce(key, nonce)
  const decipher = createDecipheriv('chacha20-poly1305', subkey, ietfNonce, { authTagLength: TAG_BYTES })
  const bodyLength = sealed.byteLength - TAG_BYTES
  decipher.setAAD(aad, { plaintextLength: bodyLength })
  decipher.setAuthTag(sealed.subarray(bodyLength))
  const plaintext = decipher.update(sealed.subarray(0, bodyLength))
  decipher.final()
  return Uint8Array.from(plaintext)
}
