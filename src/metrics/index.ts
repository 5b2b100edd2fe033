export { NaraMetrics } from './nara-metrics.js'
export type { NetworkSource } from './nara-metrics.js'
export { registerStashMetrics } from './stash-metrics.js'
