// Two bot processes on one shared store (two cores, each with its own Redis connection, as behind a load
// balancer): the same event delivered to both is learned once, the same request drafts once, and a member's
// learning job never runs twice at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'
import { requestsOf, scriptedHandler } from '../testing/support/scripted-model.js'
import { actorFor, createTestCore, enableWorkspace, memberA, message, type TestCore } from '../testing/support/test-core.js'

// Its own Redis database, so the store suite's clear() never races this file.
const redisUrl = loadConfig().TEST_REDIS_URL.replace(/\/\d+$/, '') + '/14'

let first: TestCore
let second: TestCore
beforeAll(async () => {
  const cleaner: Store = await openStore(redisUrl)
  await cleaner.clear()
  await cleaner.close()
  first = await createTestCore({ storeUrl: redisUrl, server: { handler: scriptedHandler({}), delayMs: 300 } })
  second = await createTestCore({ storeUrl: redisUrl, server: { handler: scriptedHandler({}), delayMs: 300 } })
  await enableWorkspace(first.core)
  await first.core.setConsent(actorFor(memberA), memberA, true)
})
afterAll(async () => {
  await first?.store.clear()
  await first?.close()
  await second?.close()
})

describe('two processes, one store', () => {
  it('shares the store as a shared (leased) store', () => {
    expect(first.store.shared).toBe(true)
  })

  it('learns an event delivered to both processes once', async () => {
    const outcomes = []
    for (let index = 0; index < 20; index++) {
      const event = message(memberA, `same event ${index}`)
      outcomes.push(...(await Promise.all([first.core.observe(event), second.core.observe(event)])))
    }
    expect(outcomes.filter((outcome) => outcome.status === 'stored')).toHaveLength(20)
    expect(outcomes.filter((outcome) => outcome.status === 'ignored' && outcome.reason === 'duplicate')).toHaveLength(20)
    expect((await second.core.profile(actorFor(memberA), memberA)).historySize).toBe(20)
  })

  it('drafts a request retried on the other process once', async () => {
    const request = { actor: actorFor(memberA), intent: 'say the build is green', idempotencyKey: 'trigger-shared-1' }
    const [a, b] = await Promise.allSettled([first.core.draft(request), second.core.draft(request)])
    const composed = requestsOf(first.server.requests, 'text').length + requestsOf(second.server.requests, 'text').length
    expect(composed).toBe(1)
    // One gets the draft; the other is told it is a duplicate (or, once done, gets the same draft).
    const results = [a, b].map((each) => (each.status === 'fulfilled' ? each.value.status : (each.reason as { code: string }).code))
    expect(results.sort()).toEqual(['drafted', 'duplicate'])
  })

  it('never runs one member’s learning job in both processes at once', async () => {
    await Promise.allSettled([first.core.learn(actorFor(memberA), memberA), second.core.learn(actorFor(memberA), memberA)])
    const learned = requestsOf(first.server.requests, 'hypotheses').length + requestsOf(second.server.requests, 'hypotheses').length
    expect(learned).toBe(1)
    expect((await first.core.profile(actorFor(memberA), memberA)).hypothesesVersion).toBe(1)
  })
})
