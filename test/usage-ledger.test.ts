// Token accounting under concurrency: many model calls finishing at once, in one process or in two processes on one
// shared store, must all be counted, or the daily budget leaks.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { createCounters } from '../src/core/records/counters.js'
import { createMeteredModel } from '../src/core/budget/metered-model.js'
import { callTokenBound, createUsageLedger } from '../src/core/budget/usage-ledger.js'
import type { LanguageModel } from '../src/llm/language-model.js'
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
  return { ledger: createUsageLedger(store, { dailyTokenBudget: 0, clock: Date.now }), counters: createCounters(store) }
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

  it('admits exactly the model calls that fit the daily budget when two processes share a Redis store', async () => {
    const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(40) }], maxTokens: 5, context: { workspace: { platform: 'slack' as const, workspaceId: 'T00LEDGER' }, member: { platform: 'slack' as const, workspaceId: 'T00LEDGER', userId: 'U00LEDGER' }, purpose: 'draft' as const } }
    // The model reports exactly the call's bound, so the budget is met to the token: 1,500 / 15 = 100 calls.
    expect(callTokenBound(request)).toBe(15)
    const model: LanguageModel = {
      name: 'fixed-usage',
      async generateText() {
        await new Promise((resolve) => setTimeout(resolve, 5))
        return { text: 'ok', usage: { promptTokens: 10, completionTokens: 5 }, model: 'fixed-usage' }
      },
      generateObject: () => Promise.reject(new Error('not used')),
    }
    const metered = async () => {
      const store = await open(redisUrl)
      const ledger = createUsageLedger(store, { dailyTokenBudget: 1500, clock: Date.now })
      return { ledger, model: createMeteredModel(model, ledger) }
    }
    const [first, second] = [await metered(), await metered()]
    await opened[0]!.clear()
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, index) => (index % 2 ? first : second).model.generateText(request)))
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(100)
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected')
    expect(refused).toHaveLength(100)
    expect(refused.every((outcome) => (outcome as PromiseRejectedResult).reason.code === 'llm_budget_exceeded')).toBe(true)
    expect(await first.ledger.workspaceToday(workspace)).toEqual({ promptTokens: 1000, completionTokens: 500, calls: 100 })
    expect(await second.ledger.memberToday(member)).toEqual({ promptTokens: 1000, completionTokens: 500, calls: 100 })
    // The next call, after every reservation was settled, is refused too: the budget is spent, not leaked.
    await expect(first.model.generateText(request)).rejects.toMatchObject({ code: 'llm_budget_exceeded' })
  })
  it('gives a daily allowance out to exactly its limit when two processes share a Redis store, and takes back what was unused', async () => {
    const first = parts(await open(redisUrl))
    const second = parts(await open(redisUrl))
    // A single take larger than the whole allowance never fits, even on an empty day.
    expect(await first.ledger.takeAllowance(workspace, 'verifyTokens', 1001, 1000)).toBe(false)
    // 40 takes of 100 tokens against 1,000: exactly ten fit, whichever process asks.
    const taken = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 ? first : second).ledger.takeAllowance(workspace, 'verifyTokens', 100, 1000)))
    expect(taken.filter(Boolean)).toHaveLength(10)
    expect(await first.ledger.takeAllowance(workspace, 'verifyTokens', 1, 1000)).toBe(false)
    await first.ledger.returnAllowance(workspace, 'verifyTokens', 250)
    expect(await second.ledger.takeAllowance(workspace, 'verifyTokens', 250, 1000)).toBe(true)
    expect(await second.ledger.takeAllowance(workspace, 'verifyTokens', 1, 1000)).toBe(false)
    // The daily budget's fields are untouched.
    expect(await first.ledger.workspaceToday(workspace)).toEqual({ promptTokens: 0, completionTokens: 0, calls: 0 })
  })
})
