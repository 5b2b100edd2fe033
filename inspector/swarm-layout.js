// Where the swarm graph puts things, without touching the DOM (so it is tested on its
// own): this nara in the centre, its peers around it on an ellipse, each peer's name
// beside its node, with the relay's name under it when the link is relayed.

/** The drawing's width in its own units; the SVG scales it to the card. */
export const GRAPH_WIDTH = 640
/** The drawing's height for up to ROOMY_PEERS peers. */
const BASE_HEIGHT = 340
/** Beyond this many peers the drawing grows taller, so names on the sides stay apart. */
const ROOMY_PEERS = 12
const HEIGHT_PER_EXTRA_PEER = 24
const MAX_HEIGHT = 900
/** Space kept outside the ellipse for the names: beside it (long names) and above/below it. */
const LABEL_ROOM_X = 150
const LABEL_ROOM_Y = 50
export const NODE_RADIUS = 9
/** The ring round a confidant's node. */
export const CONFIDANT_RING = NODE_RADIUS + 5
/** From a node's centre to its name: clear of the ring, marked or not, so names line up. */
const LABEL_DISTANCE = CONFIDANT_RING + 7
/** Names longer than this are cut in the drawing (they are whole in the tooltip). */
export const LABEL_CHARS = 18
/** A node whose direction from the centre is this close to vertical has its name above or below it. */
const ABOVE_OR_BELOW_COS = 0.2
/** Between a name and the relay's name under it. */
const LINE_HEIGHT = 15

/** `name` cut to `max` characters (an ellipsis marks the cut). */
export function shortLabel (name, max = LABEL_CHARS) {
  const chars = [...name]
  return chars.length <= max ? name : `${chars.slice(0, max - 1).join('')}…`
}

/** The drawing's height for this many peers. */
export function graphHeight (peerCount) {
  return Math.min(MAX_HEIGHT, BASE_HEIGHT + Math.max(0, peerCount - ROOMY_PEERS) * HEIGHT_PER_EXTRA_PEER)
}

/**
 * The positions of this nara and its peers. `peers` are GET /peers entries;
 * `marks.confidants` the NaraIDs holding this nara's stash, `marks.heldFor` those
 * whose stash this nara holds. Peers go round clockwise from the right, by name (then
 * NaraID), so a peer keeps its place while the others stay.
 */
export function layoutSwarm (peers, marks = {}) {
  const confidants = new Set(marks.confidants ?? [])
  const heldFor = new Set(marks.heldFor ?? [])
  const height = graphHeight(peers.length)
  const centre = { x: GRAPH_WIDTH / 2, y: height / 2 }
  const rx = GRAPH_WIDTH / 2 - LABEL_ROOM_X
  const ry = height / 2 - LABEL_ROOM_Y
  const sorted = [...peers].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  const nodes = sorted.map((peer, i) => {
    const angle = (2 * Math.PI * i) / sorted.length
    const x = round(centre.x + rx * Math.cos(angle))
    const y = round(centre.y + ry * Math.sin(angle))
    const connection = peer.connection ?? 'none'
    const labels = labelsBeside(x, y, Math.cos(angle), Math.sin(angle), connection === 'relayed')
    const node = {
      id: peer.id,
      name: peer.name,
      label: shortLabel(peer.name),
      x,
      y,
      connection,
      confidant: confidants.has(peer.id),
      holdsTheirs: heldFor.has(peer.id),
      labelAt: labels.name
    }
    if (connection === 'relayed') {
      node.relay = peer.relay ?? ''
      node.relayAt = labels.relay
    }
    return node
  })
  return { width: GRAPH_WIDTH, height, centre, nodes }
}

/**
 * A name's place: beside a node on the sides of the ellipse, above or below it at the
 * top and bottom. With a relay, its name is a second line (nearer the node when above).
 */
function labelsBeside (x, y, cos, sin, relayed) {
  const second = relayed ? LINE_HEIGHT : 0
  if (cos > ABOVE_OR_BELOW_COS || cos < -ABOVE_OR_BELOW_COS) {
    const side = cos > 0
      ? { x: x + LABEL_DISTANCE, anchor: 'start', baseline: 'central' }
      : { x: x - LABEL_DISTANCE, anchor: 'end', baseline: 'central' }
    return { name: { ...side, y }, relay: { ...side, y: y + second } }
  }
  if (sin < 0) {
    const above = { x, anchor: 'middle', baseline: 'auto' }
    return { name: { ...above, y: y - LABEL_DISTANCE - second }, relay: { ...above, y: y - LABEL_DISTANCE } }
  }
  const below = { x, anchor: 'middle', baseline: 'hanging' }
  return { name: { ...below, y: y + LABEL_DISTANCE }, relay: { ...below, y: y + LABEL_DISTANCE + second } }
}

const round = (n) => Math.round(n * 10) / 10
