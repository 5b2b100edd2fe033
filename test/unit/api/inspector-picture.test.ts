import { beforeAll, describe, expect, it } from 'vitest'

// The page's modules are plain browser JavaScript (inspector/); their pure parts are
// loaded here as they are served, typed by what the page relies on.

type Connection = 'direct' | 'relayed' | 'none'
interface Place { x: number, y: number, anchor: 'start' | 'middle' | 'end', baseline: string }
interface LaidOutPeer {
  id: string
  name: string
  label: string
  x: number
  y: number
  connection: Connection
  confidant: boolean
  holdsTheirs: boolean
  labelAt: Place
  relay?: string
  relayAt?: Place
}
interface SwarmLayout { width: number, height: number, centre: { x: number, y: number }, nodes: LaidOutPeer[] }
interface PeerEntry { id: string, name: string, connection?: Connection, relay?: string }
interface LayoutModule {
  GRAPH_WIDTH: number
  NODE_RADIUS: number
  LABEL_CHARS: number
  shortLabel: (name: string, max?: number) => string
  graphHeight: (peerCount: number) => number
  layoutSwarm: (peers: PeerEntry[], marks?: { confidants?: string[], heldFor?: string[] }) => SwarmLayout
}
type Series = Array<number | null>
interface RateWindow {
  counts: Map<number, { in: number, out: number }>
  add: (direction: 'in' | 'out', at: number) => void
  advance: (now: number) => void
  countedSeconds: () => number
  series: (span?: number) => { in: Series, out: Series }
}
interface RatesModule {
  WINDOW_SECONDS: number
  RateWindow: new (seconds?: number) => RateWindow
  niceCeiling: (value: number) => number
  seriesPath: (values: Series, box: { left: number, top: number, width: number, height: number }, yTop: number) => { line: string, area: string }
  total: (values: Series) => number
  chartSpan: (countedSeconds: number, window?: number) => number
  timeTicks: (span: number) => Array<{ back: number, label: string }>
}

const load = async <T>(file: string): Promise<T> => await import(new URL(`../../../inspector/${file}`, import.meta.url).href) as T

let layout: LayoutModule
let rates: RatesModule
beforeAll(async () => {
  layout = await load<LayoutModule>('swarm-layout.js')
  rates = await load<RatesModule>('rate-window.js')
})

const peer = (name: string, connection: Connection = 'direct', relay?: string): PeerEntry =>
  ({ id: `id-${name}`, name, connection, ...(relay === undefined ? {} : { relay }) })
const names = (n: number): PeerEntry[] => Array.from({ length: n }, (_, i) => peer(`nara-${String(i).padStart(2, '0')}`))
/** A generous width per character of the 12.5px labels. */
const CHAR_WIDTH = 7

