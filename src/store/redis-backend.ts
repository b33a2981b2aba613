// Redis: one client shared by every collection's adapter; keys are prefixed with the collection name.
// Safe for several bot processes at once; TTLs are enforced by Redis itself.
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis'
import { createBullmqJobQueue } from './bullmq-job-queue.js'
import { createRedisAppend } from './redis-append.js'
import { createRedisCounters, createRedisLockPrimitives, redisCoordinationPrefixes } from './redis-coordination.js'
import type { StoreBackend } from './store-backend.js'
import type { CollectionName } from './store.js'

export function createRedisBackend(url: string): StoreBackend {
  const client = createClient({
    url,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => (retries > 3 ? false : 200 * retries) },
  }) as RedisClientType
  // Every collection's adapter listens on the one client.
  client.setMaxListeners(100)
  const adapters = new Map<CollectionName, KeyvRedis<unknown>>()
  const prefixOf = (collection: CollectionName) => `hyperalign:${collection}:`

  const adapter = (collection: CollectionName): KeyvRedis<unknown> => {
    let existing = adapters.get(collection)
    if (!existing) {
      existing = new KeyvRedis(client, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5_000 })
      adapters.set(collection, existing)
    }
    return existing
  }

  const connected = async () => {
    if (!client.isOpen) await client.connect()
    return client
  }

  const backend: StoreBackend = {
    kind: 'redis',
    shared: true,
    adapter,
    storedKey: (collection, key) => prefixOf(collection) + key,
    async insertIfAbsent(collection, key, serialized, ttlMs) {
      const redis = await connected()
      const options = ttlMs ? { NX: true, PX: ttlMs } : { NX: true }
      const result = await redis.set(prefixOf(collection) + key, serialized, options as { NX: true })
      return result === 'OK'
    },
    async insertMany(collection, entries) {
      const multi = (await connected()).multi()
      for (const entry of entries) multi.set(prefixOf(collection) + entry.key, entry.serialized, entry.ttlMs ? { PX: entry.ttlMs } : {})
      await multi.exec()
    },
    async insertManyIfAbsent(collection, entries) {
      const multi = (await connected()).multi()
      for (const entry of entries) multi.set(prefixOf(collection) + entry.key, entry.serialized, (entry.ttlMs ? { NX: true, PX: entry.ttlMs } : { NX: true }) as { NX: true })
      const results = await multi.exec()
      return new Set(entries.filter((_entry, index) => String(results[index]) === 'OK').map((entry) => entry.key))
    },
    append: createRedisAppend(connected, prefixOf),
    async *listKeys(collection, prefix) {
      const redis = await connected()
      const pattern = (prefixOf(collection) + prefix).replace(/[*?[\]\\]/g, (character) => '\\' + character) + '*'
      const strip = prefixOf(collection).length
      for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) {
        for (const key of Array.isArray(batch) ? batch : [batch]) yield String(key).slice(strip)
      }
    },
    async check() {
      // connect() rejects with the socket's or the server's own error once the reconnect strategy gives up.
      const redis = await connected()
      await redis.ping()
    },
    async compact() {
      // A DEL frees the value in memory at once. What the AOF and RDB files keep is the operator's to rewrite
      // (BGREWRITEAOF, BGSAVE): commands that managed servers often disable, and that cost a full rewrite each.
    },
    counters: createRedisCounters(connected),
    lockPrimitives: createRedisLockPrimitives(connected),
    jobQueue: (name, settings) => createBullmqJobQueue({ kind: 'redis', url }, name, settings),
    async clearCoordination() {
      const redis = await connected()
      for (const prefix of redisCoordinationPrefixes) {
        for await (const batch of redis.scanIterator({ MATCH: prefix + '*', COUNT: 500 })) {
          const keys = (Array.isArray(batch) ? batch : [batch]).map(String)
          if (keys.length) await redis.del(keys)
        }
      }
    },
    async close() {
      adapters.clear()
      if (client.isOpen) await client.close()
    },
  }
  return backend
}
