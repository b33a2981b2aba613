// Wraps a real store so a test can stop the process at a chosen write: every collection write is offered to
// `failWhen` first, and throws (as a dying process or a lost server would stop it) where it answers true. Reads and
// everything else pass straight through, and so does every write it lets go.
import type { z } from 'zod'
import type { Collection, CollectionName, Store } from '../../src/store/store.js'

export type StoreWrite = { collection: CollectionName; operation: 'set' | 'setMany' | 'setIfAbsent' | 'setManyIfAbsent' | 'delete' | 'deleteMany' | 'append' }

export class InjectedStoreFailure extends Error {}

export function failingStore(store: Store, failWhen: (write: StoreWrite) => boolean): Store {
  const check = (collection: CollectionName, operation: StoreWrite['operation']) => {
    if (failWhen({ collection, operation })) throw new InjectedStoreFailure(`injected failure at ${collection} ${operation}`)
  }
  return {
    get kind() {
      return store.kind
    },
    get shared() {
      return store.shared
    },
    collection<S extends z.ZodType>(name: CollectionName, schema: S): Collection<z.output<S>> {
      const inner = store.collection(name, schema)
      return {
        get: (key) => inner.get(key),
        getMany: (keys) => inner.getMany(keys),
        keys: (prefix) => inner.keys(prefix),
        set: async (key, value, ttl) => (check(name, 'set'), inner.set(key, value, ttl)),
        setMany: async (entries) => (check(name, 'setMany'), inner.setMany(entries)),
        setIfAbsent: async (key, value, ttl) => (check(name, 'setIfAbsent'), inner.setIfAbsent(key, value, ttl)),
        setManyIfAbsent: async (entries) => (check(name, 'setManyIfAbsent'), inner.setManyIfAbsent(entries)),
        delete: async (key) => (check(name, 'delete'), inner.delete(key)),
        deleteMany: async (keys) => (check(name, 'deleteMany'), inner.deleteMany(keys)),
      }
    },
    // The step is atomic in the engine: it fails whole, before anything is written.
    append: async (step) => (check(step.claim.collection, 'append'), store.append(step)),
    scan: () => store.scan(),
    clear: () => store.clear(),
    close: () => store.close(),
    compact: (collections) => store.compact(collections),
    get counters() {
      return store.counters
    },
    get locks() {
      return store.locks
    },
    ...(store.jobQueue ? { jobQueue: store.jobQueue.bind(store) } : {}),
  }
}