describe('the swarm graph layout', () => {
  it('cuts long names to LABEL_CHARS characters, whole characters only', () => {
    expect(layout.shortLabel('bea')).toBe('bea')
    const long = layout.shortLabel('cleo-with-a-very-long-name-indeed')
    expect([...long]).toHaveLength(layout.LABEL_CHARS)
    expect(long).toBe('cleo-with-a-very-…')
    expect(layout.shortLabel('🐙🐙🐙🐙', 3)).toBe('🐙🐙…')
  })

  it('puts this nara in the centre and each peer on its own place around it, in name order', () => {
    const { centre, nodes, width, height } = layout.layoutSwarm([peer('cleo'), peer('bea'), peer('dora')])
    expect(centre).toEqual({ x: width / 2, y: height / 2 })
    expect(nodes.map(n => n.name)).toEqual(['bea', 'cleo', 'dora'])
    // the first peer is straight right of the centre, the others clockwise
    expect(nodes[0].y).toBe(centre.y)
    expect(nodes[0].x).toBeGreaterThan(centre.x)
    expect(nodes[1].y).toBeGreaterThan(centre.y)
    expect(nodes[2].y).toBeLessThan(centre.y)
    const distinct = new Set(nodes.map(n => `${n.x},${n.y}`))
    expect(distinct.size).toBe(3)
  })

  it('marks confidants and the peers whose stash this nara holds, by NaraID', () => {
    const { nodes } = layout.layoutSwarm([peer('bea'), peer('cleo'), peer('dora')], { confidants: ['id-bea', 'id-cleo'], heldFor: ['id-dora', 'id-nobody'] })
    expect(nodes.map(n => [n.name, n.confidant, n.holdsTheirs])).toEqual([['bea', true, false], ['cleo', true, false], ['dora', false, true]])
  })

  it('keeps how each peer is reached, and names the relay of a relayed one under its name', () => {
    const { nodes } = layout.layoutSwarm([peer('bea'), peer('cleo', 'relayed', 'bea'), peer('dora', 'none'), { id: 'id-eli', name: 'eli' }])
    expect(nodes.map(n => n.connection)).toEqual(['direct', 'relayed', 'none', 'none'])
    expect(nodes[0].relayAt).toBeUndefined()
    const cleo = nodes[1]
    expect(cleo.relay).toBe('bea')
    expect(cleo.relayAt!.anchor).toBe(cleo.labelAt.anchor)
    expect(Math.abs(cleo.relayAt!.y - cleo.labelAt.y)).toBeGreaterThanOrEqual(12)
  })

  it('sets names beside nodes on the sides and above or below them at the top and bottom', () => {
    const { nodes } = layout.layoutSwarm(names(4))
    const [right, bottom, left, top] = nodes
    expect(right.labelAt).toMatchObject({ anchor: 'start' })
    expect(right.labelAt.x).toBeGreaterThan(right.x + layout.NODE_RADIUS)
    expect(left.labelAt).toMatchObject({ anchor: 'end' })
    expect(left.labelAt.x).toBeLessThan(left.x - layout.NODE_RADIUS)
    expect(top.labelAt).toMatchObject({ anchor: 'middle', baseline: 'auto', x: top.x })
    expect(top.labelAt.y).toBeLessThan(top.y - layout.NODE_RADIUS)
    expect(bottom.labelAt).toMatchObject({ anchor: 'middle', baseline: 'hanging', x: bottom.x })
    expect(bottom.labelAt.y).toBeGreaterThan(bottom.y + layout.NODE_RADIUS)
  })

  it('grows taller beyond a dozen peers, up to a bound', () => {
    expect(layout.graphHeight(0)).toBe(layout.graphHeight(12))
    expect(layout.graphHeight(20)).toBeGreaterThan(layout.graphHeight(12))
    expect(layout.graphHeight(10_000)).toBe(layout.graphHeight(1_000))
  })

  it.each([1, 2, 3, 5, 12, 20, 40])('with %i peers, nodes stay apart and names (and relays) inside the drawing', (count) => {
    const peers = names(count).map((p, i) => i % 2 === 0 ? p : { ...p, connection: 'relayed' as const, relay: 'r'.repeat(40) })
    const { nodes, width, height } = layout.layoutSwarm(peers)
    const room = layout.LABEL_CHARS * CHAR_WIDTH
    for (const node of nodes) {
      for (const place of [node.labelAt, ...(node.relayAt === undefined ? [] : [node.relayAt])]) {
        const [from, to] = place.anchor === 'start' ? [place.x, place.x + room] : place.anchor === 'end' ? [place.x - room, place.x] : [place.x - room / 2, place.x + room / 2]
        expect(from, node.name).toBeGreaterThanOrEqual(0)
        expect(to, node.name).toBeLessThanOrEqual(width)
        expect(place.y - 12, node.name).toBeGreaterThanOrEqual(0)
        expect(place.y + 12, node.name).toBeLessThanOrEqual(height)
      }
      for (const other of nodes) {
        if (other !== node) expect(Math.hypot(other.x - node.x, other.y - node.y)).toBeGreaterThan(2 * layout.NODE_RADIUS)
      }
    }
  })
})

