// Atomic counters and locks for the embedded SQLite store, which only one process writes: counters are a table
// changed one operation at a time in this process, locks are leases in memory. The same interfaces as Redis and
// PostgreSQL, so the core has one code path.
import type { AtomicCounters, CounterValues, LockPrimitives } from './coordination.js'

type Query = (sql: string, ...values: unknown[]) => Promise<unknown[]>

export const sqliteCountersTable = 'hyperalign_native_counters'

export function createSqliteCounters(query: Query): AtomicCounters {
  let ready: Promise<unknown> | undefined
  let tail: Promise<unknown> = Promise.resolve()
  /** One operation at a time: the read and the write of an add cannot interleave with another's. */
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    ready ??= query(`CREATE TABLE IF NOT EXISTS ${sqliteCountersTable} (key TEXT PRIMARY KEY, fields TEXT NOT NULL, expires_at INTEGER)`)
    const next = tail.catch(() => {}).then(() => ready).then(work)
    tail = next
    return next
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
      if (keys.length) await serialized(() => query(`DELETE FROM ${sqliteCountersTable} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(keys)))
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
