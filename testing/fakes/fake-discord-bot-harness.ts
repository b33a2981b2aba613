// Runs the real Discord adapter on the real core for tests and benchmarks: fake Discord (REST + gateway), the real
// discord.js client, the real core over SQLite in a temp directory, the real openai SDK against the fake model server.
import type { LogFields, Logger } from '../../src/logger.js'
import type { Actor, MemberRef, ObservedMessage, ObserveOutcome } from '../../src/core/types.js'
import type { BotCore } from '../../src/core/bot-core.js'
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord-adapter.js'
import { createTestCore, dumpStore, type TestCore, type TestCoreOptions } from '../support/test-core.js'
import { fakeReply, lastUserMessage, type FakeOpenAiRequest, type FakeReply } from './fake-openai-server.js'
import { startFakeDiscord, type FakeDiscord } from './fake-discord-harness.js'
import { fakeIds, fakeUsers, makeMessage, type FakeMessage, type FakeUser } from './fake-discord-payloads.js'
import { makeButtonInteraction } from './fake-discord-interactions.js'
import type { RecordedCall } from './fake-discord-rest.js'

/** What a model request is for, read from what reached the fake server (schema name or system prompt). */
export type ModelCallKind = 'safety_request' | 'safety_output' | 'learn' | 'draft' | 'answer' | 'other'

export function modelCallKind(request: FakeOpenAiRequest): ModelCallKind {
  const schemaName = request.body.response_format?.json_schema?.name
  const system = request.body.messages.find((message) => message.role === 'system')?.content ?? ''
  const user = lastUserMessage(request.body)
  if (user.startsWith('Stage: output')) return 'safety_output'
  if (user.startsWith('Stage: request')) return 'safety_request'
  if (schemaName === 'member_hypotheses' || system.startsWith('You study how one person writes')) return 'learn'
  if (system.startsWith('You ghost-write')) return 'draft'
  if (system.startsWith('You are a helpful workplace assistant')) return 'answer'
  return 'other'
}

/** Everything a model request carried, as one string, for "did this text reach the model" assertions. */
export function promptText(request: FakeOpenAiRequest): string {
  return request.body.messages.map((message) => message.content).join('\n')
}

/** A fake model: verdicts comply unless `refuse` names rules; drafts and answers from the given functions. */
export type ScriptedModel = {
  refuse?: (kind: 'safety_request' | 'safety_output', request: FakeOpenAiRequest) => string[] | undefined
  draft?: (request: FakeOpenAiRequest) => string | Promise<string>
  answer?: (request: FakeOpenAiRequest) => string | Promise<string>
  /** The learning call's structured reply (`{ hypotheses: [...] }`, evidence as the prompt's local ids m1, m2…). */
  learn?: (request: FakeOpenAiRequest) => unknown
  /** Delay of draft and answer replies only (the safety check stays fast), e.g. "a model that takes 2 s". */
  composeDelayMs?: number
  /** Draft and answer requests never get an answer (the fake's hang mode): the call runs into LLM_TIMEOUT_MS. */
  hangCompose?: boolean
}

export const defaultDraftText = 'hey all, quick heads up: the deploy moves to friday. thanks!'
export const defaultAnswerText = 'Short answer: rebase onto main, then force-push your branch.'

export function scriptedModelHandler(script: ScriptedModel) {
  return async (request: FakeOpenAiRequest): Promise<FakeReply | undefined> => {
    const kind = modelCallKind(request)
    if (kind === 'safety_request' || kind === 'safety_output') {
      const rules = script.refuse?.(kind, request)
      return fakeReply.json(rules ? { analysis: `Refused by the test script under ${rules.join(', ')}.`, decision: 'refuse', rule_ids: rules } : { analysis: 'No rule applies.', decision: 'comply', rule_ids: [] })
    }
    if (kind === 'learn' && script.learn) return fakeReply.json(script.learn(request))
    if ((kind === 'draft' || kind === 'answer') && script.hangCompose) return fakeReply.hang()
    const delay = script.composeDelayMs === undefined ? {} : { delayMs: script.composeDelayMs }
    if (kind === 'draft') return fakeReply.text((await script.draft?.(request)) ?? defaultDraftText, delay)
    if (kind === 'answer') return fakeReply.text((await script.answer?.(request)) ?? defaultAnswerText, delay)
    return undefined
  }
}

