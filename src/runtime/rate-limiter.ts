import type { RateLimit } from './behavior.js'

interface Bucket { tokens: number, updatedAt: number }

/** Token buckets keyed by (sender, kind); bounded: the least recently used key is forgotten. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor (
    private readonly maxBuckets: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Takes one token; false when the bucket is empty. */
  take (key: string, limit: RateLimit): boolean {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedAt: now }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.perSecond)
    bucket.updatedAt = now
    // Re-insert so the Map's order stays least-recently-used first.
    this.buckets.delete(key)
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxBuckets) {
      this.buckets.delete(this.buckets.keys().next().value as string)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}
