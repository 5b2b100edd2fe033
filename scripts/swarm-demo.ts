import type { HeldBody, StashBody, StashSetBody } from '../src/api/types.js'
import type { Children, NaraChild } from './swarm-children.js'
import { pollUntil, tryApi } from './swarm-api.js'

/** How long the restarted owner may take to get its stash back. */
export const RECOVERY_TIMEOUT_MS = 60_000
const START_TIMEOUT_MS = 20_000

type Say = (line: string) => void

/** A nara's web inspector: the root of its API. */
export const inspectorUrl = (api: string): string => `${api}/`
/** The page that runs a nara in a browser tab, joined through the nara at `api`. */
export const tabUrl = (api: string): string => `${api}/tab/`

/**
 * The stash story: store a state on the first nara, kill it hard, restart it with
 * the same name (same machine, so the same identity) and wait until its
 * confidants have given the state back. Returns the restarted child.
 */
export async function runDemo (children: Children, nodes: NaraChild[], say: Say): Promise<NaraChild> {
  const owner = nodes[0]
  const ownerApi = owner.summary!.api
  const state = { game: 'nara demo', level: 7, inventory: ['lantern', 'map', 'three keys'], savedAt: new Date().toISOString() }

  say(`Watch ${owner.spec.name} live in a browser: ${inspectorUrl(ownerApi)} (its page reconnects by itself after the restart)`)
  say(`1. ${owner.spec.name} stores its state in its stash (PUT ${ownerApi}/stash):`)
  say(`   ${JSON.stringify(state)}`)
  const put = await tryApi<StashSetBody & { error?: string }>(ownerApi, '/stash', { method: 'PUT', body: JSON.stringify(state) })
  if (put?.status !== 200) throw new Error(`PUT /stash failed: ${put?.body.error ?? 'no answer'}`)
  say(`   sealed and kept by ${put.body.confidants.length} confidant(s): ${put.body.confidants.map(c => c.name).join(', ')} (version ${put.body.version})`)
  for (const node of nodes.slice(1)) {
    const held = await tryApi<{ held: HeldBody[] }>(node.summary!.api, '/stash/held')
    const mine = held?.body.held.find(h => h.ownerId === owner.summary!.id)
    if (mine !== undefined) say(`   ${node.spec.name} holds ${mine.bytes} bytes of ciphertext it cannot read`)
  }

  say(`2. ${owner.spec.name} crashes: SIGKILL to PID ${owner.pid}`)
  await children.kill(owner)

  say(`3. ${owner.spec.name} restarts with the same --name on this machine, joining through ${nodes[1].spec.name}`)
  const restartedAt = Date.now()
  const reborn = children.spawn({ ...owner.spec, bootstrap: nodes[1].summary!.multiaddrs[0] })
  const summary = await children.summaryOf(reborn, START_TIMEOUT_MS)
  const same = summary.id === owner.summary!.id
  say(`   NaraID ${summary.id} (${same ? 'the same identity' : 'a DIFFERENT identity!'}), up after ${Date.now() - restartedAt} ms`)
  if (!same) throw new Error('the restarted nara has another NaraID; the native soul should give the same one')

  say(`4. it asks the swarm for its stash; polling GET ${summary.api}/stash ...`)
  const recovered = await pollUntil(async () => {
    if (reborn.exitedWith !== undefined) throw new Error(`${reborn.spec.name} exited (${reborn.exitedWith})`)
    const res = await tryApi<StashBody>(summary.api, '/stash')
    return res?.status === 200 ? res.body : undefined
  }, RECOVERY_TIMEOUT_MS, () => `${owner.spec.name} to recover its stash`)
  const ms = Date.now() - restartedAt
  if (JSON.stringify(recovered.data) !== JSON.stringify(state)) {
    throw new Error(`recovered a different state: ${JSON.stringify(recovered.data)}`)
  }
  say(`   recovered in ${ms} ms from restart, version ${recovered.version}, from ${recovered.confidants.map(c => c.name).join(', ')}:`)
  say(`   ${JSON.stringify(recovered.data)}`)
  say('The state survived its owner\'s crash, kept encrypted by peers that could not read it.')
  return reborn
}
