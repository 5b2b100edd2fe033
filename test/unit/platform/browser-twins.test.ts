import { describe, expect, it } from 'vitest'
import * as nodePlatform from '../../../src/platform/platform.js'
import * as browserPlatform from '../../../src/platform/platform.browser.js'
import * as nodeSigning from '../../../src/identity/signing.js'
import * as browserSigning from '../../../src/identity/signing.browser.js'
import * as nodeMachine from '../../../src/identity/machine-id.js'
import * as browserMachine from '../../../src/identity/machine-id.browser.js'
import { Identity, formatSoul, randomSoul } from '../../../src/index.js'

const exportsOf = (module: object): string[] => Object.keys(module).sort()

describe('the browser twins of the Node-only modules', () => {
  it('export the same names as the modules they replace in the browser bundle', () => {
    expect(exportsOf(browserPlatform)).toEqual(exportsOf(nodePlatform))
    expect(exportsOf(browserSigning)).toEqual(exportsOf(nodeSigning))
    expect(exportsOf(browserMachine)).toEqual(exportsOf(nodeMachine))
  })

  it('compare and encode bytes as Node does', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, i) => (i * 53 + 7) & 0xff)
    for (const platform of [nodePlatform, browserPlatform]) {
      expect(platform.sameBytes(bytes, Uint8Array.from(bytes))).toBe(true)
      expect(platform.sameBytes(bytes, bytes.subarray(1))).toBe(false)
      expect(platform.sameBytes(bytes, Uint8Array.from(bytes, (b, i) => i === 36 ? b ^ 1 : b))).toBe(false)
    }
    const view = bytes.subarray(3, 30)
    expect(browserPlatform.toBase64(view)).toBe(nodePlatform.toBase64(view))
    expect(browserPlatform.toBase64Url(bytes, 5, 17)).toBe(nodePlatform.toBase64Url(bytes, 5, 17))
    expect(browserPlatform.randomBytes(12)).toHaveLength(12)
    expect(browserPlatform.sameBytes(browserPlatform.randomBytes(16), browserPlatform.randomBytes(16))).toBe(false)
  })

  it('run nextTick callbacks after the current code and before timers', async () => {
    const order: string[] = []
    await new Promise<void>(resolve => {
      setTimeout(() => { order.push('timer'); resolve() }, 0)
      browserPlatform.nextTick(() => order.push('tick'))
      order.push('now')
    })
    expect(order).toEqual(['now', 'tick', 'timer'])
  })

  it('seal with XChaCha20-Poly1305 byte for byte alike (OpenSSL on Node, @noble/ciphers in a tab)', () => {
    const key = nodePlatform.randomBytes(32)
    const nonce = nodePlatform.randomBytes(24)
    const aad = new TextEncoder().encode('owner-nara-id')
    for (const length of [0, 1, 63, 64, 65, 4096]) {
      const plaintext = nodePlatform.randomBytes(length)
      const onNode = nodePlatform.xchachaSeal(key, nonce, aad, plaintext)
      expect(Uint8Array.from(onNode)).toEqual(browserPlatform.xchachaSeal(key, nonce, aad, plaintext))
      expect(Uint8Array.from(browserPlatform.xchachaOpen(key, nonce, aad, onNode))).toEqual(Uint8Array.from(plaintext))
      expect(Uint8Array.from(nodePlatform.xchachaOpen(key, nonce, aad, onNode))).toEqual(Uint8Array.from(plaintext))
    }
    const sealed = nodePlatform.xchachaSeal(key, nonce, aad, new TextEncoder().encode('secret'))
    const flipped = Uint8Array.from(sealed, (b, i) => i === 2 ? b ^ 1 : b)
    const otherAad = new TextEncoder().encode('someone-else')
    for (const platform of [nodePlatform, browserPlatform]) {
      expect(() => platform.xchachaOpen(key, nonce, aad, flipped)).toThrow()
      expect(() => platform.xchachaOpen(key, nonce, otherAad, sealed)).toThrow()
      expect(() => platform.xchachaOpen(key, nonce, aad, sealed.subarray(0, 10))).toThrow()
    }
  })

  it('sign and verify Ed25519 interchangeably with node:crypto', async () => {
    const name = 'twin-test-01'
    const soul = formatSoul(randomSoul(name))
    const onNode = Identity.create({ name, soul })
    const data = new TextEncoder().encode('the same bytes on both platforms')
    const fromBrowser = await browserSigning.signerOf(onNode.privateKey)(data)
    const fromNode = await nodeSigning.signerOf(onNode.privateKey)(data)
    expect(fromBrowser).toEqual(fromNode) // Ed25519 is deterministic
    expect(await nodeSigning.verifySignature(onNode.publicKey, data, fromBrowser)).toBe(true)
    expect(await browserSigning.verifySignature(onNode.publicKey, data, fromNode)).toBe(true)
    const forged = Uint8Array.from(fromNode, (b, i) => i === 0 ? b ^ 1 : b)
    expect(await browserSigning.verifySignature(onNode.publicKey, data, forged)).toBe(false)
    expect(await browserSigning.verifySignature(onNode.publicKey.subarray(1), data, fromNode)).toBe(false)
  })

  it('build the same identity asynchronously (the browser way) as synchronously', async () => {
    const name = 'twin-test-02'
    const soul = formatSoul(randomSoul(name))
    const sync = Identity.create({ name, soul })
    const async = await Identity.createAsync({ name, soul })
    expect(async.id).toBe(sync.id)
    expect(async.publicKey).toEqual(sync.publicKey)
    expect(async.privateKey.raw).toEqual(sync.privateKey.raw)
    await expect(Identity.createAsync({ name: 'someone-else-03', soul })).rejects.toThrow(/different name/)
  })

  it('say what a browser cannot do', () => {
    expect(() => browserSigning.publicKeyOfSeed(new Uint8Array(32))).toThrow(/Identity.createAsync/)
    expect(() => browserMachine.readMachineId()).toThrow(/no machine id/)
  })
})
