import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { TransportHost } from './host.js'

/** How long after a DHT query the connections it opened are released (once the DHT has pinged the peers it met). */
const RELEASE_AFTER_MS = 3_000

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
 *
 * A DHT query connects to the naras near the key (about k = 20: most of a small
 * swarm), and Kad-DHT tags the closest peers it met keep-alive, so libp2p keeps (and
 * redials) those connections. A nara keeps a few connections on purpose
 * (ConnectionKeeper); the ones it dialled for a query are released afterwards.
 * Without this, every nara that ran one lookup stayed connected to nearly everyone.
 */
export class Advertising {
  private readonly topics = new Set<string>()
  private readonly providing: TransportHost['providing']

  constructor (private readonly host: Pick<TransportHost, 'providing' | 'dialledPeers' | 'release'>) {
    this.providing = host.providing
  }

  async advertise (topic: string, options?: AbortOptions): Promise<void> {
    const providing = this.providing
    if (providing === undefined || this.topics.has(topic)) return
    this.topics.add(topic)
    try {
      await this.releasingWhatItDials(async () => { await providing.provide(await topicKey(topic), options) })
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

  /** The advertisers of `topic`, once the lookup is over (connections to them are kept: they are about to be called). */
  async find (topic: string, options?: AbortOptions): Promise<PeerId[]> {
    const providing = this.providing
    if (providing === undefined) return []
    const found: PeerId[] = []
    await this.releasingWhatItDials(async () => {
      for await (const provider of providing.findProviders(await topicKey(topic), options)) found.push(provider.id)
    }, found)
    return found
  }

  private async releasingWhatItDials (query: () => Promise<void>, keep: PeerId[] = []): Promise<void> {
    const before = new Set(this.host.dialledPeers().map(p => p.toString()))
    try {
      await query()
    } finally {
      setTimeout(() => {
        const kept = new Set([...before, ...keep.map(p => p.toString())])
        for (const peer of this.host.dialledPeers()) {
          if (!kept.has(peer.toString())) this.host.release(peer).catch(() => {})
        }
      }, RELEASE_AFTER_MS).unref()
    }
  }
}
