import type { Ed25519PrivateKey } from '@libp2p/interface'
import { equalBytes } from '@noble/ciphers/utils.js'
import { InvalidSoulError } from './errors.js'
import { deriveIdentityKey, deriveIdentityKeyAsync } from './keys.js'
import type { KnownNara } from './keyring.js'
import { naraIdOf } from './nara-id.js'
import type { NaraID } from './nara-id.js'
import { machineName, validateName } from './names.js'
import { deriveSealKey, open, seal } from './seal.js'
import { signerOf, type Signer } from './signing.js'
import type { Sealed } from './seal.js'
import { bondTag, formatSoul, nativeSoul, parseSoul, SEED_BYTES } from './soul.js'
import { readMachineId } from './machine-id.js'
import type { Soul } from './soul.js'

/** Options for {@link Identity.create}. */
export interface CreateIdentityOptions {
  /** the nara's name; @default this machine's name, generated from the machine id (e.g. "fuzzy-otter-07") and the same at every start */
  name?: string
  /** a soul string; @default the native soul of this machine and name */
  soul?: string
  /** machine id for the native soul; @default readMachineId() */
  machineId?: string
}

/** A nara's identity: name, soul, Ed25519 key (also the libp2p key) and NaraID. */
export class Identity {
  readonly name: string
  readonly id: NaraID
  readonly soul: Soul
  readonly privateKey: Ed25519PrivateKey
  /** raw 32-byte Ed25519 public key */
  readonly publicKey: Uint8Array
  readonly #sealKey: Uint8Array
  readonly #sign: Signer

  private constructor (name: string, soul: Soul, privateKey: Ed25519PrivateKey) {
    this.name = name
    this.soul = soul
    this.privateKey = privateKey
    this.publicKey = privateKey.publicKey.raw
    this.id = naraIdOf(this.publicKey, name)
    this.#sealKey = deriveSealKey(soul.seed)
    this.#sign = signerOf(privateKey)
  }

  /**
   * The identity of a soul under the name it is bonded to.
   *
   * @throws {InvalidNameError} when the name is invalid
   * @throws {InvalidSoulError} when the soul is malformed or bonded to another name
   */
  static fromSoul (soul: Soul, name: string): Identity {
    checkBond(soul, name)
    return new Identity(name, soul, deriveIdentityKey(soul.seed))
  }

  /**
   * Builds an identity from options: a given soul string, or else the native soul
   * of this machine, which is the same every time for the same name.
   */
  static create (opts: CreateIdentityOptions = {}): Identity {
    const { name, soul } = chosenSoul(opts)
    return Identity.fromSoul(soul, name)
  }

  /**
   * The identity {@link Identity.create} builds, derived asynchronously: the way a
   * browser, whose Ed25519 is asynchronous (WebCrypto), builds one.
   */
  static async createAsync (opts: CreateIdentityOptions = {}): Promise<Identity> {
    const { name, soul } = chosenSoul(opts)
    checkBond(soul, name)
    return new Identity(name, soul, await deriveIdentityKeyAsync(soul.seed))
  }

  /** Signs with the identity key (Ed25519; deterministic). */
  async sign (data: Uint8Array): Promise<Uint8Array> {
    return await this.#sign(data)
  }

  /** Encrypts to oneself; only this soul can open it, and only under this NaraID. */
  seal (plaintext: Uint8Array): Sealed {
    return seal(this.#sealKey, this.id, plaintext)
  }

  /**
   * Opens what {@link Identity.seal} produced.
   *
   * @throws {OpenFailedError} on a wrong key, wrong owner or tampering
   */
  open (sealed: Sealed): Uint8Array {
    return open(this.#sealKey, this.id, sealed)
  }

  /** The soul as a string, to move this identity to another machine. Secret. */
  soulString (): string {
    return formatSoul(this.soul)
  }

  /** The public part, as stored in a {@link Keyring}. */
  toKnown (): KnownNara {
    return { id: this.id, name: this.name, publicKey: Uint8Array.from(this.publicKey) }
  }

  // Keeps the seed and private key out of logs when an identity is serialised by accident.
  /** What JSON.stringify shows of an identity: its name and NaraID, never its keys. */
  toJSON (): { name: string, id: NaraID } {
    return { name: this.name, id: this.id }
  }
}

/** The name and soul options ask for; the machine id is read only when one of them is left out. */
function chosenSoul (opts: CreateIdentityOptions): { name: string, soul: Soul } {
  let machineId = opts.machineId
  const machine = (): string => (machineId ??= readMachineId())
  const name = validateName(opts.name ?? machineName(machine()))
  const soul = opts.soul !== undefined && opts.soul !== '' ? parseSoul(opts.soul, name) : nativeSoul(name, machine())
  return { name, soul }
}

/**
 * @throws {InvalidNameError} when the name is invalid
 * @throws {InvalidSoulError} when the soul is malformed or bonded to another name
 */
function checkBond (soul: Soul, name: string): void {
  validateName(name)
  if (soul.seed.length !== SEED_BYTES) {
    throw new InvalidSoulError(`invalid soul seed: expected ${SEED_BYTES} bytes, got ${soul.seed.length}`)
  }
  if (!equalBytes(soul.tag, bondTag(soul.seed, name))) {
    throw new InvalidSoulError(`this soul belongs to a different name than "${name}"; pass the name it was made for with --name`)
  }
}
