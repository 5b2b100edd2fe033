// Independent reference code for the vector test: deliberately NOT nara's or noble's,
// so the vectors are checked against a second implementation.
import { createCipheriv } from 'node:crypto'

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** Bitcoin-alphabet base58, leading zero bytes as '1'. */
export function base58Encode (bytes: Uint8Array): string {
  let n = 0n
  for (const b of bytes) n = n * 256n + BigInt(b)
  let out = ''
  while (n > 0n) {
    out = BASE58_ALPHABET[Number(n % 58n)] + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = '1' + out
  }
  return out
}

function rotl (x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0
}

function quarterRound (s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 16)
  s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 12)
  s[a] += s[b]; s[d] = rotl(s[d] ^ s[a], 8)
  s[c] += s[d]; s[b] = rotl(s[b] ^ s[c], 7)
}

/** HChaCha20 (draft-irtf-cfrg-xchacha §2.2): 32-byte key, 16-byte nonce -> 32-byte subkey. */
export function hchacha20 (key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const s = new Uint32Array(16)
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])
  const kv = new DataView(key.buffer, key.byteOffset, 32)
  const nv = new DataView(nonce16.buffer, nonce16.byteOffset, 16)
  for (let i = 0; i < 8; i++) s[4 + i] = kv.getUint32(i * 4, true)
  for (let i = 0; i < 4; i++) s[12 + i] = nv.getUint32(i * 4, true)
  for (let i = 0; i < 10; i++) {
    quarterRound(s, 0, 4, 8, 12); quarterRound(s, 1, 5, 9, 13)
    quarterRound(s, 2, 6, 10, 14); quarterRound(s, 3, 7, 11, 15)
    quarterRound(s, 0, 5, 10, 15); quarterRound(s, 1, 6, 11, 12)
    quarterRound(s, 2, 7, 8, 13); quarterRound(s, 3, 4, 9, 14)
  }
  const out = new Uint8Array(32)
  const ov = new DataView(out.buffer)
  const words = [0, 1, 2, 3, 12, 13, 14, 15]
  words.forEach((w, i) => { ov.setUint32(i * 4, s[w], true) })
  return out
}

/** XChaCha20-Poly1305 encrypt via HChaCha20 + node's IETF ChaCha20-Poly1305; returns ciphertext || tag. */
export function xchachaEncrypt (key: Uint8Array, nonce24: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const subkey = hchacha20(key, nonce24.subarray(0, 16))
  const nonce12 = new Uint8Array(12)
  nonce12.set(nonce24.subarray(16), 4)
  const cipher = createCipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: 16 })
  cipher.setAAD(aad, { plaintextLength: plaintext.length })
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]))
}
