// The nara inspector: renders the snapshots and traffic the node pushes over
// server-sent events. Everything shown comes from peers or the network, so it is
// written with textContent only, never parsed as HTML.

import { renderSwarm } from './swarm-graph.js'
import { renderRates } from './rate-chart.js'
import { RateWindow, chartSpan } from './rate-window.js'

const FEED_ROWS = 200
/** messages in and out per second, from the traffic events this page has seen */
const rates = new RateWindow()

const $ = (id) => document.getElementById(id)

/** An element with text content (never markup). */
function el (tag, text, className) {
  const node = document.createElement(tag)
  if (text !== undefined && text !== null) node.textContent = String(text)
  if (className) node.className = className
  return node
}

function row (cells) {
  const tr = el('tr')
  for (const cell of cells) {
    const td = el('td')
    if (cell instanceof Node) td.append(cell)
    else td.textContent = cell === undefined || cell === null ? '' : String(cell)
    tr.append(td)
  }
  return tr
}

/** A long id shortened for the table, whole in its tooltip. */
function shortId (id) {
  const span = el('span', id && id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : (id || '—'), 'mono')
  if (id) span.title = id
  return span
}

function duration (ms) {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`
}

const ago = (then, now) => `${duration(now - then)} ago`
const clock = (ms) => new Date(ms).toLocaleTimeString()

function replaceRows (tbody, rows, emptyNote) {
  tbody.replaceChildren(...rows)
  emptyNote.hidden = rows.length > 0
}

function renderIdentity (status) {
  $('name').textContent = status.name
  $('nara-id').textContent = status.id
  $('peer-id').textContent = status.peerId
  $('uptime').textContent = duration(status.uptimeMs)
  $('memory-mode').textContent = status.memoryMode
  $('addresses').replaceChildren(...status.multiaddrs.map(a => el('li', a)))
  document.title = `${status.name} · nara inspector`
}

function renderPeers (peers, now) {
  const sorted = [...peers].sort((a, b) => a.name.localeCompare(b.name))
  $('peer-count').textContent = String(peers.length)
  replaceRows($('peers'), sorted.map(p => {
    const tr = row([el('strong', p.name), shortId(p.id), shortId(p.peerId), duration(p.uptimeMs), ago(p.lastSeen, now)])
    tr.dataset.peer = p.name
    return tr
  }), $('no-peers'))
}

function renderStash (stash, now) {
  $('no-stash').hidden = stash !== null
  $('stash-facts').hidden = stash === null
  $('stash-data').hidden = stash === null
  if (stash === null) return
  $('stash-version').textContent = String(stash.version)
  $('stash-stored').textContent = stash.lastStoredAt === null ? 'recovered, not stored since' : `${clock(stash.lastStoredAt)} (${ago(stash.lastStoredAt, now)})`
  $('confidants').replaceChildren(...stash.confidants.map(c => {
    const chip = el('li', c.name)
    chip.title = c.id
    return chip
  }))
  $('stash-data').textContent = pretty(stash.text)
}

function pretty (text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

function renderHeld (held, now) {
  $('held-count').textContent = String(held.length)
  replaceRows($('held'), held.map(h => row([h.ownerName || '(unknown)', shortId(h.ownerId), h.bytes, h.version, ago(h.storedAt, now)])), $('no-held'))
}

function renderCounters (stats) {
  const drops = Object.entries(stats.drops)
  $('received').textContent = String(stats.received)
  $('emitted').textContent = String(stats.emitted)
  $('dropped').textContent = String(drops.reduce((sum, [, n]) => sum + n, 0))
  $('drops').replaceChildren(...drops.map(([code, n]) => row([code, n])))
}

function renderPicture (s) {
  renderSwarm($('graph'), s.status, s.peers, {
    confidants: s.stash === null ? [] : s.stash.confidants.map(c => c.id),
    heldFor: s.held.map(h => h.ownerId)
  })
  rates.advance(s.at)
  renderRates($('rates'), rates.series(chartSpan(rates.countedSeconds())), { in: $('rates-in'), out: $('rates-out') })
}

function renderSnapshot (s) {
  renderIdentity(s.status)
  renderPicture(s)
  renderPeers(s.peers, s.at)
  renderStash(s.stash, s.at)
  renderHeld(s.held, s.at)
  renderCounters(s.stats)
}

function addTraffic (t) {
  rates.add(t.direction, t.at)
  const accepted = t.outcome === 'accepted'
  const direction = el('span', t.direction === 'in' ? '↓ in' : '↑ out', `direction ${t.direction}`)
  const peer = t.peer ? el('span', t.peer.name || t.peer.id) : el('span', t.direction === 'out' ? 'everyone (broadcast)' : '—', 'muted')
  if (t.peer) peer.title = t.peer.id
  const tr = row([clock(t.at), direction, el('span', t.kind || '(undecodable)', 'mono'), peer, t.bytes ?? '—', el('span', t.outcome, accepted ? 'ok' : 'bad')])
  tr.className = accepted ? '' : 'dropped'
  const feed = $('feed')
  feed.prepend(tr)
  while (feed.childElementCount > FEED_ROWS) feed.lastElementChild.remove()
  $('no-feed').hidden = true
}

function connect () {
  const events = new EventSource('/inspector/events')
  const status = $('connection')
  events.onopen = () => { status.textContent = 'live'; status.className = 'connection live' }
  events.onerror = () => {
    status.textContent = 'reconnecting…'
    status.className = 'connection down'
    // the browser retries by itself unless it gave up (e.g. the node was down when it tried)
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 2000)
  }
  events.addEventListener('snapshot', (e) => { renderSnapshot(JSON.parse(e.data)) })
  events.addEventListener('traffic', (e) => { addTraffic(JSON.parse(e.data)) })
  events.addEventListener('skipped', (e) => {
    const note = $('skipped')
    note.textContent = `${JSON.parse(e.data).total} message(s) not shown: this page was not keeping up.`
    note.hidden = false
  })
}

function setupStashForm () {
  const form = $('stash-form')
  const result = $('stash-result')
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const button = $('stash-save')
    button.disabled = true
    result.className = ''
    result.textContent = 'storing…'
    try {
      const res = await fetch('/stash', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: $('stash-input').value })
      const body = await res.json()
      if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`)
      result.className = 'ok'
      result.textContent = `stored version ${body.version} with ${body.confidants.map(c => c.name).join(', ')}`
    } catch (err) {
      result.className = 'bad'
      result.textContent = err.message
    } finally {
      button.disabled = false
    }
  })
}

setupStashForm()
connect()
