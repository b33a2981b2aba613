// The coordination every store provides besides its records: atomic counters and fenced locks, on the engine's own
// operations (Redis scripts, PostgreSQL upserts). Interfaces only; the core never learns which engine runs them.

export type CounterValues = Record<string, number>

export interface AtomicCounters {
  /**
   * Adds each delta to its field, creating the entry when absent; returns each entry's values afterwards. All entries
   * go in one round trip, each applied atomically. A `ttlMs` restarts the entry's expiry.
   */
  add(entries: { key: string; deltas: CounterValues; ttlMs?: number }[]): Promise<CounterValues[]>
  /**
   * Adds `amount` to `field` only while the sum of `limitFields` is below `limit` before adding: a budget reservation
   * in one atomic round trip. Returns whether it was added and the values after the decision.
   */
  addWhileBelow(key: string, change: { field: string; amount: number; limitFields: string[]; limit: number; ttlMs?: number }): Promise<{ added: boolean; values: CounterValues }>
  /** Current values; an absent or expired entry is `{}`. */
  get(key: string): Promise<CounterValues>
  /** Keys starting with `prefix` (erasing a member, tests). */
  keys(prefix: string): AsyncIterable<string>
  delete(keys: string[]): Promise<void>
}

/** A held lock. Its lease is renewed while held; if renewal fails the lock is lost and `signal` aborts. */
export interface LockHandle {
  readonly key: string
  /** Grows with every acquisition of any lock on this store: a later holder always has a larger token. */
  readonly token: number
  /** Aborted once this holder no longer holds the lock (lease taken over, store unreachable while renewing). */
  readonly signal: AbortSignal
  /** Checks with the store that this holder still holds the lock; throws `lock_lost` otherwise. Call before writing. */
  assertHeld(): Promise<void>
  /** Releases the lock if still held (a checked release); false when it had been lost. */
  release(): Promise<boolean>
}

export interface FencedLocks {
  /** Takes the lock when free (or its lease expired); undefined when another holder has it. */
  tryAcquire(key: string, leaseMs: number): Promise<LockHandle | undefined>
}

/** What each engine implements for fenced locks; `createFencedLocks` adds renewal and the handle on top. */
export interface LockPrimitives {
  /** Takes `key` for `holder` unless a live lease exists; returns the new fencing token, or undefined. */
  acquire(key: string, holder: string, leaseMs: number): Promise<number | undefined>
  /** Extends the lease only if `holder` still holds it with `token`. */
  extend(key: string, holder: string, token: number, leaseMs: number): Promise<boolean>
  /** Deletes the lease only if `holder` still holds it with `token`. */
  release(key: string, holder: string, token: number): Promise<boolean>
  /** True while `holder` holds a live lease with `token`. */
  holds(key: string, holder: string, token: number): Promise<boolean>
}
