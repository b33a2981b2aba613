// Opens the store named by STORE_URL: keyv over SQLite (default), Redis or PostgreSQL, one adapter per collection.
// The only place (with the backends) that imports keyv; everything else sees the typed Store interface.
import Keyv from 'keyv'
import type { z } from 'zod'
import { BotError } from '../bot-error.js'
import { createPostgresBackend } from './postgres-backend.js'
import { createRedisBackend } from './redis-backend.js'
import { createSqliteBackend } from './sqlite-backend.js'
import type { AtomicCounters } from './coordination.js'
import { createFencedLocks, newHolderId } from './fenced-locks.js'
import type { SerializedEntry, StoreBackend } from './store-backend.js'
import { storeStartupError, StoreTimeoutError } from './store-startup-error.js'
import { collectionNames, countersCollection, sequencePlaceholder, type Collection, type CollectionName, type Store, type StoreEntry } from './store.js'

export type OpenStoreOptions = {
  /** Called when a stored value fails its schema (it is then treated as missing). */
  onInvalidValue?: (collection: CollectionName, key: string) => void
  /** Bound on opening the store and its first round trip (default 10 s): a silent server must not hang startup. */
  startupTimeoutMs?: number
  /** The setting the URL came from, named in startup errors (default STORE_URL). */
  setting?: string
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const setting = options.setting ?? 'STORE_URL'
  let backend: StoreBackend
  try {
    backend = createBackend(url, setting)
  } catch (error) {
    throw error instanceof BotError ? error : storeStartupError(setting, url, error)
  }
  const keyvs = new Map<CollectionName, Keyv>()
  const keyvFor = (name: CollectionName): Keyv => {
    let keyv = keyvs.get(name)
    if (!keyv) {
      // No keyv namespace: the backend decides the stored key, so atomic inserts and prefix listings can find it.
      keyv = new Keyv({
        store: backend.adapter(name),
        namespace: undefined,
        throwOnErrors: true,
        useKeyPrefix: false,
        // Values are plain JSON. keyv's default codec walks every array element (a style profile has ~30k cells)
        // and was measured 10-15x slower than JSON on the observe path.
        serialize: JSON.stringify,
        deserialize: (text: string) => JSON.parse(text),
      })
      keyv.on('error', () => {}) // errors are thrown to the caller (throwOnErrors); without a listener they would crash the process
      keyvs.set(name, keyv)
    }
    return keyv
  }

  const jobQueue = backend.jobQueue?.bind(backend)
  const store: Store = {
    kind: backend.kind,
    shared: backend.shared,
    collection<S extends z.ZodType>(name: CollectionName, schema: S) {
      return createCollection(name, schema, keyvFor(name), backend, options)
    },
    counters: guardedCounters(backend.counters),
    append(step) {
      return guarded(() =>
        backend.append({
          guard: step.guard,
          claim: { collection: step.claim.collection, key: step.claim.key, serialized: serializeNumbered(step.claim.value, step.claim.ttlMs), ttlMs: step.claim.ttlMs },
          sequence: step.sequence,
          writes: step.writes.map((write) => ({ collection: write.collection, key: write.key, serialized: serializeNumbered(write.value, write.ttlMs), ttlMs: write.ttlMs })),
        }),
      )
    },
    locks: createFencedLocks(backend.lockPrimitives, newHolderId()),
    ...(jobQueue ? { jobQueue } : {}),
    async *scan() {
      for (const name of collectionNames) {
        const keyv = keyvFor(name)
        for await (const key of guard(() => backend.listKeys(name, ''))) {
          const value = await guarded(() => keyv.get(backend.storedKey(name, key)))
          if (value !== undefined) yield { collection: name, key, value }
        }
      }
      for await (const key of guard(() => backend.counters.keys(''))) {
        const value = await guarded(() => backend.counters.get(key))
        if (Object.keys(value).length) yield { collection: countersCollection, key, value }
      }
    },
    async clear() {
      for (const name of collectionNames) {
        const keys: string[] = []
        for await (const key of guard(() => backend.listKeys(name, ''))) keys.push(key)
        if (keys.length) await guarded(() => keyvFor(name).deleteMany(keys.map((key) => backend.storedKey(name, key))))
      }
      await guarded(() => backend.clearCoordination())
    },
    async compact(collections = collectionNames) {
      await guarded(() => backend.compact(collections))
    },
    async close() {
      await backend.close()
    },
  }
  // Fail at startup, not on the first member's message, when the server is unreachable; and say why.
  const timeoutMs = options.startupTimeoutMs ?? 10_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      backend.check(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new StoreTimeoutError(timeoutMs)), timeoutMs)
      }),
    ])
  } catch (error) {
    // Not awaited: a server that never answered may never answer the close either.
    void backend.close().catch(() => {})
    throw storeStartupError(setting, url, error)
  } finally {
    clearTimeout(timer)
  }
  return store
}

function createBackend(url: string, setting: string): StoreBackend {
  if (url.startsWith('sqlite://')) return createSqliteBackend(url)
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return createRedisBackend(url)
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return createPostgresBackend(url)
  throw new BotError('config_invalid', `${setting} must start with sqlite://, redis://, rediss://, postgres:// or postgresql://`)
}

