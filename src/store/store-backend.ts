// What each storage server provides beyond keyv's get/set: an adapter per collection, an atomic insert, a prefix
// listing, and coordination on its own operations (counters, lock primitives, a job queue on shared servers).
// Implemented per server in sqlite-backend.ts, postgres-backend.ts and redis-backend.ts.
import type { KeyvStoreAdapter } from 'keyv'
import type { AtomicCounters, LockPrimitives } from './coordination.js'
import type { JobQueue, JobQueueSettings } from './job-queue.js'
import type { AppendOutcome, CollectionName, StoreKind } from './store.js'

export interface StoreBackend {
  readonly kind: StoreKind
  readonly shared: boolean
  adapter(collection: CollectionName): KeyvStoreAdapter
  /** The key keyv is given for a collection's key (Redis has one keyspace, SQL has a table per collection). */
  storedKey(collection: CollectionName, key: string): string
  /** Insert `serialized` at `key` unless a live entry exists (an entry past `expires` counts as absent). */
  insertIfAbsent(collection: CollectionName, key: string, serialized: string, ttlMs?: number): Promise<boolean>
  /** Upserts every entry in one statement (one MULTI on Redis). Keys are distinct. */
  insertMany(collection: CollectionName, entries: readonly SerializedEntry[]): Promise<void>
  /** insertIfAbsent for many distinct keys in one statement (one MULTI on Redis); the keys it inserted. */
  insertManyIfAbsent(collection: CollectionName, entries: readonly SerializedEntry[]): Promise<Set<string>>
  /**
   * Store.append in one atomic operation of the engine. Strings (keys and serialized values) may hold
   * `sequencePlaceholder`, to be replaced by the sequence number; `ttlMs` is also inside each serialized envelope.
   */
  append(step: SerializedAppendStep): Promise<AppendOutcome>
  /** Collection keys (not stored keys) starting with `prefix`. */
  listKeys(collection: CollectionName, prefix: string): AsyncIterable<string>
  /** One round trip at startup; rejects with the server's or the file's own error, not a generic one. */
  check(): Promise<void>
  /** After an erase: make the deleted rows of these collections unrecoverable from the server's files, as far as it can. */
  compact(collections: readonly CollectionName[]): Promise<void>
  readonly counters: AtomicCounters
  readonly lockPrimitives: LockPrimitives
  jobQueue?<T extends object>(name: string, settings: JobQueueSettings): JobQueue<T>
  /** Deletes the coordination's own entries: counters and locks (Store.clear). */
  clearCoordination(): Promise<void>
  close(): Promise<void>
}

/** A value as keyv stores it (`{"value":…,"expires":…}`), under its collection key. */
export type SerializedEntry = { key: string; serialized: string; ttlMs?: number }

/** An AppendStep with its values serialized as keyv stores them (collection keys, not stored keys). */
export type SerializedAppendStep = {
  guard: { collection: CollectionName; key: string }
  claim: { collection: CollectionName; key: string; serialized: string; ttlMs: number }
  sequence: { key: string; field: string; alsoIncrement: readonly string[] }
  writes: readonly { collection: CollectionName; key: string; serialized: string; ttlMs: number }[]
}

/** SQL LIKE pattern for "starts with prefix", escaping the wildcards with a backslash. */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (character) => '\\' + character) + '%'
}

export function tableName(collection: CollectionName): string {
  return 'hyperalign_' + collection.replace(/-/g, '_')
}
