// Atomic counters and locks for the embedded SQLite store, which only one process writes: counters are a table
// changed one operation at a time in this process, locks are leases in memory. The same interfaces as Redis and
// PostgreSQL, so the core has one code path.
import type { AtomicCounters, CounterValues, LockPrimitives } from './coordination.js'

type Query = (sql: string, ...values: unknown[]) => Promise<unknown[]>

export const sqliteCountersTable = 'hyperalign_native_counters'

/** Runs work one at a time, in order: the read and the write of a counter change cannot interleave with another's. */
export type SerialQueue = <T>(work: () => Promise<T>) => Promise<T>

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.catch(() => {}).then(work)
    tail = next
    return next
  }
}

/**
 * `queue` is shared with every other writer of the counters table in this process (the append step), which is told
 * of each key changed here (`changed`, in the queue), as it keeps the values it last wrote.
 */
export function createSqliteCounters(query: Query, queue: SerialQueue, changed: (keys: readonly string[]) => void = () => {}): AtomicCounters {
  let ready: Promise<unknown> | undefined
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    ready ??= query(`CREATE TABLE IF NOT EXISTS ${sqliteCountersTable} (key TEXT PRIMARY KEY, fields TEXT NOT NULL, expires_at INTEGER)`)
    const created = ready
    return queue(() => created.then(work))
  }
  const read = async (key: string): Promise<CounterValues> => {
    const rows = (await query(`SELECT fields, expires_at FROM ${sqliteCountersTable} WHERE key = ?`, key)) as { fields: string; expires_at: number | null }[]
    const row = rows[0]
    if (!row || (row.expires_at !== null && row.expires_at < Date.now())) return {}
    return JSON.parse(row.fields) as CounterValues
  }
  const write = (key: string, fields: CounterValues, ttlMs: number | undefined) =>
    query(
      `INSERT INTO ${sqliteCountersTable} (key, fields, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET fields = excluded.fields, expires_at = coalesce(excluded.expires_at, expires_at)`,
      key,
      JSON.stringify(fields),
      ttlMs ? Date.now() + ttlMs : null,
    )
  return {
    add(entries) {
      return serialized(async () => {
        const results: CounterValues[] = []
        for (const { key, deltas, ttlMs } of entries) {
          const values = await read(key)
          for (const [field, delta] of Object.entries(deltas)) values[field] = (values[field] ?? 0) + Math.round(delta)
          await write(key, values, ttlMs)
          changed([key])
          results.push(values)
        }
        return results
      })
    },
    addWhileBelow(key, change) {
      return serialized(async () => {
        const values = await read(key)
        const total = change.limitFields.reduce((sum, field) => sum + (values[field] ?? 0), 0)
        if (total >= change.limit) return { added: false, values }
        values[change.field] = (values[change.field] ?? 0) + Math.round(change.amount)
        await write(key, values, change.ttlMs)
        changed([key])
        return { added: true, values }
      })
    },
    get(key) {
      return serialized(() => read(key))
    },
    async *keys(prefix) {
      const rows = (await serialized(() => query(`SELECT key FROM ${sqliteCountersTable} WHERE substr(key, 1, ?) = ?`, prefix.length, prefix))) as { key: string }[]
      for (const row of rows) yield row.key
    },
    async delete(keys) {
      if (keys.length) {
        await serialized(async () => {
          await query(`DELETE FROM ${sqliteCountersTable} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(keys))
          changed(keys)
        })
      }
    },
  }
}

/** Leases in this process's memory: SQLite has one process, so there is no other holder to fence out. */
export function createMemoryLockPrimitives(): LockPrimitives {
  const leases = new Map<string, { holder: string; token: number; until: number }>()
  let lastToken = 0
  const live = (key: string) => {
    const lease = leases.get(key)
    return lease && lease.until >= Date.now() ? lease : undefined
  }
  return {
    async acquire(key, holder, leaseMs) {
      if (live(key)) return undefined
      lastToken += 1
      leases.set(key, { holder, token: lastToken, until: Date.now() + leaseMs })
      return lastToken
    },
    async extend(key, holder, token, leaseMs) {
      const lease = leases.get(key)
      if (!lease || lease.holder !== holder || lease.token !== token) return false
      lease.until = Date.now() + leaseMs
      return true
    },
    async release(key, holder, token) {
      const lease = leases.get(key)
      if (!lease || lease.holder !== holder || lease.token !== token) return false
      leases.delete(key)
      return true
    },
    async holds(key, holder, token) {
      const lease = live(key)
      return lease?.holder === holder && lease.token === token
    },
  }
}
