import { createLibp2p, type Libp2p } from 'libp2p'
import { Identity } from '../identity/identity.js'
import { generateName } from '../identity/names.js'
import { formatSoul, randomSoul } from '../identity/soul.js'
import { hostFromLibp2p, type TransportHost } from '../transport/host.js'
import { assembleCore } from '../node/core.js'
import type { NaraCore, NaraCoreOptions } from '../node/types.js'
import { browserLibp2pOptions, type BrowserNaraServices } from './libp2p-options.js'
import { indexedDbSoulStore, memorySoulStore, type KeptSoul, type SoulStore } from './soul-store.js'

/** Options of `createBrowserNara`. */
export interface BrowserNaraOptions extends NaraCoreOptions {
  /** multiaddrs of Node naras to join over WebSockets, e.g. `/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3…` */
  bootstrap: string[]
  /** the name and soul to be; they replace the kept ones @default the kept ones, else a new name and a random soul */
  identity?: KeptSoul
  /** where the soul is kept between loads @default IndexedDB where the browser has it, else memory */
  store?: SoulStore
}

/** A nara running in a browser tab, with its own libp2p node. */
export type BrowserNara = NaraCore & { readonly libp2p: Libp2p<BrowserNaraServices> }

/**
 * Starts a nara in a browser tab: its soul from the store (a reload is the same
 * nara) or new, a libp2p node that dials `bootstrap` over WebSockets, and the same
 * runtime, presence and stash as a Node nara. A tab is a weak peer: its memory mode
 * is 'low' unless told otherwise, and it holds others' stashes only while it is open.
 */
export async function createBrowserNara (options: BrowserNaraOptions): Promise<BrowserNara> {
  const store = options.store ?? (typeof indexedDB === 'undefined' ? memorySoulStore() : indexedDbSoulStore())
  const kept = options.identity ?? await store.load() ?? newSoul()
  const identity = await Identity.createAsync(kept)
  await store.save({ name: identity.name, soul: identity.soulString() })
  const libp2p = await createLibp2p(browserLibp2pOptions(identity.privateKey))
  let node: NaraCore | undefined
  try {
    node = await assembleCore({
      identity,
      libp2p,
      host: tabHost(libp2p),
      bootstrap: options.bootstrap,
      options: { ...options, memoryMode: options.memoryMode ?? 'low' },
      stopHost: async () => { await libp2p.stop() }
    })
    await node.start()
    return Object.assign(node, { libp2p })
  } catch (err) {
    await (node?.stop() ?? libp2p.stop())
    throw err
  }
}

function newSoul (): KeptSoul {
  const name = generateName()
  return { name, soul: formatSoul(randomSoul(name)) }
}

/** libp2p as the transport sees it, without the DHT a tab does not run: no neighbours to look up, nothing to advertise. */
function tabHost (libp2p: Libp2p<BrowserNaraServices>): TransportHost {
  const { refreshAddresses: _refresh, providing: _providing, ...host } = hostFromLibp2p(libp2p)
  return { ...host, neighbours: async () => [] }
}
