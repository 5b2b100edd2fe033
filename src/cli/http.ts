import { CliError } from './errors.js'

/** How long a client command waits for the API (a stash set may try several confidants). */
export const CLIENT_TIMEOUT_MS = 30_000

/** An answer of the API: its status and parsed JSON body. */
export interface ApiAnswer<T> {
  status: number
  body: T
}

/** Nothing listens at the API URL. */
export class NoNaraError extends CliError {
  constructor (readonly url: string) {
    super(`no nara is running at ${url}; start one with \`npm start\``)
    this.name = 'NoNaraError'
  }
}

export interface RequestOptions {
  method?: 'GET' | 'PUT'
  /** JSON text to send */
  body?: string
  timeoutMs?: number
}

/**
 * Calls a nara's API and parses its JSON answer, whatever the status.
 *
 * @throws {NoNaraError} when nothing listens there
 * @throws {CliError} on a timeout or an answer that is not JSON
 */
export async function requestJson<T> (baseUrl: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
  const timeoutMs = options.timeoutMs ?? CLIENT_TIMEOUT_MS
  let res: Response
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(timeoutMs)
    })
  } catch (err) {
    throw connectionError(err, baseUrl, timeoutMs)
  }
  const text = await res.text()
  try {
    return { status: res.status, body: JSON.parse(text) as T }
  } catch {
    throw new CliError(`${baseUrl} answered HTTP ${res.status} without JSON; is it a nara API? Point --api at one`)
  }
}

function connectionError (err: unknown, url: string, timeoutMs: number): Error {
  const name = (err as Error).name
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(`the nara at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s; check its logs`)
  }
  const code = causeCode(err)
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL') {
    return new NoNaraError(url)
  }
  return new CliError(`cannot reach ${url}: ${code ?? (err as Error).message}`)
}

// fetch fails with TypeError('fetch failed') whose cause (sometimes nested) has the errno code.
function causeCode (err: unknown): string | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    const errors = (current as { errors?: unknown[] }).errors
    if (Array.isArray(errors) && errors.length > 0) current = errors[0]
    else current = (current as { cause?: unknown }).cause
  }
  return undefined
}
