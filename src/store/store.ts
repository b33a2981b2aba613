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
