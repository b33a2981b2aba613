// Where a benchmark keeps its data: SQLite in a fresh temp directory, or the test Redis / PostgreSQL databases under a
// workspace id of its own, erased afterwards key by key (never `clear()`: others may be using the same database).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../src/config.js'
import { workspaceKey } from '../src/core/identity/keys.js'
import type { WorkspaceRef } from '../src/core/types.js'
import { collectionNames, type Store, type StoreKind } from '../src/store/store.js'
import { z } from 'zod'

export type BenchStoreLocation = {
  kind: StoreKind
  url: string
  /** Removes the temp directory (SQLite); the caller erases its workspaces on shared servers first. */
  dispose(): void
}

export function benchStoreLocation(kind: StoreKind, config: Pick<Config, 'TEST_REDIS_URL' | 'TEST_POSTGRES_URL'>): BenchStoreLocation {
  if (kind === 'redis') return { kind, url: config.TEST_REDIS_URL, dispose() {} }
  if (kind === 'postgres') return { kind, url: config.TEST_POSTGRES_URL, dispose() {} }
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-store-'))
  return { kind, url: `sqlite://${join(directory, 'store.sqlite')}`, dispose: () => rmSync(directory, { recursive: true, force: true }) }
}

/** A workspace id no one else uses, so a shared database can be cleaned up without touching anyone else's keys. */
export function uniqueBenchWorkspace(label: string): WorkspaceRef {
  return { platform: 'slack', workspaceId: `T00BENCH${label.toUpperCase()}${Date.now().toString(36).toUpperCase()}${process.pid}` }
}

/** Deletes every key of the workspace in every collection; returns how many were deleted. */
export async function eraseWorkspace(store: Store, workspace: WorkspaceRef): Promise<number> {
  const exact = workspaceKey(workspace)
  let deleted = 0
  for (const name of collectionNames) {
    const collection = store.collection(name, z.unknown())
    const keys: string[] = []
    for await (const key of collection.keys(exact)) if (key === exact || key.startsWith(exact + ':')) keys.push(key)
    for (let start = 0; start < keys.length; start += 500) await collection.deleteMany(keys.slice(start, start + 500))
    deleted += keys.length
  }
  return deleted
}
