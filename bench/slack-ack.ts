// Benchmark: Slack acknowledgement latency (signed /draft POST sent → HTTP response received) under 50 concurrent
// /draft requests, for the real Slack app on the real core with a fake model taking 2 s per call, next to a bare Bolt
// app that only acks. Same process, same fakes. Run alone with `tsx bench/slack-ack.ts`; `runSlackAckBenchmark` returns JSON.
import { pathToFileURL } from 'node:url'
import { App, LogLevel, type Logger as SlackLogger } from '@slack/bolt'
import type { AddressInfo } from 'node:net'
import { actionIds } from '../adapters/slack/action-ids.js'
import { startSlackTestApp, signingSecret } from '../testing/fakes/fake-slack-app-harness.js'
import { slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { postSignedToSlackApp } from '../testing/fakes/fake-slack-signed-request.js'
import { FakeSlackWebApi } from '../testing/fakes/fake-slack-web-api.js'
import { summarize, type LatencySummary } from './latency-summary.js'

export type SlackAckReport = {
  benchmark: 'slack-ack'
  concurrency: number
  rounds: number
  modelDelayMs: number
  /** The hyperalign app on the real core: signed /draft sent → HTTP acknowledgement received. */
  adapter: LatencySummary
  /** The same requests, to the draft arriving at the response_url (includes the model's time), for context. */
  adapterDraft: LatencySummary
  /** A bare Bolt app whose only listener acks /draft. */
  bareBolt: LatencySummary
}

export type SlackAckOptions = { concurrency?: number; rounds?: number; modelDelayMs?: number }

export async function runSlackAckBenchmark(options: SlackAckOptions = {}): Promise<SlackAckReport> {
  const concurrency = options.concurrency ?? 50
  const rounds = options.rounds ?? 3
  const modelDelayMs = options.modelDelayMs ?? 2000
  const bareBolt = await measureBareBolt(concurrency, rounds)
  const adapter = await measureAdapter(concurrency, rounds, modelDelayMs)
  return { benchmark: 'slack-ack', concurrency, rounds, modelDelayMs, adapter: adapter.ack, adapterDraft: adapter.draft, bareBolt }
}

const memberIds = (count: number) => Array.from({ length: count }, (_, index) => `U00BENCH${String(index).padStart(4, '0')}`)

let requestCounter = 0

/** One round: `concurrency` signed /draft requests at once; per-request ack times, and draft times when asked. */
async function round(slack: FakeSlackWebApi, eventsUrl: string, users: string[], waitForDrafts: boolean): Promise<{ ack: number[]; draft: number[] }> {
  const requests = users.map((userId) => {
    requestCounter += 1
    const responseUrlId = `bench-${requestCounter}`
    return { responseUrlId, body: slashCommand({ command: '/draft', text: `tell the team the deploy moves to friday (${requestCounter})`, userId, responseUrl: slack.responseUrl(responseUrlId) }) }
  })
  const sentAt = new Map<string, number>()
  const ack = await Promise.all(
    requests.map(async (request) => {
      const started = performance.now()
      sentAt.set(request.responseUrlId, started)
      const response = await postSignedToSlackApp(eventsUrl, request.body, { signingSecret })
      if (response.status !== 200) throw new Error(`ack failed with HTTP ${response.status}`)
      return performance.now() - started
    }),
  )
  const draft = waitForDrafts
    ? await Promise.all(
        requests.map(async (request) => {
          const call = await slack.waitFor('response_url', (candidate) => candidate.responseUrlId === request.responseUrlId && JSON.stringify(candidate.body).includes(actionIds.draftPost), 120_000)
          return call.receivedAt - sentAt.get(request.responseUrlId)!
        }),
      )
    : []
  return { ack, draft }
}

const quietSlackLogger: SlackLogger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} }

async function measureBareBolt(concurrency: number, rounds: number): Promise<LatencySummary> {
  const slack = await FakeSlackWebApi.start()
  const app = new App({ token: 'xoxb-bench', signingSecret, clientOptions: { slackApiUrl: slack.apiUrl }, logger: quietSlackLogger, deferInitialization: true, convoStore: false })
  app.command('/draft', async ({ ack }) => {
    await ack()
  })
  try {
    await app.init()
    const server = await app.start({ port: 0, host: '127.0.0.1' })
    const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`
    const users = memberIds(concurrency)
    await round(slack, eventsUrl, users, false) // warm-up
    const samples: number[] = []
    for (let index = 0; index < rounds; index++) samples.push(...(await round(slack, eventsUrl, users, false)).ack)
    return summarize(samples)
  } finally {
    await app.stop()
    await slack.close()
  }
}

async function measureAdapter(concurrency: number, rounds: number, modelDelayMs: number): Promise<{ ack: LatencySummary; draft: LatencySummary }> {
  const harness = await startSlackTestApp({
    modelDelayMs,
    settings: {
      LLM_TIMEOUT_MS: String(modelDelayMs * 10),
      LLM_MAX_RETRIES: '0',
      // Enough model slots that every draft runs at once; the ack never waits for the model either way.
      LLM_MAX_CONCURRENCY: String(concurrency * 2),
      LLM_DAILY_TOKEN_BUDGET: '100000000',
    },
  })
  try {
    const users = memberIds(concurrency)
    for (const userId of users) harness.slack.addUser({ id: userId, name: userId.toLowerCase() })
    await harness.enable()
    for (const userId of users) await harness.optIn(userId)
    await round(harness.slack, harness.eventsUrl, users, true) // warm-up
    const ack: number[] = []
    const draft: number[] = []
    for (let index = 0; index < rounds; index++) {
      const result = await round(harness.slack, harness.eventsUrl, users, true)
      ack.push(...result.ack)
      draft.push(...result.draft)
    }
    return { ack: summarize(ack), draft: summarize(draft) }
  } finally {
    await harness.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runSlackAckBenchmark()
  console.log(JSON.stringify(report, null, 2))
}
