// Atomic counters and fenced locks on Redis: counters are hashes changed with HINCRBY (a budget reservation is one
// Lua script), locks are `SET NX PX` values carrying a token from INCR, renewed and released only by a script that
// checks the value first. Keys live beside the keyv records, under prefixes of their own.
import type { RedisClientType } from '@keyv/redis'
import type { AtomicCounters, CounterValues, LockPrimitives } from './coordination.js'

export const counterPrefix = 'hyperalign:native-counters:'
const lockPrefix = 'hyperalign:native-locks:'
const tokenKey = 'hyperalign:native-lock-token'

const addWhileBelowScript = `
local total = 0
for index = 5, #ARGV do total = total + tonumber(redis.call('HGET', KEYS[1], ARGV[index]) or '0') end
local added = 0
if total < tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
  if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
  added = 1
end
return {added, redis.call('HGETALL', KEYS[1])}`

const acquireScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token`

const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`

type Connected = () => Promise<RedisClientType>

export function createRedisCounters(connected: Connected): AtomicCounters {
  const scanKeys = async function* (prefix: string) {
    const redis = await connected()
    const pattern = (counterPrefix + prefix).replace(/[*?[\]\\]/g, (character) => '\\' + character) + '*'
    for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) {
      for (const key of Array.isArray(batch) ? batch : [batch]) yield String(key).slice(counterPrefix.length)
    }
  }
  return {
    async add(entries) {
      if (entries.length === 0) return []
      const redis = await connected()
      const transaction = redis.multi()
      for (const { key, deltas, ttlMs } of entries) {
        for (const [field, delta] of Object.entries(deltas)) transaction.hIncrBy(counterPrefix + key, field, Math.round(delta))
        if (ttlMs) transaction.pExpire(counterPrefix + key, ttlMs)
        transaction.hGetAll(counterPrefix + key)
      }
      const replies = (await transaction.exec()) as unknown[]
      // The HGETALL reply of each entry closes that entry's group of replies.
      const values: CounterValues[] = []
      let index = 0
      for (const { deltas, ttlMs } of entries) {
        index += Object.keys(deltas).length + (ttlMs ? 1 : 0)
        values.push(numbers(replies[index]))
        index += 1
      }
      return values
    },
    async addWhileBelow(key, change) {
      const redis = await connected()
      const reply = (await redis.eval(addWhileBelowScript, {
        keys: [counterPrefix + key],
        arguments: [change.field, String(Math.round(change.amount)), String(change.limit), String(change.ttlMs ?? 0), ...change.limitFields],
      })) as [number, unknown]
      return { added: Number(reply[0]) === 1, values: numbers(reply[1]) }
    },
    async get(key) {
      const redis = await connected()
      return numbers(await redis.hGetAll(counterPrefix + key))
    },
    keys: scanKeys,
    async delete(keys) {
      if (keys.length === 0) return
      const redis = await connected()
      await redis.del(keys.map((key) => counterPrefix + key))
    },
  }
}

export function createRedisLockPrimitives(connected: Connected): LockPrimitives {
  const value = (holder: string, token: number) => `${holder}|${token}`
  return {
    async acquire(key, holder, leaseMs) {
      const redis = await connected()
      const token = Number(await redis.eval(acquireScript, { keys: [lockPrefix + key, tokenKey], arguments: [holder, String(leaseMs)] }))
      return token > 0 ? token : undefined
    },
    async extend(key, holder, token, leaseMs) {
      const redis = await connected()
      return Number(await redis.eval(extendScript, { keys: [lockPrefix + key], arguments: [value(holder, token), String(leaseMs)] })) === 1
    },
    async release(key, holder, token) {
      const redis = await connected()
      return Number(await redis.eval(releaseScript, { keys: [lockPrefix + key], arguments: [value(holder, token)] })) === 1
    },
    async holds(key, holder, token) {
      const redis = await connected()
      return (await redis.get(lockPrefix + key)) === value(holder, token)
    },
  }
}

/** Every key the coordination keeps (for `Store.clear`). */
export const redisCoordinationPrefixes = [counterPrefix, lockPrefix]

/** HGETALL arrives as an object (RESP3 map) or a flat [field, value, …] list (inside a script, RESP2). */
export function numbers(reply: unknown): CounterValues {
  const values: CounterValues = {}
  if (Array.isArray(reply)) {
    for (let index = 0; index + 1 < reply.length; index += 2) values[String(reply[index])] = Number(reply[index + 1])
  } else if (reply && typeof reply === 'object') {
    for (const [field, value] of Object.entries(reply as Record<string, unknown>)) values[field] = Number(value)
  }
  return values
}
