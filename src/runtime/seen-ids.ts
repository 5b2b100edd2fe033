/**
 * Remembers the most recent message ids, forgetting the oldest past `capacity`.
 * Together with the clock-skew window this makes replay detection bounded in memory.
 */
export class SeenIds {
  private readonly ids = new Set<string>()

  constructor (private readonly capacity: number) {}

  has (id: string): boolean {
    return this.ids.has(id)
  }

  /** Records the id; returns false when it was already seen. */
  add (id: string): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: the first entry is the oldest.
      const oldest = this.ids.values().next().value as string
      this.ids.delete(oldest)
    }
    return true
  }

  get size (): number {
    return this.ids.size
  }
}
