// Several real processes on one store, on Redis and on PostgreSQL: two bot processes (`app/main.ts`, Slack HTTP mode)
// behind a round-robin proxy, two processes spending one daily budget, and two learning workers (`app/worker.ts`),
// one of them killed in the middle of a job. The platforms and the model are the project's fakes, over loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { decodeDraftTarget } from '../adapters/slack/draft-target.js'
import { z } from 'zod'
import { memberKey } from '../src/core/identity/keys.js'
import { decodeStyleProfile, storedStyleProfileSchema } from '../src/core/style/stored-style-profile.js'
import { addToStyleProfile, emptyStyleProfile } from '../src/core/style/style-profile.js'
import { summarizeStyle } from '../src/core/style/summarize-style.js'
import type { MemberRef } from '../src/core/types.js'
import type { Store } from '../src/store/store.js'
import { openStore } from '../src/store/open-store.js'
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { buttonValue } from '../testing/fakes/fake-slack-app-harness.js'
import { channelMessage, eventCallback, memberId, otherMemberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { postSignedToSlackApp } from '../testing/fakes/fake-slack-signed-request.js'
import { FakeSlackWebApi } from '../testing/fakes/fake-slack-web-api.js'
import { startRoundRobinProxy, type RoundRobinProxy } from '../testing/fakes/round-robin-proxy.js'
import { startAppProcess, type AppProcess } from '../testing/support/app-process.js'
import { isolatedPostgresUrl, isolatedRedisUrl } from '../testing/support/isolated-databases.js'
import { requestsOf, schemaName, scriptedHandler } from '../testing/support/scripted-model.js'
import { actorFor, createTestCore, enableWorkspace, memberA, message, type TestCore } from '../testing/support/test-core.js'

const signingSecret = 'scale-out-signing-secret-0123456789'
const queueSettings = { attempts: 4, backoffMs: 500, leaseMs: 2_000, busyDelayMs: 500 }

/** Empties the records, counters and learning queue of a store. */
async function emptyStore(url: string) {
  const store: Store = await openStore(url)
  await store.clear()
  const queue = store.jobQueue!<object>('learning', queueSettings)
  await queue.clear()
  await queue.close()
  await store.close()
}

const modelSettings = (server: FakeOpenAiServer) => ({ LLM_BASE_URL: server.url, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', LLM_MAX_RETRIES: '0' })

describe.each(['redis', 'postgres'] as const)('processes on one %s store', (kind) => {
  let storeUrl = ''
  let slack: FakeSlackWebApi
  let model: FakeOpenAiServer
  let bots: AppProcess[] = []
  let proxy: RoundRobinProxy
  let setup: TestCore
  const ports: number[] = []

  beforeAll(async () => {
    storeUrl = kind === 'redis' ? isolatedRedisUrl(9) : await isolatedPostgresUrl('scale_out')
    await emptyStore(storeUrl)
    slack = await FakeSlackWebApi.start()
    model = await startFakeOpenAiServer({ handler: scriptedHandler({}) })
    const environment = { STORE_URL: storeUrl, SLACK_BOT_TOKEN: 'xoxb-scale-out', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl, PORT: '0', LEARNING_MODE: 'off', ...modelSettings(model) }
    bots = [startAppProcess('app/main.ts', environment), startAppProcess('app/main.ts', environment)]
    for (const bot of bots) ports.push(Number((await bot.waitFor((line) => line.event === 'slack_started')).port))
    proxy = await startRoundRobinProxy(ports)
    // A third view of the same store, for setting up and looking at what the bot processes did.
    setup = await createTestCore({ storeUrl })
    await enableWorkspace(setup.core)
    await setup.core.setConsent(actorFor(memberA), memberA, true)
  }, 120_000)
  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.stop()))
    await proxy?.close()
    // @keyv/postgres shares one pool per URL in a process; the first close may have ended it already.
    await setup?.close().catch(() => {})
    await slack?.close()
    await model?.close()
  })

  it('stores one event delivered to both processes once', async () => {
    const event = eventCallback(channelMessage({ text: 'the same message, delivered twice', ts: `${Math.floor(Date.now() / 1000)}.000100` }))
    const responses = await Promise.all(ports.map((port) => postSignedToSlackApp(`http://127.0.0.1:${port}/slack/events`, event, { signingSecret })))
    expect(responses.map((response) => response.status)).toEqual([200, 200])
    // Bolt's HTTP receiver acks events before the listener ends, so the store is looked at until both have run.
    const size = async () => (await setup.core.profile(actorFor(memberA), memberA)).historySize
    for (let tries = 0; tries < 100 && (await size()) === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 100))
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await size()).toBe(1)
  })

  it('counts a member’s messages delivered to both processes once in the style record, whichever process folds them', async () => {
    const writer: MemberRef = { ...memberA, userId: otherMemberId }
    await setup.core.setConsent(actorFor(writer), writer, true)
    const texts = Array.from({ length: 130 }, (_, index) => (index % 2 ? `hey, build ${index} is green!` : `Looks fine to me — merging ${index}. Thanks`))
    const base = Math.floor(Date.now() / 1000)
    // Each message to both processes at once: each stores what it claims and folds on its own, on its own timer.
    for (let start = 0; start < texts.length; start += 10) {
      const events = texts.slice(start, start + 10).map((text, offset) => eventCallback(channelMessage({ userId: otherMemberId, text, ts: `${base + start + offset}.000200` })))
      await Promise.all(events.flatMap((event) => ports.map((port) => postSignedToSlackApp(`http://127.0.0.1:${port}/slack/events`, event, { signingSecret }))))
    }
    const size = async () => (await setup.core.profile(actorFor(writer), writer)).historySize
    for (let tries = 0; tries < 200 && (await size()) < texts.length; tries++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await size()).toBe(texts.length)
    const expected = texts.reduce((profile, text) => addToStyleProfile(profile, text), emptyStyleProfile())
    expect((await setup.core.profile(actorFor(writer), writer)).attributes).toEqual(summarizeStyle(expected))
    // Once both processes' write-behind timers have run, the stored record covers every row, each counted once.
    const records = setup.store.collection('style', z.object({ profile: storedStyleProfileSchema, covered: z.number() }))
    for (let tries = 0; tries < 100 && (await records.get(memberKey(writer)))?.covered !== texts.length; tries++) await new Promise((resolve) => setTimeout(resolve, 100))
    const record = await records.get(memberKey(writer))
    expect(record?.covered).toBe(texts.length)
    expect(decodeStyleProfile(record!.profile)).toEqual(expected)
  }, 120_000)

  it('drafts 100 /draft commands, each delivered to both processes, once each', async () => {
    const commands = Array.from({ length: 100 }, (_, index) =>
      slashCommand({ command: '/draft', text: `tell the team the build ${index} is green`, userId: memberId, responseUrl: slack.responseUrl(`scale-${kind}-${index}`), triggerId: `trigger-${kind}-${index}` }),
    )
    const draftsBefore = requestsOf(model.requests, 'text').length
    // Round robin: the first copy of each command goes to one process, its retry to the other.
    for (let start = 0; start < commands.length; start += 20) {
      const batch = commands.slice(start, start + 20)
      const responses = await Promise.all(batch.flatMap((command) => [postSignedToSlackApp(`${proxy.url}/slack/events`, command, { signingSecret }), postSignedToSlackApp(`${proxy.url}/slack/events`, command, { signingSecret, retryNum: 1 })]))
      expect(responses.every((response) => response.status === 200)).toBe(true)
    }
    const isDraft = (index: number) => (call: { responseUrlId?: string; body: unknown }) => call.responseUrlId === `scale-${kind}-${index}` && JSON.stringify(call.body).includes(actionIds.draftPost)
    await Promise.all(commands.map((_, index) => slack.waitFor('response_url', isDraft(index), 60_000)))
    // One draft composed per command. A retry that arrives after its draft is ready is shown that same draft again.
    expect(requestsOf(model.requests, 'text').length - draftsBefore).toBe(100)
    const drafts = slack.callsTo('response_url').filter((call) => JSON.stringify(call.body).includes(actionIds.draftPost) && call.responseUrlId?.startsWith(`scale-${kind}-`))
    const draftIdOf = (body: unknown) => decodeDraftTarget(buttonValue((body as { blocks?: unknown }).blocks, actionIds.draftPost))?.draftId
    const byCommand = new Map<string | undefined, Set<string | undefined>>()
    for (const call of drafts) byCommand.set(call.responseUrlId, new Set([...(byCommand.get(call.responseUrlId) ?? []), draftIdOf(call.body)]))
    expect(byCommand.size).toBe(100)
    for (const shown of byCommand.values()) expect([...shown].filter(Boolean)).toHaveLength(1)
    expect(new Set([...byCommand.values()].flatMap((shown) => [...shown]))).toHaveProperty('size', 100)
    expect(proxy.forwarded[0]).toBe(proxy.forwarded[1])
  }, 120_000)

  it('spends a daily budget of 1,500 tokens over 200 calls from two processes exactly, refusing every call past it', async () => {
    // Each call reserves its bound (15 tokens) and the model reports exactly that, so 100 calls fit.
    const budgetModel = await startFakeOpenAiServer({ usage: { prompt_tokens: 10, completion_tokens: 5 } })
    const budgetWorkspace = { platform: 'slack' as const, workspaceId: `T00BUDGET${kind.toUpperCase()}` }
    try {
      const environment = { STORE_URL: storeUrl, ...modelSettings(budgetModel) }
      const callers = [0, 1].map(() => startAppProcess('testing/support/metered-calls-process.ts', environment, ['100', '10', '1500', budgetWorkspace.workspaceId]))
      const results = await Promise.all(callers.map((caller) => caller.waitFor((line) => line.event === 'metered_calls_done')))
      await Promise.all(callers.map((caller) => caller.stop()))
      const admitted = results.reduce((sum, result) => sum + Number(result.admitted), 0)
      const refused = results.flatMap((result) => result.refused as string[])
      expect(admitted).toBe(100)
      expect(refused).toHaveLength(100)
      expect(new Set(refused)).toEqual(new Set(['llm_budget_exceeded']))
      expect(budgetModel.requests).toHaveLength(100)
      await enableWorkspace(setup.core, budgetWorkspace)
      const counts = await setup.core.admin.counts(actorFor({ ...budgetWorkspace, userId: 'U00FAKEADMIN' }, true), budgetWorkspace)
      expect(counts).toMatchObject({ tokensToday: 1500 })
    } finally {
      await budgetModel.close()
    }
  }, 120_000)

  it('finishes a learning job on the other worker when its worker is killed mid-job: one new version, no message lost', async () => {
    // Each worker talks to its own fake model, so the test sees which one took the job. Learning takes 3 s.
    const slowLearning = () =>
      startFakeOpenAiServer({ handler: (request) => (schemaName(request) === 'member_hypotheses' ? { ...(scriptedHandler({})(request) as object), delayMs: 3_000 } as never : scriptedHandler({})(request)) })
    const models = [await slowLearning(), await slowLearning()]
    // The learning check off: this is about the job changing hands, and a run of one model call is the one it counts.
    // A lease longer than the model's 3 s: on a loaded machine a late renewal of a 2 s lease could lose the lock
    // mid-call, and the job then rightly runs again (a second call this test would count).
    const workers = models.map((server) => startAppProcess('app/worker.ts', { STORE_URL: storeUrl, LOG_LEVEL: 'debug', LEARNING_JOB_LEASE_SECONDS: '4', LEARNING_VERIFY_MESSAGES: '0', ...modelSettings(server) }))
    // Its own connection pool (@keyv/postgres shares one per URL in a process, and closing one store would end it).
    const producerUrl = kind === 'postgres' ? `${storeUrl}?application_name=producer` : storeUrl
    const producer = await createTestCore({ storeUrl: producerUrl, backgroundLearning: true, settings: { LEARNING_MODE: 'worker', LEARN_MIN_NEW_MESSAGES: '3', LEARN_MIN_INTERVAL_MINUTES: '0' }, learningQueue: queueSettings })
    try {
      await Promise.all(workers.map((worker) => worker.waitFor((line) => line.event === 'worker_started')))
      const before = await setup.core.profile(actorFor(memberA), memberA)
      // This member's runs only: the workers' first scan also finds the earlier test's writer due, and its run asks
      // a model too. Every run of this member's job samples the first message, stored before the job was asked for.
      const runsOf = (server: FakeOpenAiServer) => requestsOf(server.requests, 'hypotheses').filter((request) => request.body.messages.some((each) => each.content.includes('worker message one')))
      for (const text of ['worker message one', 'worker message two', 'worker message three']) await producer.core.observe(message(memberA, text))
      // Whichever worker's model is asked first holds the job (unless it stalled past its lease meanwhile): kill it
      // while the model is still thinking.
      const deadline = Date.now() + 30_000
      let taken = -1
      while (taken < 0 && Date.now() < deadline) {
        taken = models.findIndex((server) => runsOf(server).length > 0)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(taken).toBeGreaterThanOrEqual(0)
      await workers[taken]!.kill()
      const other = 1 - taken
      let profile = await setup.core.profile(actorFor(memberA), memberA)
      while (profile.hypothesesVersion === before.hypothesesVersion && Date.now() < deadline + 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        profile = await setup.core.profile(actorFor(memberA), memberA)
      }
      expect(profile.hypothesesVersion).toBe(before.hypothesesVersion + 1)
      // One call, and one more for each run of the surviving worker that lost the lock: on a loaded machine a worker
      // can stall past its lease before the kill, so the job may already have changed hands and come back. A second
      // run with no lost lock to explain it is a job run twice.
      const lockLost = workers[other]!.lines.filter((line) => line.event === 'learning_failed' && line.code === 'lock_lost').length
      const logged = JSON.stringify(workers.map((worker) => worker.lines.filter((line) => line.event !== 'text').slice(-20)))
      expect(runsOf(models[other]!), logged).toHaveLength(1 + lockLost)
      expect(profile.historySize).toBe(before.historySize + 3)
      // The run that saved sampled every message, those written before the crash included.
      const sampled = runsOf(models[other]!).at(-1)!.body.messages.map((each) => each.content).join('\n')
      for (const text of ['worker message one', 'worker message two', 'worker message three']) expect(sampled).toContain(text)
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      expect((await setup.core.profile(actorFor(memberA), memberA)).hypothesesVersion).toBe(before.hypothesesVersion + 1)
    } finally {
      await producer.close().catch(() => {})
      await Promise.all(workers.map((worker) => worker.stop()))
      for (const server of models) await server.close()
    }
  }, 120_000)
})
