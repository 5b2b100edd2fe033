/** Why a message was dropped: a stable code (counted) and a human-readable detail (logged). */
export interface DropReason {
  readonly code: string
  readonly detail: string
}

/** What a stage decided: go on with a (possibly new) value, drop the message, or fail. */
export type StageResult<T> =
  | { readonly action: 'continue', readonly value: T }
  | { readonly action: 'drop', readonly reason: DropReason }
  | { readonly action: 'fail', readonly error: Error }

/** One step of a pipeline. Stages run in order; the first drop or fail ends the run. */
export interface Stage<T> {
  readonly name: string
  /** Looks at the value and decides (see StageResult). */
  run(value: T): StageResult<T> | Promise<StageResult<T>>
}

/** How a pipeline run ended, and at which stage when it did not finish. */
export type PipelineOutcome<T> =
  | { readonly status: 'done', readonly value: T }
  | { readonly status: 'dropped', readonly stage: string, readonly reason: DropReason }
  | { readonly status: 'failed', readonly stage: string, readonly error: Error }

/** A stage's result: go on with `value`. */
export const proceed = <T>(value: T): StageResult<T> => ({ action: 'continue', value })
/** A stage's result: drop the message, with a counted code and a logged detail. */
export const drop = <T>(code: string, detail: string = code): StageResult<T> => ({ action: 'drop', reason: { code, detail } })
/** A stage's result: the stage itself failed (an error, not the message's fault). */
export const fail = <T>(error: Error): StageResult<T> => ({ action: 'fail', error })

/** Runs the stages in order until one drops or fails. */
export async function runPipeline<T> (stages: ReadonlyArray<Stage<T>>, input: T): Promise<PipelineOutcome<T>> {
  let value = input
  for (const stage of stages) {
    let result: StageResult<T>
    try {
      const ran = stage.run(value)
      // a synchronous stage goes on at once, not a microtask later
      result = ran instanceof Promise ? await ran : ran
    } catch (err) {
      result = fail(err instanceof Error ? err : new Error(String(err)))
    }
    if (result.action === 'drop') return { status: 'dropped', stage: stage.name, reason: result.reason }
    if (result.action === 'fail') return { status: 'failed', stage: stage.name, error: result.error }
    value = result.value
  }
  return { status: 'done', value }
}

/** Counts drops by reason code, so they can be read (and exported as metrics). */
export class DropCounter {
  private readonly counts = new Map<string, number>()

  /** Counts one drop with this code. */
  count (code: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1)
  }

  /** Drops counted with this code. */
  get (code: string): number {
    return this.counts.get(code) ?? 0
  }

  /** Drops counted with any code. */
  total (): number {
    let sum = 0
    for (const n of this.counts.values()) sum += n
    return sum
  }

  /** Every code's count, by code in alphabetical order. */
  snapshot (): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)))
  }
}
