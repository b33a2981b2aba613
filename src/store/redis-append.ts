// Store.append on Redis: one Lua script, so the guard check, the claim, the counter and the writes are one atomic
// step of the server. Sent by its SHA (EVALSHA) and in full only when the server does not know it yet (after a
// restart or SCRIPT FLUSH).
import { createHash } from 'node:crypto'
import type { RedisClientType } from '@keyv/redis'
import { counterPrefix, numbers } from './redis-coordination.js'
import type { SerializedAppendStep } from './store-backend.js'
import { sequencePlaceholder, type AppendOutcome, type CollectionName } from './store.js'

// KEYS: guard, claim, counter. ARGV: placeholder, claim value, claim TTL, counter field, count of alsoIncrement, the
// alsoIncrement fields, then (stored key, value, TTL) per write. The write keys hold the placeholder, so they are
// known only inside the script and cannot all be declared in KEYS: the script must run where every key lives, i.e.
// on a single Redis node (no Redis Cluster), which is what the bot supports.
// The placeholder is replaced with a plain find (no Lua pattern), so no character in it is ever magic.
const appendScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {1} end
local placeholder = ARGV[1]
local function fill(text, sequence)
  local parts, start = {}, 1
  while true do
    local first, last = string.find(text, placeholder, start, true)
    if not first then break end
    parts[#parts + 1] = string.sub(text, start, first - 1)
    parts[#parts + 1] = sequence
    start = last + 1
  end
  parts[#parts + 1] = string.sub(text, start)
  return table.concat(parts)
end
local function store(key, value, ttl)
  if tonumber(ttl) > 0 then redis.call('SET', key, value, 'PX', ttl) else redis.call('SET', key, value) end
end
local sequence = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
local also = tonumber(ARGV[5])
for index = 6, 5 + also do redis.call('HINCRBY', KEYS[3], ARGV[index], 1) end
local text = tostring(sequence)
store(KEYS[2], fill(ARGV[2], text), ARGV[3])
for index = 6 + also, #ARGV, 3 do store(fill(ARGV[index], text), fill(ARGV[index + 1], text), ARGV[index + 2]) end
return {2, sequence, redis.call('HGETALL', KEYS[3])}`

const appendSha = createHash('sha1').update(appendScript).digest('hex')

export function createRedisAppend(connected: () => Promise<RedisClientType>, prefixOf: (collection: CollectionName) => string) {
  return async (step: SerializedAppendStep): Promise<AppendOutcome> => {
    const redis = await connected()
    const script = {
      keys: [prefixOf(step.guard.collection) + step.guard.key, prefixOf(step.claim.collection) + step.claim.key, counterPrefix + step.sequence.key],
      arguments: [
        sequencePlaceholder,
        step.claim.serialized,
        String(Math.max(0, Math.round(step.claim.ttlMs))),
        step.sequence.field,
        String(step.sequence.alsoIncrement.length),
        ...step.sequence.alsoIncrement,
        ...step.writes.flatMap((write) => [prefixOf(write.collection) + write.key, write.serialized, String(Math.max(0, Math.round(write.ttlMs)))]),
      ],
    }
    let reply: unknown
    try {
      reply = await redis.evalSha(appendSha, script)
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      reply = await redis.eval(appendScript, script)
    }
    const [status, sequence, counter] = reply as [number, number?, unknown?]
    if (Number(status) === 0) return { status: 'unguarded' }
    if (Number(status) === 1) return { status: 'claimed' }
    return { status: 'appended', sequence: Number(sequence), counter: numbers(counter) }
  }
}
