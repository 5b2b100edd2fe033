import type { FastifyInstance } from 'fastify'
import { NoConfidantError, NotEnoughPeersError, StashTooLargeError } from '../services/stash/errors.js'
import type { NaraNode } from '../node/types.js'
import { HttpError } from './errors.js'
import type { StashBody, StashSetBody } from './types.js'

const EXAMPLE = 'e.g. curl -X PUT -H \'content-type: application/json\' -d \'{"level":7}\' <api>/stash'
/** What a client is told while the stash is coming back: not "no stash", which invites overwriting it. */
const RECOVERING = 'this nara is recovering its stash from its confidants'
const RETRY_AFTER = { 'retry-after': '1' }

/** GET /stash (the owner's own state) and PUT /stash (store a new state with confidants). */
export function registerStashRoutes (app: FastifyInstance, node: NaraNode): void {
  app.get('/stash', async (): Promise<StashBody> => {
    if (node.stash.recovering) throw new HttpError(503, `${RECOVERING}; retry in a second`, RETRY_AFTER)
    const bytes = node.stash.get()
    if (bytes === undefined) throw new HttpError(404, 'this nara has no stash yet; PUT /stash to create one')
    const text = new TextDecoder().decode(bytes)
    const confidants = node.stash.confidants().map(c => ({ id: c.id, name: c.name }))
    const version = node.stash.currentVersion()
    const recovery = node.stash.recoveryReport()
    const extra = recovery !== undefined ? { recovery } : {}
    try {
      return { data: JSON.parse(text) as unknown, version, confidants, ...extra }
    } catch {
      // set through the embedding API with bytes that are not JSON: show them as text
      return { data: text, version, confidants, format: 'text', ...extra }
    }
  })

  app.put('/stash', async (request): Promise<StashSetBody> => {
    if (request.body === undefined) {
      throw new HttpError(400, `PUT /stash needs a JSON body; ${EXAMPLE}`)
    }
    // Stored now, it would race the state on its way back: wait for that first, and say what this replaces.
    const recovered = node.stash.recovering ? await node.stash.recovered() : undefined
    const bytes = new TextEncoder().encode(JSON.stringify(request.body))
    try {
      const report = await node.stash.set(bytes)
      return {
        ...(recovered !== undefined && recovered.count > 0 ? { replacedRecovered: recovered.version } : {}),
        version: report.version,
        confidants: report.confidants.map(c => ({ id: c.id, name: c.name })),
        failures: report.failures.map(f => ({ id: f.id, error: f.error }))
      }
    } catch (err) {
      throw stashHttpError(err)
    }
  })
}

/** Maps a failed `stash.set` to its HTTP status. */
function stashHttpError (err: unknown): unknown {
  if (err instanceof StashTooLargeError) return new HttpError(413, `${err.message}; store a smaller JSON value`)
  if (err instanceof NotEnoughPeersError) return new HttpError(409, err.message)
  if (err instanceof NoConfidantError) return new HttpError(502, `${err.message}; try again when more peers are online`)
  return err
}
