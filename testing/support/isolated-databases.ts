// Test stores of their own for files that run beside the store suite (whose clear() empties whatever database it
// is given): a Redis database number, or a PostgreSQL database created next to TEST_POSTGRES_URL's. Test code only.
import pg from 'pg'
import { loadConfig } from '../../src/config.js'

/** TEST_REDIS_URL with another database number. */
export function isolatedRedisUrl(database: number): string {
  return loadConfig().TEST_REDIS_URL.replace(/\/\d+$/, '') + '/' + database
}

/** A PostgreSQL database named `<test database>_<suffix>`, created when missing; resolves its URL. */
export async function isolatedPostgresUrl(suffix: string): Promise<string> {
  const base = new URL(loadConfig().TEST_POSTGRES_URL)
  const name = `${base.pathname.slice(1) || 'postgres'}_${suffix}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase()
  const client = new pg.Client({ connectionString: base.toString() })
  await client.connect()
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        // Another test file may have created it a moment ago.
        if (error.code !== '42P04' && error.code !== '23505') throw error
      })
    }
  } finally {
    await client.end()
  }
  const url = new URL(base.toString())
  url.pathname = '/' + name
  return url.toString()
}
