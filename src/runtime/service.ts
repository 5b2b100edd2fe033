import type { Runtime } from './runtime-api.js'

/**
 * A program running on nara. `init` receives the runtime and declares the
 * service's behaviors (a service usually keeps them in `registerBehaviors` and
 * calls it from `init`); `start` runs once the network is up; `stop` undoes it.
 */
export interface Service {
  readonly name: string
  init(rt: Runtime): void | Promise<void>
  start?(): Promise<void>
  stop?(): Promise<void>
}

/** A service that declares its message behaviors in one place. */
export interface BehaviorRegistrar {
  registerBehaviors(rt: Runtime): void
}
