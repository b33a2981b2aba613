// Benchmark: growing past one process, on the test Redis. Store round trips per model call for budget accounting
// (the engines' atomic operations vs the lease ledger they replaced), learning jobs per minute with two queue workers
// vs one (fake model taking `modelDelayMs` per call), and Slack /draft ack latency with two bot processes behind a
// round-robin proxy vs one process behind it, under the same load. Returns JSON; `npm run bench -- --only scale`.
import type { z } from 'zod'
import { actionIds } from '../adapters/slack/action-ids.js'
import { parseConfig } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import { memberKey } from '../src/core/identity/keys.js'
import { createMeteredModel } from '../src/core/budget/metered-model.js'
import type { CoreLifecycle } from '../src/core/bot-core.js'
import type { MemberRef, WorkspaceRef } from '../src/core/types.js'
import { createUsageLedger } from '../src/core/budget/usage-ledger.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import { openStore } from '../src/store/open-store.js'
import type { AtomicCounters } from '../src/store/coordination.js'
import type { Collection, CollectionName, Store } from '../src/store/store.js'
import { startFakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { memberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { postSignedToSlackApp } from '../testing/fakes/fake-slack-signed-request.js'
import { FakeSlackWebApi, fakeTeamId } from '../testing/fakes/fake-slack-web-api.js'
import { startRoundRobinProxy } from '../testing/fakes/round-robin-proxy.js'
import { startAppProcess } from '../testing/support/app-process.js'
import { adminActor, enableWorkspace, optIn, selfActor } from './bench-core.js'
import { eraseWorkspace, uniqueBenchWorkspace } from './bench-store.js'
import { createLeaseLedgerBaseline } from './lease-ledger-baseline.js'
import { summarize, type LatencySummary } from './latency-summary.js'

export type ScaleOutReport = {
  benchmark: 'scale-out'
  store: string
  modelDelayMs: number
  roundTrips: { calls: number; perCallNew: number; perCallLeaseBaseline: number; perCallNewWithoutBudget: number }
  learning: { jobs: number; oneWorker: { seconds: number; jobsPerMinute: number }; twoWorkers: { seconds: number; jobsPerMinute: number } }
  slackAck: { concurrency: number; rounds: number; oneProcess: LatencySummary; twoProcesses: LatencySummary }
}

export type ScaleOutOptions = { redisUrl: string; modelDelayMs: number; learningJobs: number; concurrency: number; rounds: number; log: (line: string) => void }

export async function runScaleOutBenchmark(options: ScaleOutOptions): Promise<ScaleOutReport> {
  options.log('scale: store round trips per model call…')
  const roundTrips = await measureRoundTrips(options.redisUrl)
  options.log(`scale: ${options.learningJobs} learning jobs with 1 and 2 workers…`)
  const oneWorker = await measureLearning(options, 1)
  const twoWorkers = await measureLearning(options, 2)
  options.log(`scale: Slack ack, ${options.concurrency} concurrent /draft, 1 and 2 processes…`)
  const oneProcess = await measureSlackAck(options, 1)
  const twoProcesses = await measureSlackAck(options, 2)
  return {
    benchmark: 'scale-out',
    store: 'redis',
    modelDelayMs: options.modelDelayMs,
    roundTrips,
    learning: { jobs: options.learningJobs, oneWorker, twoWorkers },
    slackAck: { concurrency: options.concurrency, rounds: options.rounds, oneProcess, twoProcesses },
  }
}

/** A store that counts every operation that goes to the server (each is one round trip). */
function countingStore(inner: Store): { store: Store; count: () => number } {
  let operations = 0
  const counted = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A) => ((operations += 1), call(...args))
  const counters: AtomicCounters = {
    add: counted(inner.counters.add),
    addWhileBelow: counted(inner.counters.addWhileBelow),
    get: counted(inner.counters.get),
    keys: inner.counters.keys,
    delete: counted(inner.counters.delete),
  }
  const store: Store = {
    ...inner,
    counters,
    collection<S extends z.ZodType>(name: CollectionName, schema: S): Collection<z.output<S>> {
      const collection = inner.collection(name, schema)
      return { ...collection, get: counted(collection.get), getMany: counted(collection.getMany), set: counted(collection.set), delete: counted(collection.delete), deleteMany: counted(collection.deleteMany), setIfAbsent: counted(collection.setIfAbsent) }
    },
  }
  return { store, count: () => operations }
}

async function measureRoundTrips(redisUrl: string): Promise<ScaleOutReport['roundTrips']> {
  const inner = await openStore(redisUrl)
  const workspace = uniqueBenchWorkspace('roundtrips')
  const calls = 50
  const model: LanguageModel = {
    name: 'instant',
    generateText: async () => ({ text: 'ok', usage: { promptTokens: 10, completionTokens: 5 }, model: 'instant' }),
    generateObject: () => Promise.reject(new Error('not used')),
  }
  const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(40) }], maxTokens: 5, context: { workspace, member: { ...workspace, userId: 'U00BENCH' }, purpose: 'draft' as const } }
  try {
    const perCall = async (budget: number) => {
      const { store, count } = countingStore(inner)
      const metered = createMeteredModel(model, createUsageLedger(store, { dailyTokenBudget: budget, clock: Date.now }))
      for (let index = 0; index < calls; index++) await metered.generateText(request)
      return count() / calls
    }
    const { store, count } = countingStore(inner)
    const baseline = createLeaseLedgerBaseline(store, 1_000_000_000)
    for (let index = 0; index < calls; index++) await baseline.account(`v1:slack:${workspace.workspaceId}:lease-day`, `v1:slack:${workspace.workspaceId}:U00BENCH:lease-usage`, { promptTokens: 10, completionTokens: 5 })
    return { calls, perCallNew: await perCall(1_000_000_000), perCallNewWithoutBudget: await perCall(0), perCallLeaseBaseline: count() / calls }
  } finally {
    await eraseWorkspace(inner, workspace)
    const counterKeys: string[] = []
    for await (const key of inner.counters.keys(`v1:slack:${workspace.workspaceId}`)) counterKeys.push(key)
    await inner.counters.delete(counterKeys)
    await inner.close()
  }
}

