import { serviceDependencies, type ComponentLogger, type ContentRouting, type Libp2pEvents, type PeerId, type PeerRouting, type PeerStore, type PrivateKey, type Startable, type TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { GossipSub } from '@libp2p/gossipsub'
import { hostFromComponents } from '../transport/index.js'
import { assembleNara } from './assemble.js'
import type { Identity } from '../identity/index.js'
import type { NaraNode, NaraOptions, NodeOnlyOption } from './types.js'

/** Options of the `nara()` libp2p service. */
export interface NaraServiceInit extends Omit<NaraOptions, NodeOnlyOption> {
  /** the nara identity; the libp2p node must be created with `privateKey: identity.privateKey` */
  identity: Identity
  /** the key of the app's gossipsub service in its libp2p `services` @default 'pubsub' */
  pubsubService?: string
}

/** What the nara service uses from the host node. */
export interface NaraServiceComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  peerRouting: PeerRouting
  contentRouting: ContentRouting
  peerStore: PeerStore
  logger: ComponentLogger
  [service: string]: unknown
}

/** nara running inside someone else's libp2p node. */
export class NaraLibp2pService implements Startable {
  readonly [Symbol.toStringTag] = '@nara/service'
  readonly [serviceDependencies]: string[] = ['@libp2p/pubsub']
  private current?: NaraNode

  constructor (private readonly components: NaraServiceComponents, private readonly init: NaraServiceInit) {
    if (!components.privateKey.equals(init.identity.privateKey)) {
      throw new Error('nara: the libp2p node must use the nara identity key; create it with `privateKey: identity.privateKey`')
    }
  }

  /** The running nara (its runtime, stash, presence); throws before libp2p has started. */
  get node (): NaraNode {
    if (this.current === undefined) throw new Error('nara: the libp2p node has not started yet')
    return this.current
  }

  async start (): Promise<void> {
    const name = this.init.pubsubService ?? 'pubsub'
    let pubsub: GossipSub | undefined
    try {
      pubsub = this.components[name] as GossipSub | undefined
    } catch {
      // libp2p's components proxy throws for a service it does not have
    }
    if (pubsub === undefined) {
      throw new Error(`nara: no gossipsub service named "${name}" in this libp2p node; add \`${name}: gossipsub()\` to its services or set pubsubService`)
    }
    const { components } = this
    this.current = await assembleNara({
      identity: this.init.identity,
      libp2p: { peerId: components.peerId, getMultiaddrs: () => components.addressManager.getAddresses() },
      host: hostFromComponents(components, pubsub),
      bootstrap: [],
      options: this.init,
      stopHost: async () => {}
    })
  }

  /** The runtime starts once every libp2p service (gossipsub among them) is running. */
  async afterStart (): Promise<void> {
    await this.current?.start()
  }

  /** Says chau and closes streams while gossipsub can still carry it. */
  async beforeStop (): Promise<void> {
    await this.current?.stop()
  }

  async stop (): Promise<void> {
    this.current = undefined
  }
}

/**
 * A js-libp2p service factory that adds nara to an existing libp2p node:
 *
 * ```ts
 * const identity = Identity.create({ name: 'my-app' })
 * const node = await createLibp2p({
 *   privateKey: identity.privateKey,
 *   // transports, encrypters, muxers...
 *   services: { identify: identify(), pubsub: gossipsub(), nara: nara({ identity }) }
 * })
 * await node.services.nara.node.stash.set(data)
 * ```
 *
 * The app's gossipsub is its own: to score nara's topics as a standalone nara does,
 * pass `gossipsub({ scoreParams: naraScoreParams(), scoreThresholds: naraScoreThresholds() })`.
 */
export function nara (init: NaraServiceInit): (components: NaraServiceComponents) => NaraLibp2pService {
  return (components) => new NaraLibp2pService(components, init)
}
