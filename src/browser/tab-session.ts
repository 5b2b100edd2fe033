import { createBrowserNara, type BrowserNara, type BrowserNaraOptions } from './browser-nara.js'
import type { KeptSoul } from './soul-store.js'

/** What `stash.get()` gives a page: the JSON value and its version, or no data yet. */
export interface TabStash {
  data: unknown
  version: number
}

/**
 * The nara of one tab as its page and console use it (`window.nara` on GET /tab/):
 * every call returns a promise, values are JSON. `useSoul` becomes another nara
 * (the same identity a `nara start --name … --soul …` has), keeping it for the next load.
 */
export class TabSession {
  #node: Promise<BrowserNara>
  /** ms from the page's start (performance.now) to the first peer online, once joined */
  joinedAtMs?: number

  constructor (private readonly options: BrowserNaraOptions) {
    this.#node = this.start(options)
  }

  /** The running nara (for the page's own rendering and for tests). */
  async node (): Promise<BrowserNara> {
    return await this.#node
  }

  async status (): Promise<{ id: string, name: string, peerId: string }> {
    const node = await this.#node
    return { id: node.identity.id, name: node.identity.name, peerId: node.peerId() }
  }

  async peers (): Promise<Array<{ id: string, name: string }>> {
    return (await this.#node).runtime.onlinePeers().map(p => ({ id: p.id, name: p.name }))
  }

  readonly stash = {
    /** Stores any JSON value with this nara's confidants (after the state coming back at load, if any). */
    set: async (value: unknown): Promise<{ version: number, confidants: string[] }> => {
      const node = await this.#node
      if (node.stash.recovering) await node.stash.recovered()
      const report = await node.stash.set(new TextEncoder().encode(JSON.stringify(value)))
      return { version: report.version, confidants: report.confidants.map(c => c.name) }
    },
    /** The current state; `data` is undefined while there is none. */
    get: async (): Promise<TabStash> => {
      const node = await this.#node
      const bytes = node.stash.get()
      return { data: bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes)), version: node.stash.currentVersion() }
    },
    /** Resolves once the state kept by confidants has come back at load (count 0: there was none). */
    recovered: async (): Promise<{ count: number, version: number }> => await (await this.#node).stash.recovered()
  }

  /** This nara's name and soul: secret, to move it to another tab or `nara start --name <name> --soul <soul>`. */
  async soul (): Promise<KeptSoul> {
    const node = await this.#node
    return { name: node.identity.name, soul: node.identity.soulString() }
  }

  /** Stops this nara and starts the one of `soul` (kept for the next load); resolves when it runs. */
  async useSoul (name: string, soul: string): Promise<{ id: string, name: string, peerId: string }> {
    const old = await this.#node.catch(() => undefined)
    await old?.stop()
    this.joinedAtMs = undefined
    this.#node = this.start({ ...this.options, identity: { name, soul } })
    return await this.status()
  }

  private async start (options: BrowserNaraOptions): Promise<BrowserNara> {
    const node = await createBrowserNara(options)
    this.whenJoined(node)
    return node
  }

  private whenJoined (node: BrowserNara): void {
    if (node.runtime.onlinePeers().length > 0) {
      this.joinedAtMs ??= performance.now()
      return
    }
    const off = node.runtime.on('presence:peer-online', () => {
      off()
      this.joinedAtMs ??= performance.now()
    })
  }
}
