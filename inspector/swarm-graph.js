// The swarm as a picture: this nara in the centre, a solid line to each peer it is
// connected to directly, a dashed one through a relay (named under the peer), none to a
// peer it only knows from gossip. Peer names are hostile input: they go in as text nodes.

import { svg, tooltip } from './svg.js'
import { layoutSwarm, shortLabel, CONFIDANT_RING, NODE_RADIUS } from './swarm-layout.js'

const CENTRE_HEIGHT = 30
const CENTRE_PADDING_X = 14
/** The relay's name, after 'via ', takes as much room as a peer's name. */
const RELAY_CHARS = 14

const HOW_REACHED = {
  direct: 'connected directly',
  relayed: 'connected through a relay',
  none: 'not connected (known from gossip)'
}

/**
 * Draws the swarm into `target` (an <svg>), replacing what was there.
 * `self` is GET /status, `peers` GET /peers entries, `marks` { confidants, heldFor } (NaraIDs).
 */
export function renderSwarm (target, self, peers, marks) {
  const layout = layoutSwarm(peers, marks)
  target.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`)
  const { centre } = layout
  const edges = svg('g', { class: 'edges' })
  const nodes = svg('g', { class: 'nodes' })
  const relays = svg('g', { class: 'relays' })
  for (const node of layout.nodes) {
    if (node.connection !== 'none') {
      edges.append(svg('line', {
        x1: centre.x, y1: centre.y, x2: node.x, y2: node.y,
        class: `edge ${node.connection}`, 'data-edge': node.name, 'data-kind': node.connection
      }))
    }
    if (node.relayAt !== undefined) relays.append(relayLabel(node))
    nodes.append(peerNode(node))
  }
  const me = selfNode(self, centre)
  target.replaceChildren(edges, nodes, relays, me)
  fitPill(me)
}

function peerNode (node) {
  const classes = ['peer', node.connection]
  if (node.holdsTheirs) classes.push('holds-theirs')
  const group = svg('g', {
    class: classes.join(' '),
    'data-peer': node.name,
    'data-id': node.id,
    'data-connection': node.connection,
    'data-confidant': node.confidant ? 'true' : undefined,
    'data-holds-theirs': node.holdsTheirs ? 'true' : undefined
  })
  group.append(tooltip(describe(node)))
  if (node.confidant) group.append(svg('circle', { cx: node.x, cy: node.y, r: CONFIDANT_RING, class: 'confidant-ring' }))
  group.append(svg('circle', { cx: node.x, cy: node.y, r: NODE_RADIUS, class: 'dot' }))
  const at = node.labelAt
  group.append(svg('text', { x: at.x, y: at.y, 'text-anchor': at.anchor, 'dominant-baseline': at.baseline, class: 'name' }, node.label))
  return group
}

function describe (node) {
  const lines = [node.name, node.id, node.relay ? `${HOW_REACHED.relayed}: ${node.relay}` : HOW_REACHED[node.connection]]
  if (node.confidant) lines.push('a confidant: holds this nara\'s stash')
  if (node.holdsTheirs) lines.push('this nara holds their stash')
  return lines.join('\n')
}

function relayLabel (node) {
  const at = node.relayAt
  const text = node.relay ? `via ${shortLabel(node.relay, RELAY_CHARS)}` : 'via a relay'
  return svg('text', { x: at.x, y: at.y, 'text-anchor': at.anchor, 'dominant-baseline': at.baseline, class: 'relay', 'data-relay-of': node.name }, text)
}

/** This nara: its name in a pill at the centre (the pill is sized once the name is laid out). */
function selfNode (self, centre) {
  const group = svg('g', { class: 'self', 'data-self': self.name })
  group.append(tooltip(`${self.name} (this nara)\n${self.id}`))
  group.append(svg('rect', { x: centre.x, y: centre.y - CENTRE_HEIGHT / 2, width: 0, height: CENTRE_HEIGHT, rx: CENTRE_HEIGHT / 2 }))
  group.append(svg('text', { x: centre.x, y: centre.y, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, shortLabel(self.name)))
  return group
}

function fitPill (group) {
  const text = group.querySelector('text')
  const rect = group.querySelector('rect')
  const width = text.getComputedTextLength() + 2 * CENTRE_PADDING_X
  rect.setAttribute('x', String(Number(text.getAttribute('x')) - width / 2))
  rect.setAttribute('width', String(width))
}
