import type { PeersBody, StashBody, StashSetBody, StatusBody, HeldBody } from '../api/types.js'

/** What `nara start` reports once the node and its API are up (also its --json line). */
export interface StartSummary {
  name: string
  id: string
  peerId: string
  multiaddrs: string[]
  api: string
  apiPort: number
  memoryMode: string
}

/** A duration such as "3s", "2m 5s", "1h 2m", "3d 4h". */
export function formatDuration (ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** Label/value lines, the labels padded to one width; a list value continues on the next lines. */
export function keyValues (rows: Array<[string, string | string[]]>, indent = ''): string[] {
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines: string[] = []
  for (const [key, value] of rows) {
    const values = Array.isArray(value) ? (value.length > 0 ? value : ['(none)']) : [value]
    values.forEach((v, i) => { lines.push(`${indent}${(i === 0 ? key : '').padEnd(width)}  ${v}`) })
  }
  return lines
}

/** A table with a header row; columns padded to their widest cell. */
export function table (header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ')
  return [line(header), ...rows.map(line)]
}

/** The readable start-up summary; `soulGiven`: started with --soul, which `nara soul --name` alone would not print. */
export function formatStartSummary (s: StartSummary, soulGiven = false): string[] {
  return [
    `nara ${s.name} is running`,
    ...keyValues([
      ['NaraID', s.id],
      ['PeerID', s.peerId],
      ['soul', soulGiven ? 'secret; the one given with --soul' : `secret; \`nara soul --name ${s.name}\` prints it`],
      ['multiaddrs', s.multiaddrs],
      ['API', s.api],
      ['memory mode', s.memoryMode]
    ], '  '),
    'Stop it with Ctrl-C.'
  ]
}

export function formatStatus (s: StatusBody): string[] {
  return keyValues([
    ['name', s.name],
    ['NaraID', s.id],
    ['PeerID', s.peerId],
    ['uptime', formatDuration(s.uptimeMs)],
    ['memory mode', s.memoryMode],
    ['reachability', s.reachability + (s.relaying ? ` (relaying for naras behind NAT: ${s.reservationsServed} reservation(s))` : '')],
    ...(s.confirmedAddresses.length > 0 ? [['confirmed', s.confirmedAddresses] as [string, string[]]] : []),
    ...(s.relays.length > 0 ? [['relays', s.relays] as [string, string[]]] : []),
    ['multiaddrs', s.multiaddrs]
  ])
}

/** A peer's uptime now: what it announced, plus the time since we heard it. */
export function uptimeNow (peer: { uptimeMs: number, lastSeen: number }, now = Date.now()): number {
  return peer.uptimeMs + Math.max(0, now - peer.lastSeen)
}

export function formatPeers (body: PeersBody, now = Date.now()): string[] {
  if (body.peers.length === 0) return ['no peers online; start another nara with --bootstrap <this nara\'s multiaddr>']
  const rows = [...body.peers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(p => [p.name, p.id, p.peerId ?? '(unknown)', formatLink(p), formatDuration(uptimeNow(p, now)), `${formatDuration(now - p.lastSeen)} ago`])
  return [...table(['NAME', 'NaraID', 'PeerID', 'CONNECTION', 'UPTIME', 'LAST SEEN'], rows), `${body.peers.length} peer(s) online`]
}

export function formatStash (s: StashBody): string[] {
  const data = s.format === 'text' ? String(s.data) : JSON.stringify(s.data, null, 2)
  return [
    ...data.split('\n'),
    `version ${s.version}, kept by ${names(s.confidants)}`
  ]
}

export function formatStashSet (r: StashSetBody): string[] {
  const lines = [`stored version ${r.version} with ${r.confidants.length} confidant(s): ${names(r.confidants)}`]
  for (const f of r.failures) lines.push(`  not stored with ${f.id}: ${f.error}`)
  return lines
}

export function formatHeld (held: HeldBody[], now = Date.now()): string[] {
  if (held.length === 0) return ['this nara keeps no stash for others']
  const rows = held.map(h => [h.ownerName, h.ownerId, String(h.version), `${h.bytes} B`, `${formatDuration(now - h.storedAt)} ago`])
  return table(['OWNER', 'NaraID', 'VERSION', 'SIZE', 'STORED'], rows)
}

/** `direct`, `relayed via <relay>`, or `none`. */
export function formatLink (p: { connection: string, relay?: string }): string {
  return p.connection === 'relayed' && p.relay !== undefined ? `relayed via ${p.relay}` : p.connection
}

function names (confidants: Array<{ name: string }>): string {
  return confidants.length === 0 ? '(none)' : confidants.map(c => c.name).join(', ')
}
