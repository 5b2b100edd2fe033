import type { Runtime } from './runtime-api.js'

/**
 * A program running on nara. `init` receives the runtime and declares the
 * service's behaviors (a service usually keeps them in `registerBehaviors` and
 * calls it from `init`); `start` runs once the network is up; `stop` undoes it.
 */
export interface Service {
  readonly name: string
  /** Keeps the runtime and registers the service's behaviors; runs before the network is up. */
  init(rt: Runtime): void | Promise<void>
  /** Runs once the network is up (timers, boot-time broadcasts). */
  start?(): Promise<void>
  /** Undoes start: timers cleared, goodbyes said. */
  stop?(): Promise<void>
}

/** A service that declares its message behaviors in one place. */
export interface BehaviorRegistrar {
  /** Registers every kind the service owns on `rt`. */
  registerBehaviors(rt: Runtime): void
}