async function measureLearning(options: ScaleOutOptions, workers: number): Promise<{ seconds: number; jobsPerMinute: number }> {
  const server = await startFakeOpenAiServer({ delayMs: options.modelDelayMs })
  const config = parseConfig({ STORE_URL: options.redisUrl, LLM_BASE_URL: server.url, LLM_API_KEY: 'bench-key', LLM_MODEL: 'fake-model', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: String(options.modelDelayMs * 20 + 10_000), LLM_DAILY_TOKEN_BUDGET: '0', LEARN_MIN_NEW_MESSAGES: '100000' })
  const model = () => createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: 0 })
  const setupStore = await openStore(options.redisUrl)
  const { core: setup, lifecycle: setupLifecycle } = await createBotCore({ config, store: setupStore, model: model(), backgroundLearning: false })
  const workspace: WorkspaceRef = uniqueBenchWorkspace(`learn${workers}`)
  const members: MemberRef[] = Array.from({ length: options.learningJobs }, (_, index) => ({ ...workspace, userId: `U00BENCH${String(index).padStart(4, '0')}` }))
  const opened: { lifecycle: CoreLifecycle; store: Store }[] = []
  try {
    await enableWorkspace(setup, workspace)
    await optIn(setup, workspace, members.map((member) => member.userId))
    for (const member of members) {
      for (let index = 0; index < 5; index++) {
        await setup.observe({ kind: 'created', workspace, userId: member.userId, channelId: 'C00BENCH', channelKind: 'public', messageId: `${1_700_000_000 + index}.${member.userId}`, text: `message ${index} from ${member.userId}, short and plain`, timestamp: Date.now() })
      }
    }
    for (let index = 0; index < workers; index++) {
      const store = await openStore(options.redisUrl)
      opened.push({ store, lifecycle: (await createBotCore({ config, store, model: model(), learningWorker: true })).lifecycle })
    }
    const queue = setupStore.jobQueue!<MemberRef>('learning', { attempts: 1, backoffMs: 1_000, leaseMs: 30_000, busyDelayMs: 1_000 })
    const started = performance.now()
    for (const member of members) await queue.add(memberKey(member), member)
    await queue.close()
    for (;;) {
      const versions = await Promise.all(members.map(async (member) => (await setup.profile(selfActor(member), member)).hypothesesVersion))
      if (versions.every((version) => version >= 1)) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const seconds = (performance.now() - started) / 1000
    return { seconds: Math.round(seconds * 100) / 100, jobsPerMinute: Math.round((members.length / seconds) * 60 * 10) / 10 }
  } finally {
    for (const { lifecycle, store } of opened) {
      await lifecycle.close()
      await store.close()
    }
    for (const member of members) await setup.forget(adminActor(workspace), member).catch(() => {})
    await eraseWorkspace(setupStore, workspace)
    await setupLifecycle.close()
    await setupStore.close()
    await server.close()
  }
}

