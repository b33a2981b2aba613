// Benchmark: time from INTERACTION_CREATE to the deferral callback under 50 concurrent /ask, for the real adapter on
// the real core with a fake model that takes 2 s per call, next to a bare discord.js client that only defers (rounds
// back to back, and rounds after the same pause the adapter's have).
// Same process, same fakes. Run alone with `tsx bench/discord-defer.ts`; `runDiscordDeferBenchmark` returns JSON.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Client, Events, MessageFlags } from 'discord.js'
import { parseConfig } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import type { Actor } from '../src/core/types.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import { silentLogger } from '../src/logger.js'
import { openStore } from '../src/store/open-store.js'
import { discordIntents } from '../adapters/discord/create-discord-bot.js'
import { createDiscordAdapter } from '../adapters/discord/discord-adapter.js'
import { startFakeDiscord, type FakeDiscord } from '../testing/fakes/fake-discord-harness.js'
import { fakeIds, makeUser } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { startFakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { summarize, type LatencySummary } from './latency-summary.js'

export type DiscordDeferReport = {
  benchmark: 'discord-defer'
  concurrency: number
  rounds: number
  modelDelayMs: number
  /** The adapter on the real core: INTERACTION_CREATE sent → deferral callback received. */
  adapter: LatencySummary
  /** The same, to the final answer edit (includes the model's time), for context. */
  adapterAnswer: LatencySummary
  /** A bare discord.js client whose only handler is deferReply, its rounds back to back (its connections stay warm). */
  bareClient: LatencySummary
  /**
   * The same bare client, each round after the pause the adapter's rounds have between them (waiting for the
   * answers), so its REST connections are as cold as the adapter's when a round starts.
   */
  bareClientAfterPause: LatencySummary
  /** Median time from one adapter round's last deferral to the next round, the pause used above. */
  pauseMs: number
}

export type DiscordDeferOptions = { concurrency?: number; rounds?: number; modelDelayMs?: number }

export async function runDiscordDeferBenchmark(options: DiscordDeferOptions = {}): Promise<DiscordDeferReport> {
  const concurrency = options.concurrency ?? 50
  const rounds = options.rounds ?? 3
  const modelDelayMs = options.modelDelayMs ?? 2000
  const bare = await measureBareClient(concurrency, rounds, 0)
  const adapter = await measureAdapter(concurrency, rounds, modelDelayMs)
  // The adapter waits for its answers before the next round, about as long as the fake server keeps an idle
  // connection (5 s, Node's default), so its rounds often start on new REST connections: the bare client is measured
  // both back to back and after the same pause.
  const pauseMs = Math.round(median(adapter.pausesMs))
  const bareAfterPause = await measureBareClient(concurrency, rounds, pauseMs)
  return { benchmark: 'discord-defer', concurrency, rounds, modelDelayMs, adapter: adapter.deferral, adapterAnswer: adapter.answer, bareClient: bare, bareClientAfterPause: bareAfterPause, pauseMs }
}

/** One round: `concurrency` /ask interactions dispatched back to back; resolves with per-interaction timings. */
async function round(fake: FakeDiscord, concurrency: number, waitForAnswers: boolean): Promise<{ deferral: number[]; answer: number[]; lastDeferralAt: number }> {
  const interactions = Array.from({ length: concurrency }, (_, index) =>
    makeSlashInteraction({ name: 'ask', user: makeUser(String(100_000_000_000_001_000n + BigInt(index)), `member${index}`), options: [{ name: 'question', type: 3, value: `how do I rebase branch ${index}?` }] }),
  )
  const sentAt = new Map<string, number>()
  await Promise.all(
    interactions.map((interaction) => {
      sentAt.set(interaction.token, performance.now())
      return fake.gateway.dispatch('INTERACTION_CREATE', interaction)
    }),
  )
  let lastDeferralAt = 0
  const deferral = await Promise.all(
    interactions.map(async (interaction) => {
      const call = await fake.rest.waitForCall((candidate) => candidate.method === 'POST' && candidate.path === `/interactions/${interaction.id}/${interaction.token}/callback`, 60_000)
      lastDeferralAt = Math.max(lastDeferralAt, call.receivedAt)
      return call.receivedAt - sentAt.get(interaction.token)!
    }),
  )
  const answer = waitForAnswers
    ? await Promise.all(
        interactions.map(async (interaction) => {
          const call = await fake.rest.waitForCall((candidate) => candidate.method === 'PATCH' && candidate.path.endsWith(`/${interaction.token}/messages/@original`), 120_000)
          return call.receivedAt - sentAt.get(interaction.token)!
        }),
      )
    : []
  return { deferral, answer, lastDeferralAt }
}

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0

async function measureBareClient(concurrency: number, rounds: number, pauseMs: number): Promise<LatencySummary> {
  const fake = await startFakeDiscord()
  const client = new Client({ intents: discordIntents, rest: { api: fake.rest.apiUrl } })
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.deferReply({ flags: MessageFlags.Ephemeral }).catch(() => undefined)
  })
  try {
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve))
    await client.login(fake.environment.DISCORD_TOKEN)
    await ready
    await round(fake, concurrency, false) // warm-up
    const samples: number[] = []
    for (let index = 0; index < rounds; index++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
      samples.push(...(await round(fake, concurrency, false)).deferral)
    }
    return summarize(samples)
  } finally {
    await client.destroy()
    await fake.close()
  }
}

async function measureAdapter(concurrency: number, rounds: number, modelDelayMs: number): Promise<{ deferral: LatencySummary; answer: LatencySummary; pausesMs: number[] }> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-discord-'))
  const fake = await startFakeDiscord()
  const server = await startFakeOpenAiServer({ delayMs: modelDelayMs })
  const config = parseConfig({
    ...fake.environment,
    STORE_URL: `sqlite://${join(directory, 'store.sqlite')}`,
    LLM_BASE_URL: server.url,
    LLM_API_KEY: 'bench-key',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: String(modelDelayMs * 10),
    // Enough model slots that every answer runs at once; the deferral never waits for the model either way.
    LLM_MAX_CONCURRENCY: String(concurrency * 2),
    LLM_DAILY_TOKEN_BUDGET: '100000000',
  })
  const store = await openStore(config.STORE_URL)
  const model = createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: 0 })
  const { core, lifecycle } = await createBotCore({ config, store, model, backgroundLearning: false })
  const admin: Actor = { member: { platform: 'discord', workspaceId: fakeIds.guild, userId: fakeIds.admin }, isPlatformAdmin: true }
  await core.admin.setEnabled(admin, { platform: 'discord', workspaceId: fakeIds.guild }, true)
  const bot = createDiscordAdapter({ config, logger: silentLogger })
  try {
    await bot.start(core)
    let lastDeferralAt = (await round(fake, concurrency, true)).lastDeferralAt // warm-up
    const deferral: number[] = []
    const answer: number[] = []
    const pausesMs: number[] = []
    for (let index = 0; index < rounds; index++) {
      pausesMs.push(performance.now() - lastDeferralAt)
      const result = await round(fake, concurrency, true)
      deferral.push(...result.deferral)
      answer.push(...result.answer)
      lastDeferralAt = result.lastDeferralAt
    }
    return { deferral: summarize(deferral), answer: summarize(answer), pausesMs }
  } finally {
    await bot.stop()
    await lifecycle.close()
    await store.close()
    await server.close()
    await fake.close()
    rmSync(directory, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runDiscordDeferBenchmark()
  console.log(JSON.stringify(report, null, 2))
}