function createCollection<S extends z.ZodType>(
  name: CollectionName,
  schema: S,
  keyv: Keyv,
  backend: StoreBackend,
  options: OpenStoreOptions,
): Collection<z.output<S>> {
  type Value = z.output<S>
  const stored = (key: string) => backend.storedKey(name, key)
  const parse = (key: string, raw: unknown): Value | undefined => {
    if (raw === undefined || raw === null) return undefined
    const parsed = schema.safeParse(raw)
    if (parsed.success) return parsed.data
    options.onInvalidValue?.(name, key)
    return undefined
  }
  return {
    async get(key) {
      return parse(key, await guarded(() => keyv.get(stored(key))))
    },
    async getMany(keys) {
      if (keys.length === 0) return []
      const raws = (await guarded(() => keyv.getMany(keys.map(stored)))) as unknown[]
      return keys.map((key, index) => parse(key, raws[index]))
    },
    async set(key, value, ttlMs) {
      await guarded(() => keyv.set(stored(key), value, ttlMs))
    },
    async delete(key) {
      return guarded(() => keyv.delete(stored(key)))
    },
    async deleteMany(keys) {
      if (keys.length) await guarded(() => keyv.deleteMany(keys.map(stored)))
    },
    async setIfAbsent(key, value, ttlMs) {
      return guarded(() => backend.insertIfAbsent(name, key, serialize(value, ttlMs), ttlMs))
    },
    async setMany(entries) {
      // Last value wins, as a sequence of sets would; SQL cannot upsert one key twice in a statement.
      const latest = new Map(entries.map((entry) => [entry.key, entry]))
      if (latest.size) await guarded(() => backend.insertMany(name, serializedEntries(latest.values())))
    },
    async setManyIfAbsent(entries) {
      if (new Set(entries.map((entry) => entry.key)).size !== entries.length) throw new BotError('input_invalid', `setManyIfAbsent on ${name} was given a key twice.`)
      return entries.length ? guarded(() => backend.insertManyIfAbsent(name, serializedEntries(entries))) : new Set<string>()
    },
    keys(prefix) {
      return guard(() => backend.listKeys(name, prefix))
    },
  }
}

/** The envelope keyv itself writes, so keyv reads what the batch and atomic writes stored. */
function serialize(value: unknown, ttlMs: number | undefined): string {
  return JSON.stringify({ value, expires: ttlMs ? Date.now() + ttlMs : undefined })
}

/** The placeholder as JSON.stringify writes it inside a string (its control characters escaped), as a RegExp source. */
const escapedPlaceholder = JSON.stringify(sequencePlaceholder)
  .slice(1, -1)
  .replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
/** A string value that is the placeholder: an opening quote (never after a backslash), a closing one before , } or ]. */
const placeholderValue = new RegExp(`(?<!\\\\)"${escapedPlaceholder}"(?=[,}\\]])`, 'g')
/** The placeholder inside a string, after its run of backslashes: an odd run escapes the first one (text, not ours). */
const placeholderInText = new RegExp(`(\\\\*)${escapedPlaceholder}`, 'g')

/**
 * serialize, with the placeholder put back raw for the engine to find, since JSON.stringify escapes its control
 * characters: a value that is the placeholder becomes the number itself (`{"n":7}`), one inside a longer string its
 * digits (`{"k":"a:7"}`); text that spells the escape out with a backslash of its own is left as it is.
 */
function serializeNumbered(value: unknown, ttlMs: number | undefined): string {
  return serialize(value, ttlMs)
    .replace(placeholderValue, sequencePlaceholder)
    .replace(placeholderInText, (match, backslashes: string) => (backslashes.length % 2 === 1 ? match : backslashes + sequencePlaceholder))
}

function serializedEntries(entries: Iterable<StoreEntry<unknown>>): SerializedEntry[] {
  return [...entries].map((entry) => ({ key: entry.key, serialized: serialize(entry.value, entry.ttlMs), ...(entry.ttlMs ? { ttlMs: entry.ttlMs } : {}) }))
}

/** The counters with every failure of the server turned into `store_unavailable`, as for the records. */
function guardedCounters(counters: AtomicCounters): AtomicCounters {
  return {
    add: (entries) => guarded(() => counters.add(entries)),
    addWhileBelow: (key, change) => guarded(() => counters.addWhileBelow(key, change)),
    get: (key) => guarded(() => counters.get(key)),
    keys: (prefix) => guard(() => counters.keys(prefix)),
    delete: (keys) => guarded(() => counters.delete(keys)),
  }
}

/** Runs a store operation, turning any failure of the server into `store_unavailable`. */
async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw storeError(error)
  }
}

async function* guard<T>(iterate: () => AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* iterate()
  } catch (error) {
    throw storeError(error)
  }
}

function storeError(error: unknown): BotError {
  if (error instanceof BotError) return error
  return new BotError('store_unavailable', 'The store is not reachable right now; nothing was changed. Try again in a moment.', {
    cause: error,
  })
}
