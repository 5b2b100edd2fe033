// The errors `set` throws, one named class per failure.
/** The plaintext does not fit in a stash. */
export class StashTooLargeError extends Error {
  constructor (bytes: number, max: number) {
    super(`stash of ${bytes} bytes is too large: the limit is ${max} bytes`)
    this.name = 'StashTooLargeError'
  }
}

/** Too few naras are online to keep a stash. */
export class NotEnoughPeersError extends Error {
  constructor (online: number, needed: number) {
    super(`${online} peer(s) online, at least ${needed} needed to keep a stash; start more nodes or --bootstrap into a swarm`)
    this.name = 'NotEnoughPeersError'
  }
}

/** Every candidate confidant refused or failed to acknowledge the stash. */
export class NoConfidantError extends Error {
  constructor (failures: ReadonlyArray<{ id: string, error: string }>) {
    super(`no confidant acknowledged the stash (${failures.map(f => `${f.id}: ${f.error}`).join('; ') || 'no candidates'})`)
    this.name = 'NoConfidantError'
  }
}
