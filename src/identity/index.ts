/**
 * @packageDocumentation
 *
 * A nara's identity: its soul (a seed bonded to a name), the Ed25519 key derived
 * from it (also the libp2p key), its self-certifying NaraID, signing, sealing to
 * oneself, and a keyring of verified peers.
 *
 * @example
 * ```ts
 * const me = await Identity.create({ name: 'fuzzy-otter-07' })
 * const sig = await me.sign(data)
 * await verifySignature(me.publicKey, data, sig) // true
 * ```
 */
export { InvalidNameError, InvalidSoulError, OpenFailedError } from './errors.js'
export { generateName, machineName, validateName, MAX_NAME_LENGTH } from './names.js'
export { bondTag, formatSoul, nativeSoul, parseSoul, randomSoul, soulFromSeed, SEED_BYTES, TAG_BYTES } from './soul.js'
export { readMachineId } from './machine-id.js'
export type { Soul } from './soul.js'
export { deriveIdentityKey, deriveIdentityKeyAsync } from './keys.js'
export { isNaraIdOf, naraIdOf } from './nara-id.js'
export type { NaraID } from './nara-id.js'
export { verifySignature } from './signing.js'
export { deriveSealKey, NONCE_BYTES, open, seal } from './seal.js'
export type { Sealed } from './seal.js'
export { Keyring } from './keyring.js'
export type { KnownNara } from './keyring.js'
export { Identity } from './identity.js'
export type { CreateIdentityOptions } from './identity.js'
