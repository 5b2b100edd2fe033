/**
 * @packageDocumentation
 *
 * nara in a browser tab: the same runtime, presence and stash as on Node, over
 * WebSockets to Node naras, with the soul kept in IndexedDB. Built into
 * `dist/browser/nara.js` by `npm run bundle:browser`; no Node built-ins.
 *
 * @example
 * ```ts
 * import { createBrowserNara } from 'nara-p2p/browser'
 * const nara = await createBrowserNara({ bootstrap: ['/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3Koo…'] })
 * await nara.ready()
 * await nara.stash.set(new TextEncoder().encode('{"level":7}'))
 * ```
 */
export { createBrowserNara } from './browser/browser-nara.js'
export type { BrowserNara, BrowserNaraOptions } from './browser/browser-nara.js'
export { browserLibp2pOptions } from './browser/libp2p-options.js'
export type { BrowserNaraServices } from './browser/libp2p-options.js'
export { indexedDbSoulStore, memorySoulStore } from './browser/soul-store.js'
export type { KeptSoul, SoulStore } from './browser/soul-store.js'
export { TabSession } from './browser/tab-session.js'
export type { TabStash } from './browser/tab-session.js'
export { Identity } from './identity/identity.js'
export { Envelope, signedBytes } from './runtime/message.js'
export type { NaraCore, NaraCoreOptions } from './node/types.js'
