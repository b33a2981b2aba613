// Token accounting under concurrency: many model calls finishing at once, in one process or in two processes on one
// shared store, must all be counted, or the daily budget leaks.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { createCounters } from '../src/core/records/counters.js'
import { createKeyedLock } from '../src/core/coordination/keyed-lock.js'
import { createUsageLedger } from '../src/core/budget/usage-ledger.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'

const workspace = { platform: 'slack' as const, workspaceId: 'T00LEDGER' }
const member = { ...workspace, userId: 'U00LEDGER' }
// Its own Redis database, so other suites' clear() never races this file.
const redisUrl = loadConfig().TEST_REDIS_URL.replace(/\/\d+$/, '') + '/13'

const opened: Store[] = []
let directory: string | undefined
afterEach(async () => {
  await opened[0]?.clear()
  await Promise.all(opened.splice(0).map((store) => store.close()))
  if (directory) rmSync(directory, { recursive: true, force: true })
  directory = undefined
})

async function open(url: string): Promise<Store> {
  const store = await openStore(url)
  opened.push(store)
  return store
}

const parts = (store: Store) => {
  const lock = createKeyedLock(store)
  return { ledger: createUsageLedger(store, lock, { dailyTokenBudget: 0, clock: Date.now }), counters: createCounters(store, lock) }
}

describe('usage ledger and counters', () => {
  it('count every one of 50 concurrent calls in one process (SQLite)', async () => {
    directory = mkdtempSync(join(tmpdir(), 'hyperalign-ledger-'))
    const { ledger, counters } = parts(await open(`sqlite://${join(directory, 'store.sqlite')}`))
    await Promise.all(Array.from({ length: 50 }, () => Promise.all([ledger.record(workspace, member, { promptTokens: 10, completionTokens: 1 }), counters.increment(workspace, 'drafts')])))
    expect(await ledger.workspaceToday(workspace)).toEqual({ promptTokens: 500, completionTokens: 50, calls: 50 })
    expect(await ledger.memberToday(member)).toEqual({ promptTokens: 500, completionTokens: 50, calls: 50 })
    expect((await counters.get(workspace)).drafts).toBe(50)
  })

  it('count every call when two processes share a Redis store', async () => {
    const first = parts(await open(redisUrl))
    const second = parts(await open(redisUrl))
    await opened[0]!.clear()
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => {
        const { ledger, counters } = index % 2 === 0 ? first : second
        return Promise.all([ledger.record(workspace, member, { promptTokens: 10, completionTokens: 1 }), counters.increment(workspace, 'answers')])
      }),
    )
    expect(await first.ledger.workspaceToday(workspace)).toEqual({ promptTokens: 400, completionTokens: 40, calls: 40 })
    expect((await second.counters.get(workspace)).answers).toBe(40)
  })
})
