import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { ComponentLogger, ConnectionEncrypter, Logger, Upgrader } from '@libp2p/interface'

const quiet: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => quiet })
const logger: ComponentLogger = { forComponent: () => quiet }
/** noise asks the upgrader which muxers to offer in its handshake: none here */
const upgrader = { getStreamMuxers: () => new Map() } as unknown as Upgrader

type Components = Parameters<ReturnType<typeof noise>>[0]
type Patch = (factory: (components: Components) => ConnectionEncrypter) => (components: Components) => ConnectionEncrypter

/** A Noise encrypter with a fresh key and quiet logs, optionally through one of nara's patches. */
export async function noiseEncrypter (patch: Patch = f => f): Promise<ConnectionEncrypter> {
  const privateKey = await generateKeyPair('Ed25519')
  return patch(noise())({ privateKey, peerId: peerIdFromPrivateKey(privateKey), logger, upgrader })
}
