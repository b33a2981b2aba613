// Wraps a real store so a test can see what the code under test read from it: every value returned by `get` and
// `getMany`, with its collection and key. Reads only; writes and everything else pass straight through.
import type { z } from 'zod'
import type { Collection, CollectionName, Store } from '../../src/store/store.js'

export type StoreRead = { collection: CollectionName; key: string; value: unknown }

export function countingStore(store: Store): { store: Store; reads: StoreRead[] } {
  const reads: StoreRead[] = []
  const wrapped: Store = {
    get kind() {
      return store.kind
    },
    get shared() {
      return store.shared
    },
    collection<S extends z.ZodType>(name: CollectionName, schema: S): Collection<z.output<S>> {
      const inner = store.collection(name, schema)
      return {
        get: async (key) => {
          const value = await inner.get(key)
          if (value !== undefined) reads.push({ collection: name, key, value })
          return value
        },
        getMany: async (keys) => {
          const values = await inner.getMany(keys)
          values.forEach((value, index) => value !== undefined && reads.push({ collection: name, key: keys[index]!, value }))
          return values
        },
        set: (key, value, ttl) => inner.set(key, value, ttl),
        delete: (key) => inner.delete(key),
        deleteMany: (keys) => inner.deleteMany(keys),
        setIfAbsent: (key, value, ttl) => inner.setIfAbsent(key, value, ttl),
        setMany: (entries) => inner.setMany(entries),
        setManyIfAbsent: (entries) => inner.setManyIfAbsent(entries),
        keys: (prefix) => inner.keys(prefix),
      }
    },
    append: (step) => store.append(step),
    scan: () => store.scan(),
    clear: () => store.clear(),
    close: () => store.close(),
    compact: () => store.compact(),
    get counters() {
      return store.counters
    },
    get locks() {
      return store.locks
    },
    ...(store.jobQueue ? { jobQueue: store.jobQueue.bind(store) } : {}),
  }
  return { store: wrapped, reads }
}
