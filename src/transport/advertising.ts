import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Providing } from './host.js'

/** multicodec `raw`: the CID names a key, not content anyone serves. */
const RAW_CODEC = 0x55

/** The DHT key of an advertisement topic: a CID of its namespaced hash. */
export async function topicKey (topic: string): Promise<CID> {
  return CID.createV1(RAW_CODEC, await sha256.digest(new TextEncoder().encode(`nara:${topic}`)))
}

/**
 * Advertisements as DHT provider records: `advertise` stores "this node has it"
 * on the nodes closest to the topic's key (the DHT renews it until withdrawn),
 * `find` asks the DHT who advertised a topic. Without content routing (an embedder's
 * node with no DHT) advertising is a no-op and nobody is found.
 */
export class Advertising {
  private readonly topics = new Set<string>()

  constructor (private readonly providing: Providing | undefined) {}

  async advertise (topic: string, options?: AbortOptions): Promise<void> {
    if (this.providing === undefined || this.topics.has(topic)) return
    this.topics.add(topic)
    try {
      await this.providing.provide(await topicKey(topic), options)
    } catch (err) {
      this.topics.delete(topic) // the next advertise tries again
      throw err
    }
  }

  /** Stops renewing; records already stored expire on their own (see ADVERTISEMENT_VALIDITY_MS). */
  async withdraw (topic: string): Promise<void> {
    if (this.providing === undefined || !this.topics.delete(topic)) return
    await this.providing.cancelReprovide(await topicKey(topic))
  }

  async * find (topic: string, options?: AbortOptions): AsyncIterable<PeerId> {
    if (this.providing === undefined) return
    for await (const provider of this.providing.findProviders(await topicKey(topic), options)) yield provider.id
  }
}
