// The page of GET /tab/: a nara running in this tab, joined through the nara that
// serves the page. `window.nara` is its TabSession: status(), peers(), stash.set(v),
// stash.get(), soul(), useSoul(name, soul), each returning a promise.
const REFRESH_MS = 500
const $ = (id) => document.getElementById(id)

function text (id, value) {
  $(id).textContent = value
}

function problem (message) {
  $('problem').textContent = message
  $('problem').hidden = false
  $('connection').textContent = 'not joined'
  $('connection').className = 'connection down'
}

function row (cells, key) {
  const tr = document.createElement('tr')
  tr.dataset.peer = key
  for (const cell of cells) {
    const td = document.createElement('td')
    td.textContent = cell
    tr.append(td)
  }
  return tr
}

async function render (session) {
  const [status, peers, stash] = await Promise.all([session.status(), session.peers(), session.stash.get()])
  text('name', status.name)
  text('nara-id', status.id)
  text('peer-id', status.peerId)
  document.title = `${status.name} — nara in a tab`
  const joined = peers.length > 0
  $('connection').textContent = joined ? 'joined' : 'joining…'
  $('connection').className = `connection ${joined ? 'live' : ''}`
  if (session.joinedAtMs !== undefined) text('joined-in', `${Math.round(session.joinedAtMs)} ms`)
  text('peer-count', String(peers.length))
  $('no-peers').hidden = joined
  $('peers').replaceChildren(...peers.map(p => row([p.name, p.id], p.name)))
  const has = stash.data !== undefined
  $('no-stash').hidden = has
  $('stash-facts').hidden = !has
  $('stash-data').hidden = !has
  if (has) {
    text('stash-version', String(stash.version))
    text('stash-data', JSON.stringify(stash.data, null, 2))
    const node = await session.node()
    $('confidants').replaceChildren(...node.stash.confidants().map(c => {
      const li = document.createElement('li')
      li.textContent = c.name
      return li
    }))
  }
}

function wireForms (session) {
  $('stash-form').addEventListener('submit', async (event) => {
    event.preventDefault()
    const result = $('stash-result')
    let value
    try {
      value = JSON.parse($('stash-input').value)
    } catch (err) {
      result.textContent = `not JSON: ${err.message}`
      result.className = 'bad'
      return
    }
    $('stash-save').disabled = true
    try {
      const stored = await session.stash.set(value)
      result.textContent = `stored version ${stored.version} with ${stored.confidants.join(', ')}`
      result.className = 'ok'
      await render(session)
    } catch (err) {
      result.textContent = err.message
      result.className = 'bad'
    } finally {
      $('stash-save').disabled = false
    }
  })
  $('soul-show').addEventListener('click', async () => {
    const { name, soul } = await session.soul()
    $('soul-name').value = name
    $('soul-text').value = soul
  })
  $('soul-form').addEventListener('submit', async (event) => {
    event.preventDefault()
    const result = $('soul-result')
    $('soul-use').disabled = true
    try {
      const status = await session.useSoul($('soul-name').value.trim(), $('soul-text').value.trim())
      result.textContent = `now ${status.name}`
      result.className = 'ok'
    } catch (err) {
      result.textContent = err.message
      result.className = 'bad'
    } finally {
      $('soul-use').disabled = false
    }
  })
}

async function main () {
  const join = await (await fetch('/tab/join')).json()
  text('addresses', '')
  $('addresses').replaceChildren(...join.addresses.map(a => {
    const li = document.createElement('li')
    li.textContent = a
    return li
  }))
  if (join.addresses.length === 0) {
    problem(`${join.name} has no WebSocket listener for this tab to join through: start it with --listen /ip4/127.0.0.1/tcp/0/ws as well.`)
    return
  }
  let bundle
  try {
    bundle = await import('/tab/nara.js')
  } catch (err) {
    problem(`the browser build of nara did not load (${err.message}); run npm run build.`)
    return
  }
  const session = new bundle.TabSession({ bootstrap: join.addresses })
  window.nara = session
  wireForms(session)
  try {
    await session.node()
  } catch (err) {
    problem(`the nara in this tab did not start: ${err.message}`)
    return
  }
  const tick = async () => {
    try {
      await render(session)
    } catch (err) {
      problem(err.message)
    }
    setTimeout(tick, REFRESH_MS)
  }
  void tick()
}

void main()
