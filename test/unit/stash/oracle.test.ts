// The test oracle and failure modes of the user's own text (seeds/sample-service.md).
import { describe, expect, it } from 'vitest'
import { MockRuntime, StashService, type Runtime, type Service } from '../../../src/index.js'
import { StashRecovered } from '../../../protocols/stash.js'
import { naraNamed, storePayload } from '../../helpers/stash.js'
import { waitFor } from '../../helpers/wait.js'

describe('stash: the seed oracle', () => {
  it('a stash:store message results in a record in stored', async () => {
    const rt = new MockRuntime()
    const svc = new StashService()
    await svc.init(rt)
    const sender = naraNamed('alice')
    rt.trust(sender)

    await rt.deliver(await rt.envelopeFrom(sender, { kind: 'stash:store', to: rt.me().id, payload: storePayload(sender, 'my state') }))

    const record = svc.stored.get(sender.id)
    expect(record).toBeDefined()
    expect(record?.ownerId).toBe(sender.id)
    expect(sender.open({ nonce: record!.nonce, ciphertext: record!.ciphertext })).toEqual(new TextEncoder().encode('my state'))
  })

  it('emitting stash:recovered triggers every other service that registered a local handler for it', async () => {
    const rt = new MockRuntime()
    const stash = new StashService()
    const heard: string[] = []
    class Listener implements Service {
      constructor (readonly name: string) {}
      init (r: Runtime): void { r.on('stash:recovered', (msg) => { heard.push(`${this.name}:${(msg.payload as StashRecovered).count}`) }) }
    }
    await rt.install(stash)
    await rt.install(new Listener('presence'))
    await rt.install(new Listener('inspector'))

    await rt.emit({ kind: 'stash:recovered', payload: { count: 2, version: 7 } })

    expect(heard).toEqual(['presence:2', 'inspector:2'])
  })

  it('decrypting a stash with a different NaraID fails', async () => {
    const owner = new MockRuntime({ name: 'owner' })
    const other = new MockRuntime({ name: 'other' })
    const sealed = await owner.seal(new TextEncoder().encode('secret'))
    await expect(other.open(sealed)).rejects.toMatchObject({ name: 'OpenFailedError' })
    expect(await owner.open(sealed)).toEqual(new TextEncoder().encode('secret'))
  })
})

describe('stash: the seed failure modes', () => {
  it('when open fails during recovery, an error is logged and stash:recovered says count 0', async () => {
    const rt = new MockRuntime({ name: 'owner' })
    // the only copy does not open: nobody else is expected, so recovery ends at its deadline
    const svc = new StashService({ recoveryDeadlineMs: 300 })
    await rt.install(svc)
    const recovered: StashRecovered[] = []
    rt.on('stash:recovered', (msg) => { recovered.push(msg.payload as StashRecovered) })
    const confidant = naraNamed('confidant')
    rt.trust(confidant)
    await rt.start() // broadcasts stash:refresh and starts collecting

    // A confidant answers with a stash that was not sealed by this nara.
    const forged = storePayload(confidant, 'not yours', 5)
    await rt.deliver(await rt.envelopeFrom(confidant, {
      kind: 'stash:response', to: rt.me().id, payload: { ownerId: rt.me().id, found: true, version: 5, nonce: forged.nonce, ciphertext: forged.ciphertext }
    }))

    await waitFor(() => recovered.length > 0, 'stash:recovered')
    expect(recovered).toEqual([{ count: 0, version: 0 }])
    expect(rt.logs.some(l => l.level === 'error' && l.fields.service === 'stash' && /cannot open/.test(l.msg))).toBe(true)
    expect(svc.get()).toBeUndefined()
    await rt.stop()
  })

  it('a malformed stash:response is dropped by the receive pipeline and the handler never runs', async () => {
    const rt = new MockRuntime({ name: 'owner' })
    const svc = new StashService({ recoveryDeadlineMs: 200 })
    await rt.install(svc)
    const confidant = naraNamed('confidant')
    rt.trust(confidant)
    await rt.start()
    const good = await rt.seal(new TextEncoder().encode('state'))

    const badNonce = await rt.envelopeFrom(confidant, {
      kind: 'stash:response', to: rt.me().id, payload: { ownerId: rt.me().id, found: true, version: 3, nonce: good.nonce.slice(0, 12), ciphertext: good.ciphertext }
    })
    expect(await rt.deliver(badNonce)).toMatchObject({ accepted: false, reason: { code: 'invalid-payload' } })
    const garbage = await rt.envelopeFrom(confidant, { kind: 'stash:response', to: rt.me().id, payload: {} }, { payload: new Uint8Array([0x0a, 0xff]) })
    expect(await rt.deliver(garbage)).toMatchObject({ accepted: false, reason: { code: 'malformed-payload' } })

    // Nothing reached the handler: recovery ends at its deadline with nothing recovered.
    expect(await svc.recovered()).toEqual({ count: 0, version: 0 })
    expect(svc.get()).toBeUndefined()
    await rt.stop()
  })
})
