// Builds a real core for the benchmarks: the real store named by a URL (SQLite in a temp directory by default), the
// real openai SDK against the fake OpenAI-compatible server, settings through the real config schema. Benchmarks
// only; the store may be wrapped (timing) and every model call is recorded with its purpose and reported usage.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig, type Config } from '../src/config.js'
import { createBotCore, type BotCoreOptions } from '../src/core/create-bot-core.js'
import type { Actor, MemberRef, WorkspaceRef } from '../src/core/types.js'
import type { BotCore, CoreLifecycle, RunningCore } from '../src/core/bot-core.js'
import type { CallContext, LanguageModel, TokenUsage } from '../src/llm/language-model.js'
import { createLimitedModel } from '../src/llm/limited-model.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeOpenAiServerOptions } from '../testing/fakes/fake-openai-server.js'

export type ModelCall = { purpose: CallContext['purpose']; schemaName?: string; usage: TokenUsage }

export type BenchCore = {
  core: BotCore
  lifecycle: CoreLifecycle
  store: Store
  /** The store as opened, under any wrapper. */
  rawStore: Store
  server: FakeOpenAiServer
  config: Config
  model: LanguageModel
  /** Every model call the core made, in order. */
  calls: ModelCall[]
  /** Another core over the same store and model with some settings changed (e.g. DRAFT_CANDIDATES). */
  variant(settings: Record<string, string>): Promise<BotCore>
  close(): Promise<void>
}

export type BenchCoreOptions = {
  storeUrl?: string
  settings?: Record<string, string>
  server?: FakeOpenAiServerOptions
  backgroundLearning?: boolean
  clock?: () => number
  wrapStore?: (store: Store) => Store
  /** Bound each core's model calls by its LLM_MAX_CONCURRENCY, as the shipped composition does (off by default). */
  limitConcurrency?: boolean
  styleWriteBehind?: BotCoreOptions['styleWriteBehind']
}

export async function createBenchCore(options: BenchCoreOptions = {}): Promise<BenchCore> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-'))
  const server = await startFakeOpenAiServer(options.server)
  const environment = (settings: Record<string, string> = {}) => ({
    STORE_URL: options.storeUrl ?? `sqlite://${join(directory, 'store.sqlite')}`,
    LLM_BASE_URL: server.url,
    LLM_API_KEY: 'bench-key',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: '60000',
    LLM_MAX_RETRIES: '0',
    LLM_DAILY_TOKEN_BUDGET: '1000000000',
    ...options.settings,
    ...settings,
  })
  const config = parseConfig(environment())
  const rawStore = await openStore(config.STORE_URL)
  const store = options.wrapStore ? options.wrapStore(rawStore) : rawStore
  const calls: ModelCall[] = []
  const model = recordCalls(createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: 0 }), calls)
  const build = (settings?: Record<string, string>) => {
    const coreConfig = settings ? parseConfig(environment(settings)) : config
    const coreModel = options.limitConcurrency ? createLimitedModel(model, coreConfig.LLM_MAX_CONCURRENCY) : model
    return createBotCore({ config: coreConfig, store, model: coreModel, backgroundLearning: options.backgroundLearning ?? false, clock: options.clock, ...(options.styleWriteBehind ? { styleWriteBehind: options.styleWriteBehind } : {}) })
  }
  const { core, lifecycle } = await build()
  const variants: RunningCore[] = []
  return {
    core,
    lifecycle,
    store,
    rawStore,
    server,
    config,
    model,
    calls,
    async variant(settings) {
      const variant = await build(settings)
      variants.push(variant)
      return variant.core
    },
    async close() {
      for (const variant of variants) await variant.lifecycle.close()
      await lifecycle.close()
      await rawStore.close()
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

/** Passes calls through and records purpose, schema and the usage the server reported. */
function recordCalls(model: LanguageModel, calls: ModelCall[]): LanguageModel {
  return {
    name: model.name,
    async generateText(request) {
      const result = await model.generateText(request)
      calls.push({ purpose: request.context.purpose, usage: result.usage })
      return result
    },
    async generateObject(request) {
      const result = await model.generateObject(request)
      calls.push({ purpose: request.context.purpose, schemaName: request.schemaName, usage: result.usage })
      return result
    },
    close: model.close?.bind(model),
  }
}

export const adminActor = (workspace: WorkspaceRef): Actor => ({ member: { ...workspace, userId: 'U00BENCHADMIN' }, isPlatformAdmin: true })
export const selfActor = (member: MemberRef): Actor => ({ member, isPlatformAdmin: false })

/** Switches the bot on and allows learning in every public channel. */
export async function enableWorkspace(core: BotCore, workspace: WorkspaceRef): Promise<void> {
  await core.admin.setEnabled(adminActor(workspace), workspace, true)
  await core.admin.setLearningChannels(adminActor(workspace), workspace, ['*'])
}

/** Every member opts in themselves, as a member would before anything is stored. */
export async function optIn(core: BotCore, workspace: WorkspaceRef, userIds: Iterable<string>): Promise<void> {
  for (const userId of userIds) {
    const member = { ...workspace, userId }
    await core.setConsent(selfActor(member), member, true)
  }
}
