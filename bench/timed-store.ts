// Wraps a Store so every collection operation is timed (and, when asked, the bytes written counted), to show where
// the observe path spends its time. Measures only; passes every call through unchanged.
import type { z } from 'zod'
import type { Collection, CollectionName, Store } from '../src/store/store.js'

export type OperationTiming = { collection: CollectionName; operation: string; calls: number; totalMs: number; bytesWritten: number }

export type TimedStore = { store: Store; timings(): OperationTiming[]; reset(): void }

export function createTimedStore(inner: Store, options: { countBytes?: boolean } = {}): TimedStore {
  const table = new Map<string, OperationTiming>()
  const record = (collection: CollectionName, operation: string, milliseconds: number, bytes = 0) => {
    const key = `${collection} ${operation}`
    const entry = table.get(key) ?? { collection, operation, calls: 0, totalMs: 0, bytesWritten: 0 }
    entry.calls += 1
    entry.totalMs += milliseconds
    entry.bytesWritten += bytes
    table.set(key, entry)
  }
  const timed = async <T>(collection: CollectionName, operation: string, call: () => Promise<T>, bytes = 0): Promise<T> => {
    const started = performance.now()
    try {
      return await call()
    } finally {
      record(collection, operation, performance.now() - started, bytes)
    }
  }
  const size = (value: unknown) => (options.countBytes ? Buffer.byteLength(JSON.stringify(value) ?? '') : 0)

  const store: Store = {
    kind: inner.kind,
    shared: inner.shared,
    collection<S extends z.ZodType>(name: CollectionName, schema: S): Collection<z.output<S>> {
      const collection = inner.collection(name, schema)
      return {
        get: (key) => timed(name, 'get', () => collection.get(key)),
        getMany: (keys) => timed(name, 'getMany', () => collection.getMany(keys)),
        set: (key, value, ttlMs) => timed(name, 'set', () => collection.set(key, value, ttlMs), size(value)),
        delete: (key) => timed(name, 'delete', () => collection.delete(key)),
        deleteMany: (keys) => timed(name, 'deleteMany', () => collection.deleteMany(keys)),
        setIfAbsent: (key, value, ttlMs) => timed(name, 'setIfAbsent', () => collection.setIfAbsent(key, value, ttlMs), size(value)),
        setMany: (entries) => timed(name, 'setMany', () => collection.setMany(entries), size(entries.map((entry) => entry.value))),
        setManyIfAbsent: (entries) => timed(name, 'setManyIfAbsent', () => collection.setManyIfAbsent(entries), size(entries.map((entry) => entry.value))),
        keys: (prefix) => collection.keys(prefix),
      }
    },
    // The engine's own operations show in the breakdown beside the collections'.
    counters: {
      add: (entries) => timed('counters', 'add', () => inner.counters.add(entries)),
      addWhileBelow: (key, change) => timed('counters', 'addWhileBelow', () => inner.counters.addWhileBelow(key, change)),
      get: (key) => timed('counters', 'get', () => inner.counters.get(key)),
      keys: (prefix) => inner.counters.keys(prefix),
      delete: (keys) => timed('counters', 'delete', () => inner.counters.delete(keys)),
    },
    locks: {
      tryAcquire: (key, leaseMs) => timed('locks', 'tryAcquire', () => inner.locks.tryAcquire(key, leaseMs)),
    },
    append: (step) => timed(step.writes[0]?.collection ?? 'history', 'append step', () => inner.append(step), size(step.writes.map((write) => write.value))),
    ...(inner.jobQueue ? { jobQueue: inner.jobQueue } : {}),
    scan: () => inner.scan(),
    compact: (collections) => inner.compact(collections),
    clear: () => inner.clear(),
    close: () => inner.close(),
  }
  return {
    store,
    timings: () => [...table.values()].sort((left, right) => right.totalMs - left.totalMs),
    reset: () => table.clear(),
  }
}
