// What the parts of the stash share: the runtime, the log and whether it has stopped.
import type { Logger, Runtime } from '../../runtime/index.js'

/**
 * What every part of the stash shares: the runtime and the scoped log, known once
 * the service is installed (`init`), and whether the service has been stopped.
 */
export class StashContext {
  /** the runtime the service was installed in */
  rt!: Runtime
  /** the log scoped to `stash` */
  log!: Logger
  /** set by `stop`: timers and repairs that wake up after it do nothing */
  stopped = false
}
