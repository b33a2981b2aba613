// Builds a real core for tests: a real store (SQLite in a temp directory unless a URL is given), the real openai
// SDK against the fake OpenAI-compatible server, and settings parsed by the real config schema.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig, type Config } from '../../src/config.js'
import { createBotCore } from '../../src/core/create-bot-core.js'
import type { Actor, MemberRef, WorkspaceRef } from '../../src/core/types.js'
import type { BotCore, CoreLifecycle } from '../../src/core/bot-core.js'
import type { LanguageModel } from '../../src/llm/language-model.js'
import { createOpenAiModel } from '../../src/llm/openai-model.js'
import { openStore } from '../../src/store/open-store.js'
import type { Store } from '../../src/store/store.js'
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeOpenAiServerOptions } from '../fakes/fake-openai-server.js'

export type TestCore = {
  core: BotCore
  /** Sweep, retry, idle and close: what the composition root holds, never an adapter. */
  lifecycle: CoreLifecycle
  store: Store
  server: FakeOpenAiServer
  config: Config
  model: LanguageModel
  close(): Promise<void>
}

export type TestCoreOptions = {
  storeUrl?: string
  settings?: Record<string, string>
  server?: FakeOpenAiServerOptions
  /** Use this model instead of the openai SDK against the fake server. */
  model?: LanguageModel
  backgroundLearning?: boolean
  learningQueue?: Partial<import('../../src/store/job-queue.js').JobQueueSettings>
  clock?: () => number
  /** Wraps the real store the core is given (e.g. to record what it reads). */
  wrapStore?: (store: Store) => Store
  /** Waits between replays of messages kept while the store is down. */
  retryDelays?: { firstMs: number; maxMs: number }
  /** When observed messages are folded into the stored style counts (a long interval holds a fold back). */
  styleWriteBehind?: import('../../src/core/create-bot-core.js').BotCoreOptions['styleWriteBehind']
}

export async function createTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-test-'))
  const server = await startFakeOpenAiServer(options.server)
  const config = parseConfig({
    STORE_URL: options.storeUrl ?? `sqlite://${join(directory, 'store.sqlite')}`,
    LLM_BASE_URL: server.url,
    LLM_API_KEY: 'test-key',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: '5000',
    LLM_MAX_RETRIES: '1',
    LEARN_MIN_NEW_MESSAGES: '1000',
    ...options.settings,
  })
  const opened = await openStore(config.STORE_URL)
  const store = options.wrapStore ? options.wrapStore(opened) : opened
  const model =
    options.model ??
    createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES, retryBaseDelayMs: 10 })
  const { core, lifecycle } = await createBotCore({
    config,
    store,
    model,
    backgroundLearning: options.backgroundLearning ?? false,
    clock: options.clock,
    learningQueue: options.learningQueue,
    ...(options.retryDelays ? { retryDelays: options.retryDelays } : {}),
    ...(options.styleWriteBehind ? { styleWriteBehind: options.styleWriteBehind } : {}),
  })
  return {
    core,
    lifecycle,
    store,
    server,
    config,
    model,
    async close() {
      await lifecycle.close()
      await store.close()
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

export const workspace: WorkspaceRef = { platform: 'slack', workspaceId: 'T00FAKETEAM1' }
export const memberA: MemberRef = { ...workspace, userId: 'U00FAKEUSER1' }
export const memberB: MemberRef = { ...workspace, userId: 'U00FAKEUSER2' }
export const adminMember: MemberRef = { ...workspace, userId: 'U00FAKEADMIN' }
export const actorFor = (member: MemberRef, isPlatformAdmin = false): Actor => ({ member, isPlatformAdmin })

/** Switches the bot on for the workspace and allows learning in every public channel. */
export async function enableWorkspace(core: BotCore, target: WorkspaceRef = workspace) {
  const admin = actorFor({ ...target, userId: 'U00FAKEADMIN' }, true)
  await core.admin.setEnabled(admin, target, true)
  await core.admin.setLearningChannels(admin, target, ['*'])
}

let sequence = 0
/** A created message in a public channel, with a unique id. */
export function message(member: MemberRef, text: string, overrides: Partial<import('../../src/core/types.js').ObservedMessage> = {}) {
  sequence += 1
  return {
    kind: 'created' as const,
    workspace: { platform: member.platform, workspaceId: member.workspaceId },
    userId: member.userId,
    channelId: 'C00FAKECHAN1',
    channelKind: 'public' as const,
    messageId: `${1_700_000_000 + sequence}.000100`,
    text,
    timestamp: Date.now() - 1000 + sequence,
    ...overrides,
  }
}

/** Every raw entry in the store, as text, for "nothing left behind" assertions. */
export async function dumpStore(store: Store): Promise<string[]> {
  const lines: string[] = []
  for await (const entry of store.scan()) lines.push(`${entry.collection} ${entry.key} ${JSON.stringify(entry.value)}`)
  return lines
}
