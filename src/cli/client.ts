import { readFile } from 'node:fs/promises'
import type { ErrorBody } from '../api/errors.js'
import type { HeldBody, PeersBody, StashBody, StashSetBody, StatusBody } from '../api/types.js'
import { CliError, UsageError } from './errors.js'
import { formatHeld, formatPeers, formatStash, formatStashSet, formatStatus } from './format.js'
import { requestJson, type RequestOptions } from './http.js'
import type { Io } from './io.js'

/** What every client command knows: where the API is and how to print. */
export interface ClientContext {
  api: string
  json: boolean
  io: Io
}

export async function statusCommand (ctx: ClientContext): Promise<void> {
  const body = await call<StatusBody>(ctx, '/status')
  print(ctx, body, formatStatus)
}

export async function peersCommand (ctx: ClientContext): Promise<void> {
  const body = await call<PeersBody>(ctx, '/peers')
  print(ctx, body, b => formatPeers(b))
}

export async function stashGetCommand (ctx: ClientContext): Promise<void> {
  const res = await requestJson<StashBody | ErrorBody>(ctx.api, '/stash')
  if (res.status === 404) {
    throw new CliError('this nara has no stash yet; set one with nara stash set \'{"level": 7}\'')
  }
  if (res.status === 503) throw new CliError('this nara is recovering its stash from its confidants; try again in a second')
  print(ctx, ok<StashBody>(res), formatStash)
}

export async function stashHeldCommand (ctx: ClientContext): Promise<void> {
  const body = await call<{ held: HeldBody[] }>(ctx, '/stash/held')
  print(ctx, body, b => formatHeld(b.held))
}

/** `nara stash set <json>` or `--file <path>`: the JSON is checked here before it is sent. */
export async function stashSetCommand (ctx: ClientContext, json: string | undefined, file: string | undefined): Promise<void> {
  const text = await stashInput(json, file)
  const body = await call<StashSetBody>(ctx, '/stash', { method: 'PUT', body: text })
  print(ctx, body, formatStashSet)
}

/** The JSON text to store, from the argument or the file; a usage error when it is not JSON. */
export async function stashInput (json: string | undefined, file: string | undefined): Promise<string> {
  if (json !== undefined && file !== undefined) throw new UsageError('pass the JSON as an argument or with --file <path>, not both')
  if (json === undefined && file === undefined) {
    throw new UsageError('nothing to store; pass the JSON, e.g. nara stash set \'{"level": 7}\', or --file <path>')
  }
  let text: string
  let source: string
  if (file !== undefined) {
    source = `--file ${file}`
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the path`)
    }
  } else {
    text = json as string
    source = `'${text.length > 40 ? `${text.slice(0, 40)}...` : text}'`
  }
  try {
    JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON (${(err as Error).message}); quote it for your shell, e.g. nara stash set '{"level": 7}'`)
  }
  return text
}

async function call<T> (ctx: ClientContext, path: string, options: RequestOptions = {}): Promise<T> {
  return ok<T>(await requestJson<T | ErrorBody>(ctx.api, path, options))
}

/** The body of a 2xx answer; otherwise the API's one-line error. */
function ok<T> (res: { status: number, body: T | ErrorBody }): T {
  if (res.status >= 200 && res.status < 300) return res.body as T
  const message = (res.body as Partial<ErrorBody>).error
  throw new CliError(typeof message === 'string' ? message : `the API answered HTTP ${res.status}`)
}

function print<T> (ctx: ClientContext, body: T, human: (body: T) => string[]): void {
  if (ctx.json) {
    ctx.io.out(JSON.stringify(body))
    return
  }
  for (const line of human(body)) ctx.io.out(line)
}
