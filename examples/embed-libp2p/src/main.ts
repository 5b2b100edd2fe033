/**
 * nara inside an existing js-libp2p node: the app owns the node and its transports,
 * and nara runs as one of its services. Prints the nara's name, its NaraID and the
 * node's PeerID, then stops.
 */
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { Identity, nara } from 'nara-p2p'

// The node must be keyed by the nara identity: that makes the PeerID and the NaraID one key.
const identity = Identity.create({ name: 'my-app' })
const node = await createLibp2p({
  privateKey: identity.privateKey,
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub(), nara: nara({ identity }) }
})
const me = node.services.nara.node // the running nara: runtime, stash, presence, ready()
console.log(`nara ${me.identity.name} ${me.identity.id} runs in libp2p node ${node.peerId.toString()}`)
await node.stop()
