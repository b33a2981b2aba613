// The typed store every part of the core uses: named collections of zod-validated values with TTLs.
// Keys are built by the core under the workspace (`v1:slack:T123:U456:…`); a collection never interprets them.
import type { z } from 'zod'
import type { AtomicCounters, FencedLocks } from './coordination.js'
import type { JobQueue, JobQueueSettings } from './job-queue.js'

/** Every collection the bot keeps. Each is its own keyv adapter (one adapter per namespace). */
export const collectionNames = [
  'policy',
  'consent',
  'history',
  'message-owner',
  'style',
  'workspace-style',
  'hypotheses',
  'learning',
  'edit-pairs',
  'contrast',
  'drafts',
  'audit',
  'usage',
  'counters',
  'idempotency',
  'locks',
  'credentials',
] as const

export type CollectionName = (typeof collectionNames)[number]

export interface Collection<T> {
  /** A value of the wrong shape counts as missing. */
  get(key: string): Promise<T | undefined>
  getMany(keys: string[]): Promise<(T | undefined)[]>
  set(key: string, value: T, ttlMs?: number): Promise<void>
  delete(key: string): Promise<boolean>
  deleteMany(keys: string[]): Promise<void>
  /** Atomically store `value` unless a live value exists; true when this call stored it (locks, idempotency). */
  setIfAbsent(key: string, value: T, ttlMs?: number): Promise<boolean>
  /**
   * Stores every entry in one statement (SQL: all or none) or one MULTI (Redis): for imports and backfills, where a
   * round trip per row is most of the cost. A key given twice keeps its last value.
   */
  setMany(entries: readonly StoreEntry<T>[]): Promise<void>
  /** setIfAbsent for many distinct keys in one statement (one MULTI on Redis); the keys this call stored. */
  setManyIfAbsent(entries: readonly StoreEntry<T>[]): Promise<Set<string>>
  /** Keys starting with `prefix`, in no particular order; may include keys whose TTL has passed. */
  keys(prefix: string): AsyncIterable<string>
}

export type StoreEntry<T> = { key: string; value: T; ttlMs?: number }

/**
 * Stands for the step's sequence number in the keys and values of an AppendStep; the engine puts the number in its
 * place. Control characters never appear in JSON.stringify's output or in the core's keys, so no text can contain it.
 */
export const sequencePlaceholder = '\u0001seq\u0001'

/**
 * The observe path's write as one atomic step of the engine (a Lua script, a PostgreSQL function, one SQLite
 * transaction): nothing is written unless `guard` is live and `claim` is absent; then `sequence.field` of the counter
 * goes up by one (its new value is the step's sequence number), each of `sequence.alsoIncrement` by one, and `claim`
 * and every `write` are stored with the number in place of `sequencePlaceholder`. One round trip where the steps apart
 * took a lock, two reads and four writes, and a consent withdrawn (the guard deleted) before the step wins over it.
 */
export type AppendStep = {
  /** Must hold a live value (the member's consent record). */
  guard: { collection: CollectionName; key: string }
  /** Stored unless a live value exists (the message's author entry: one append per platform message). */
  claim: { collection: CollectionName; key: string; value: unknown; ttlMs: number }
  /** A counter of `store.counters`, without expiry. */
  sequence: { key: string; field: string; alsoIncrement: readonly string[] }
  /** Set once claimed (the history row). */
  writes: readonly { collection: CollectionName; key: string; value: unknown; ttlMs: number }[]
}

export type AppendOutcome =
  | { status: 'unguarded' }
  | { status: 'claimed' }
  /** `counter`: the sequence counter's fields after the step. */
  | { status: 'appended'; sequence: number; counter: Record<string, number> }

/** The name `scan` reports counters under. */
export const countersCollection = 'native-counters'

export type StoreKind = 'sqlite' | 'redis' | 'postgres'

export interface Store {
  readonly kind: StoreKind
  /** True when several processes may share this store, so in-process locks are not enough. */
  readonly shared: boolean
  collection<S extends z.ZodType>(name: CollectionName, schema: S): Collection<z.output<S>>
  /** Counters changed by the engine's own atomic operations (usage, budgets, activity); keyed like the records. */
  readonly counters: AtomicCounters
  /** Locks a holder cannot keep past its lease without being told (fencing tokens, checked renewal and release). */
  readonly locks: FencedLocks
  /** A job queue shared by every process on this store; undefined on SQLite, where jobs stay in the one process. */
  jobQueue?<T extends object>(name: string, settings: JobQueueSettings): JobQueue<T>
  /** See AppendStep. */
  append(step: AppendStep): Promise<AppendOutcome>
  /** Every raw entry of every collection, and every counter: for sweeps and for tests that prove nothing was left behind. */
  scan(): AsyncIterable<{ collection: CollectionName | typeof countersCollection; key: string; value: unknown }>
  /** Deletes every entry of every collection, every counter and lock. */
  clear(): Promise<void>
  /**
   * Called after an erase (forget, opt-out, retention): drops what the deleted rows left in the store's files. SQLite
   * checkpoints and truncates its WAL (deleted rows are zeroed in place); PostgreSQL vacuums the collections' tables;
   * Redis keeps nothing on disk that a command could drop (see the README on AOF and RDB files).
   */
  compact(collections?: readonly CollectionName[]): Promise<void>
  close(): Promise<void>
}