export type DiscordTestBot = {
  fake: FakeDiscord
  testCore: TestCore
  /** The adapter under test, started on the (recording) core through the PlatformAdapter contract. */
  bot: DiscordAdapter
  /** What the adapter logged (event names and fields). */
  logs: { level: string; event: string; fields: LogFields }[]
  /** Every observe call the adapter made, with the core's outcome. */
  observed: { message: ObservedMessage; outcome: ObserveOutcome }[]
  waitForObserved(count: number): Promise<{ message: ObservedMessage; outcome: ObserveOutcome }[]>
  /** Sends INTERACTION_CREATE and resolves with the interaction's callback call (the deferral or first reply). */
  interact(payload: { id: string; token: string }): Promise<RecordedCall>
  /** Waits for a PATCH of the interaction's original message whose body passes `predicate`; returns the body. */
  waitForEdit(payload: { token: string }, predicate?: (body: EditBody) => boolean): Promise<EditBody>
  /** The last PATCH of the interaction's original message. */
  lastEdit(payload: { token: string }): EditBody | undefined
  /** Follow-up messages (POST /webhooks/:app/:token) of an interaction. */
  followUps(payload: { token: string }): EditBody[]
  /** A button click on the ephemeral message `edit` rendered; finds the button by label. */
  click(edit: EditBody, label: string, user?: FakeUser, options?: { permissions?: string }): Promise<{ payload: ReturnType<typeof makeButtonInteraction>; callback: RecordedCall }>
  sendMessage(message: FakeMessage): Promise<void>
  /** Turns the bot on in the fake server and allows learning in `channels` (default every public channel). */
  enable(channels?: string[]): Promise<void>
  optIn(userId: string): Promise<void>
  member(userId: string): MemberRef
  actor(userId: string): Actor
  storeText(): Promise<string>
  close(): Promise<void>
}

export type EditBody = {
  content?: string
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[]
  components?: { type: number; components: { type: number; custom_id?: string; label?: string; disabled?: boolean }[] }[]
  flags?: number
  allowed_mentions?: { parse?: string[] }
}

/** Every button of a rendered message, by label. */
export function buttonsOf(body: EditBody): Map<string, string> {
  const buttons = new Map<string, string>()
  for (const row of body.components ?? []) for (const component of row.components) if (component.type === 2 && component.label && component.custom_id) buttons.set(component.label, component.custom_id)
  return buttons
}

export type DiscordTestBotOptions = {
  model?: ScriptedModel
  settings?: Record<string, string>
  /** Another store than a fresh SQLite file (e.g. Redis behind a proxy that a test can cut). */
  storeUrl?: string
  retryDelays?: TestCoreOptions['retryDelays']
  stillWorkingAfterMs?: number
}

