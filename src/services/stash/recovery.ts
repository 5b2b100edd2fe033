import type { StashRecovered, StashResponse } from './payloads.js'

export interface RecoveryOptions {
  /** stop waiting for confidants this long after the refresh broadcast @default 15000 */
  recoveryDeadlineMs: number
  /** finish once no further copy has arrived for this long @default 2000 */
  settleMs: number
}

export interface RecoveredCopy {
  readonly from: { readonly id: string, readonly name: string }
  readonly response: StashResponse
}

/**
 * The boot-time collection window: copies offered by confidants are gathered
 * from `begin` until none has arrived for `settleMs` (or the deadline passes),
 * then `finish` runs exactly once. Confidants answer at different speeds (some
 * must first find the reborn node's new address), so each copy restarts the wait.
 */
export class Recovery {
  private state: 'idle' | 'collecting' | 'finishing' | 'done' = 'idle'
  private readonly copies = new Map<string, RecoveredCopy>()
  private deadline?: ReturnType<typeof setTimeout>
  private quiet?: ReturnType<typeof setTimeout>
  private readonly result = Promise.withResolvers<StashRecovered>()
  private readonly deadlineMs: number
  private readonly settleMs: number

  constructor (
    options: Partial<RecoveryOptions>,
    private readonly finish: (result: { copies: RecoveredCopy[] }) => Promise<void>
  ) {
    this.deadlineMs = options.recoveryDeadlineMs ?? 15_000
    this.settleMs = options.settleMs ?? 2_000
  }

  begin (): void {
    if (this.state !== 'idle') return
    this.state = 'collecting'
    this.deadline = this.closeAfter(this.deadlineMs)
  }

  /** A confidant's copy; only the newest copy per confidant counts. */
  offer (copy: RecoveredCopy): void {
    if (this.state !== 'collecting') return
    const previous = this.copies.get(copy.from.id)
    if (previous !== undefined && previous.response.version >= copy.response.version) return
    this.copies.set(copy.from.id, copy)
    clearTimeout(this.quiet)
    this.quiet = this.closeAfter(this.settleMs)
  }

  /** Settles `done()`; called by `finish` once it has emitted stash:recovered. */
  resolve (recovered: StashRecovered): void {
    this.state = 'done'
    this.result.resolve(recovered)
  }

  async done (): Promise<StashRecovered> {
    if (this.state === 'idle') return { count: 0, version: 0 }
    return await this.result.promise
  }

  cancel (): void {
    this.clearTimers()
    if (this.state !== 'done') this.resolve({ count: 0, version: 0 })
  }

  private closeAfter (ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => { void this.close() }, ms)
    timer.unref()
    return timer
  }

  private async close (): Promise<void> {
    if (this.state !== 'collecting') return
    this.state = 'finishing'
    this.clearTimers()
    await this.finish({ copies: [...this.copies.values()] })
  }

  private clearTimers (): void {
    clearTimeout(this.deadline)
    clearTimeout(this.quiet)
  }
}
