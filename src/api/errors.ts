/** The API port is taken by another process. */
export class ApiPortInUseError extends Error {
  constructor (readonly port: number, readonly host: string) {
    super(`port ${port} on ${host} is already in use`)
    this.name = 'ApiPortInUseError'
  }
}

/** The API was asked to bind to something other than loopback. */
export class ApiHostError extends Error {
  constructor (host: string) {
    super(`the API has no authentication and binds to loopback only (127.0.0.1, ::1 or localhost), not "${host}"`)
    this.name = 'ApiHostError'
  }
}

/** An error that becomes an HTTP answer `{ error: message }` with this status. */
export class HttpError extends Error {
  constructor (readonly statusCode: number, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The `{ error }` body of every failed request. */
export interface ErrorBody { error: string }