export async function startDiscordTestBot(options: DiscordTestBotOptions = {}): Promise<DiscordTestBot> {
  const fake = await startFakeDiscord()
  const testCore = await createTestCore({
    settings: { ...fake.environment, ...options.settings },
    server: { handler: scriptedModelHandler(options.model ?? {}) },
    ...(options.storeUrl ? { storeUrl: options.storeUrl } : {}),
    ...(options.retryDelays ? { retryDelays: options.retryDelays } : {}),
  })
  const observed: DiscordTestBot['observed'] = []
  const observedWaiters: { count: number; resolve: () => void }[] = []
  // The real core, with observe calls recorded on the way through (nothing is replaced).
  const core: BotCore = Object.create(testCore.core) as BotCore
  core.observe = async (message, observeOptions) => {
    const outcome = await testCore.core.observe(message, observeOptions)
    observed.push({ message, outcome })
    for (const waiter of [...observedWaiters]) if (observed.length >= waiter.count) (observedWaiters.splice(observedWaiters.indexOf(waiter), 1), waiter.resolve())
    return outcome
  }
  const logs: DiscordTestBot['logs'] = []
  const record = (level: string) => (event: string, fields: LogFields = {}) => void logs.push({ level, event, fields })
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
  const bot = createDiscordAdapter({ config: testCore.config, logger, stillWorkingAfterMs: options.stillWorkingAfterMs })
  await bot.start(core)
  const member = (userId: string): MemberRef => ({ platform: 'discord', workspaceId: fakeIds.guild, userId })
  const actor = (userId: string): Actor => ({ member: member(userId), isPlatformAdmin: false })
  const callbackPath = (payload: { id: string; token: string }) => `/interactions/${payload.id}/${payload.token}/callback`
  const isEdit = (call: RecordedCall, token: string) => call.method === 'PATCH' && call.path.endsWith(`/${token}/messages/@original`)

  const harness: DiscordTestBot = {
    fake,
    testCore,
    bot,
    logs,
    observed,
    waitForObserved(count) {
      if (observed.length >= count) return Promise.resolve(observed)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${observed.length} of ${count} observe calls`)), 10_000)
        observedWaiters.push({ count, resolve: () => (clearTimeout(timer), resolve(observed)) })
      })
    },
    async interact(payload) {
      await fake.gateway.dispatch('INTERACTION_CREATE', payload)
      return fake.rest.waitForCall((call) => call.method === 'POST' && call.path === callbackPath(payload))
    },
    async waitForEdit(payload, predicate = () => true) {
      const call = await fake.rest.waitForCall((candidate) => isEdit(candidate, payload.token) && predicate((candidate.body ?? {}) as EditBody))
      return call.body as EditBody
    },
    lastEdit(payload) {
      return fake.rest.calls.filter((call) => isEdit(call, payload.token)).at(-1)?.body as EditBody | undefined
    },
    followUps(payload) {
      return fake.rest.calls.filter((call) => call.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(call.path) && call.path.endsWith(`/${payload.token}`)).map((call) => call.body as EditBody)
    },
    async click(edit, label, user = fakeUsers.alice, clickOptions = {}) {
      const customId = buttonsOf(edit).get(label)
      if (!customId) throw new Error(`no button labelled ${label}; have ${[...buttonsOf(edit).keys()].join(', ')}`)
      const carrier = { ...makeMessage({ author: fakeUsers.bot, channelId: fakeIds.publicChannel, content: edit.content ?? '' }), flags: 64, embeds: edit.embeds ?? [], components: edit.components ?? [] }
      const payload = makeButtonInteraction({ customId, user, message: carrier, ...(clickOptions.permissions ? { permissions: clickOptions.permissions } : {}) })
      const callback = await harness.interact(payload)
      return { payload, callback }
    },
    async sendMessage(message) {
      await fake.gateway.dispatch('MESSAGE_CREATE', message)
    },
    async enable(channels = ['*']) {
      const admin: Actor = { member: member(fakeIds.admin), isPlatformAdmin: true }
      const workspace = { platform: 'discord' as const, workspaceId: fakeIds.guild }
      await testCore.core.admin.setEnabled(admin, workspace, true)
      await testCore.core.admin.setLearningChannels(admin, workspace, channels)
    },
    async optIn(userId) {
      await testCore.core.setConsent(actor(userId), member(userId), true)
    },
    member,
    actor,
    async storeText() {
      return (await dumpStore(testCore.store)).join('\n')
    },
    async close() {
      await bot.stop()
      await testCore.close()
      await fake.close()
    },
  }
  return harness
}
