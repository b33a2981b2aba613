// Learning on the store's job queue, in-process over Redis and PostgreSQL: a member becoming due is learned by a
// queue consumer; a job that fails every attempt is a dead letter an admin sees in the status counts (this
// workspace's only), the member can ask again, and forgetting the member leaves no job of theirs in the queue.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fakeReply } from '../testing/fakes/fake-openai-server.js'
import { isolatedPostgresUrl, isolatedRedisUrl } from '../testing/support/isolated-databases.js'
import { requestsOf, scriptedHandler, schemaName } from '../testing/support/scripted-model.js'
import { actorFor, createTestCore, enableWorkspace, memberA, message, type TestCore } from '../testing/support/test-core.js'
import { openStore } from '../src/store/open-store.js'

const urls = { redis: isolatedRedisUrl(10), postgres: '' }
beforeAll(async () => {
  urls.postgres = await isolatedPostgresUrl('learning_queue')
})
const queueSettings = { attempts: 2, backoffMs: 50, leaseMs: 30_000, busyDelayMs: 100 }
beforeEach(async () => {
  // Jobs outlive the records' clear(): start each test with an empty queue too.
  for (const url of Object.values(urls)) {
    const store = await openStore(url)
    await store.clear()
    const queue = store.jobQueue!<object>('learning', queueSettings)
    await queue.clear()
    await queue.close()
    await store.close()
  }
})
let test: TestCore | undefined
afterEach(async () => {
  await test?.store.clear()
  await test?.close()
  test = undefined
})

const admin = actorFor({ ...memberA, userId: 'U00FAKEADMIN' }, true)
const counts = async (core: TestCore['core']) => {
  return core.admin.counts(admin, memberA)
}

describe.each(['redis', 'postgres'] as const)('learning jobs on the %s job queue', (kind) => {
  const start = (failLearning: boolean) =>
    createTestCore({
      storeUrl: urls[kind],
      backgroundLearning: true,
      settings: { LEARN_MIN_NEW_MESSAGES: '3', LEARN_MIN_INTERVAL_MINUTES: '0' },
      learningQueue: queueSettings,
      server: { handler: (request) => (failLearning && schemaName(request) === 'member_hypotheses' ? fakeReply.status(500) : scriptedHandler({})(request)) },
    })

  it('learns a member who became due on a queue consumer', async () => {
    test = await start(false)
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    for (const text of ['first one here', 'second one here', 'third one here']) await test.core.observe(message(memberA, text))
    await test.lifecycle.idle()
    expect(requestsOf(test.server.requests, 'hypotheses')).toHaveLength(1)
    expect((await test.core.profile(actorFor(memberA), memberA)).hypothesesVersion).toBe(1)
  })

  it('shows a learning job that failed every attempt as a dead letter in the admin status, and forgetting the member leaves no job of theirs', async () => {
    test = await start(true)
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    for (const text of ['first one here', 'second one here', 'third one here']) await test.core.observe(message(memberA, text))
    await test.lifecycle.idle()
    expect(await counts(test.core)).toMatchObject({ learningDeadLetters: 1, learningRetrying: 0 })
    expect((await test.core.profile(actorFor(memberA), memberA)).learning).toMatchObject({ parked: true, lastError: 'llm_failed' })
    // Another workspace's admin sees nothing of it.
    const other = { platform: 'slack' as const, workspaceId: 'T00FAKETEAM2' }
    await enableWorkspace(test.core, other)
    const otherCounts = await test.core.admin.counts(actorFor({ ...other, userId: 'U00FAKEADMIN' }, true), other)
    expect(otherCounts).toMatchObject({ learningDeadLetters: 0 })
    // New messages do not revive a dead letter; forgetting the member leaves no job of theirs behind.
    await test.core.observe(message(memberA, 'fourth one here'))
    await test.core.forget(actorFor(memberA), memberA)
    const queue = test.store.jobQueue!<object>('learning', queueSettings)
    try {
      expect(await queue.deadLetters('v1:slack:')).toEqual([])
      expect(await queue.counts()).toMatchObject({ waiting: 0, delayed: 0, dead: 0 })
    } finally {
      await queue.close()
    }
  })
})