describe('messages per second', () => {
  const T0 = 1_700_000_000_000

  it('counts each direction per second, oldest first, ending at the node\'s clock', () => {
    const window = new rates.RateWindow(5)
    window.advance(T0)
    window.add('in', T0 + 100)
    window.add('in', T0 + 999)
    window.add('out', T0 + 1_000)
    window.advance(T0 + 2_500)
    expect(window.series()).toEqual({ in: [null, null, 2, 0, 0], out: [null, null, 0, 1, 0] })
  })

  it('has no value (not zero) for the seconds before counting began', () => {
    const window = new rates.RateWindow(4)
    expect(window.series()).toEqual({ in: [null, null, null, null], out: [null, null, null, null] })
    window.advance(T0)
    expect(window.series()).toEqual({ in: [null, null, null, 0], out: [null, null, null, 0] })
  })

  it('keeps only the window: older seconds are forgotten, stale and far-future messages ignored', () => {
    const window = new rates.RateWindow(rates.WINDOW_SECONDS)
    for (let s = 0; s < 3 * rates.WINDOW_SECONDS; s++) {
      window.add('in', T0 + s * 1_000)
      window.advance(T0 + s * 1_000)
    }
    expect(window.counts.size).toBe(rates.WINDOW_SECONDS)
    const now = T0 + (3 * rates.WINDOW_SECONDS - 1) * 1_000
    window.add('out', now - rates.WINDOW_SECONDS * 1_000)
    window.add('out', now + 3_600_000)
    expect(window.counts.size).toBe(rates.WINDOW_SECONDS)
    const series = window.series()
    expect(series.in).toEqual(new Array(rates.WINDOW_SECONDS).fill(1))
    expect(rates.total(series.out)).toBe(0)
  })

  it('gives the last seconds asked for, no more than the window', () => {
    const window = new rates.RateWindow(5)
    expect(window.countedSeconds()).toBe(0)
    window.advance(T0)
    window.add('out', T0)
    window.advance(T0 + 2_000)
    expect(window.countedSeconds()).toBe(3)
    expect(window.series(2)).toEqual({ in: [0, 0], out: [0, 0] })
    expect(window.series(4).out).toEqual([null, 1, 0, 0])
    expect(window.series(50).out).toHaveLength(5)
  })

  it('shows whole minutes counted so far, at least one, at most the window', () => {
    expect(rates.chartSpan(0)).toBe(60)
    expect(rates.chartSpan(8)).toBe(60)
    expect(rates.chartSpan(60)).toBe(60)
    expect(rates.chartSpan(61)).toBe(120)
    expect(rates.chartSpan(299)).toBe(300)
    expect(rates.chartSpan(10_000)).toBe(rates.WINDOW_SECONDS)
  })

  it('marks the time back from now, finer on a short chart', () => {
    expect(rates.timeTicks(60).map(t => t.label)).toEqual(['−1 min', '−45 s', '−30 s', '−15 s', 'now'])
    expect(rates.timeTicks(120).map(t => t.label)).toEqual(['−2 min', '−90 s', '−1 min', '−30 s', 'now'])
    expect(rates.timeTicks(300).map(t => t.back)).toEqual([300, 240, 180, 120, 60, 0])
  })

  it('does not move back when a snapshot is older than the last', () => {
    const window = new rates.RateWindow(3)
    window.advance(T0 + 5_000)
    window.add('in', T0 + 5_000)
    window.advance(T0)
    expect(window.series().in).toEqual([null, null, 1])
  })

  it.each([[0, 1], [0.4, 1], [1, 1], [1.5, 2], [3, 5], [5, 5], [7, 10], [10, 10], [11, 20], [49, 50], [51, 100], [230, 500]])('the scale above a peak of %d is %d', (peak, top) => {
    expect(rates.niceCeiling(peak)).toBe(top)
  })

  it('draws a series as a line over the seconds that have a value, and the area under it', () => {
    const box = { left: 10, top: 0, width: 30, height: 100 }
    expect(rates.seriesPath([null, 0, 2, 4], box, 4)).toEqual({
      line: '20,100 30,50 40,0',
      area: '20,100 20,100 30,50 40,0 40,100'
    })
    expect(rates.seriesPath([null, null], box, 1)).toEqual({ line: '', area: '' })
    // a value above the top is drawn at the top
    expect(rates.seriesPath([9, 1], box, 2).line).toBe('10,0 40,50')
  })

  it('totals a series, counting nothing for seconds without a value', () => {
    expect(rates.total([null, 1, 0, 4])).toBe(5)
    expect(rates.total([])).toBe(0)
  })
})