async function measureSlackAck(options: ScaleOutOptions, processes: number): Promise<LatencySummary> {
  const signingSecret = 'bench-scale-signing-secret-0123456789'
  const slack = await FakeSlackWebApi.start()
  const server = await startFakeOpenAiServer({ delayMs: options.modelDelayMs })
  const environment = { STORE_URL: options.redisUrl, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl, PORT: '0', LEARNING_MODE: 'off', LLM_BASE_URL: server.url, LLM_API_KEY: 'bench-key', LLM_MODEL: 'fake-model', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: String(options.modelDelayMs * 20 + 10_000), LLM_MAX_CONCURRENCY: String(options.concurrency * 2), LLM_DAILY_TOKEN_BUDGET: '0', LOG_LEVEL: 'warn' }
  const bots = Array.from({ length: processes }, () => startAppProcess('app/main.ts', { ...environment, LOG_LEVEL: 'info' }))
  const setupStore = await openStore(options.redisUrl)
  const workspace: WorkspaceRef = { platform: 'slack', workspaceId: fakeTeamId }
  const { core: setup, lifecycle: setupLifecycle } = await createBotCore({ config: parseConfig({ STORE_URL: options.redisUrl }), store: setupStore, model: createOpenAiModel({ baseUrl: server.url, apiKey: 'bench-key', model: 'fake-model', timeoutMs: 10_000, maxRetries: 0 }), backgroundLearning: false })
  try {
    const ports = await Promise.all(bots.map(async (bot) => Number((await bot.waitFor((line) => line.event === 'slack_started')).port)))
    // The same proxy in front of one process or two, so its own cost is in both figures.
    const proxy = await startRoundRobinProxy(ports)
    const users = Array.from({ length: options.concurrency }, (_, index) => `U00SCALE${String(index).padStart(4, '0')}`)
    for (const userId of users) slack.addUser({ id: userId, name: userId.toLowerCase() })
    await enableWorkspace(setup, workspace)
    await optIn(setup, workspace, [memberId, ...users])
    let sequence = 0
    const round = async () => {
      const requests = users.map((userId) => {
        sequence += 1
        const id = `scale-${processes}-${sequence}`
        return { id, body: slashCommand({ command: '/draft', text: `tell the team the deploy moves to friday (${sequence})`, userId, responseUrl: slack.responseUrl(id), triggerId: `trigger-scale-${processes}-${sequence}-${Date.now()}` }) }
      })
      const acks = await Promise.all(
        requests.map(async (request) => {
          const started = performance.now()
          const response = await postSignedToSlackApp(`${proxy.url}/slack/events`, request.body, { signingSecret })
          if (response.status !== 200) throw new Error(`ack failed with HTTP ${response.status}`)
          return performance.now() - started
        }),
      )
      await Promise.all(requests.map((request) => slack.waitFor('response_url', (call) => call.responseUrlId === request.id && JSON.stringify(call.body).includes(actionIds.draftPost), 180_000)))
      return acks
    }
    await round() // warm-up
    const samples: number[] = []
    for (let index = 0; index < options.rounds; index++) samples.push(...(await round()))
    await proxy.close()
    return summarize(samples)
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()))
    await eraseWorkspace(setupStore, workspace)
    const counterKeys: string[] = []
    for await (const key of setupStore.counters.keys(`v1:slack:${fakeTeamId}`)) counterKeys.push(key)
    await setupStore.counters.delete(counterKeys)
    await setupLifecycle.close()
    await setupStore.close()
    await slack.close()
    await server.close()
  }
}
