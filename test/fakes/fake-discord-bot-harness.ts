// Runs the real Discord adapter on the real core for tests and benchmarks: fake Discord (REST + gateway), the real
// discord.js client, the real core over SQLite in a temp directory, the real openai SDK against the fake model server.
import { silentLogger } from '../../src/logger.js'
import type { Actor, MemberRef } from '../../src/core/types.js'
import { createDiscordBot, type DiscordBot } from '../../adapters/discord/create-discord-bot.js'
import { createTestCore, type TestCore } from '../support/test-core.js'
import { fakeReply, lastUserMessage, type FakeOpenAiRequest, type FakeReply } from './fake-openai-server.js'
import { startFakeDiscord, type FakeDiscord } from './fake-discord-harness.js'
import { adminPermissions, fakeIds, type FakeMessage } from './fake-discord-payloads.js'
import type { RecordedCall } from './fake-discord-rest.js'

/** What a model request is for, read from what reached the fake server (schema name or system prompt). */
export type ModelCallKind = 'safety_request' | 'safety_output' | 'learn' | 'draft' | 'answer' | 'other'

export function modelCallKind(request: FakeOpenAiRequest): ModelCallKind {
  const schemaName = request.body.response_format?.json_schema?.name
  const system = request.body.messages.find((message) => message.role === 'system')?.content ?? ''
  const user = lastUserMessage(request.body)
  if (schemaName === 'safety_verdict' || system.includes('safety')) {
    if (user.startsWith('Stage: output')) return 'safety_output'
    if (user.startsWith('Stage: request')) return 'safety_request'
  }
  if (schemaName === 'member_hypotheses' || system.startsWith('You study how one person writes')) return 'learn'
  if (system.startsWith('You ghost-write')) return 'draft'
  if (system.startsWith('You are a helpful workplace assistant')) return 'answer'
  return 'other'
}

/** A fake model: verdicts comply unless `refuse` says otherwise; drafts and answers from the given functions. */
export type ScriptedModel = {
  refuse?: (kind: 'safety_request' | 'safety_output', request: FakeOpenAiRequest) => string[] | undefined
  draft?: (request: FakeOpenAiRequest) => string
  answer?: (request: FakeOpenAiRequest) => string
  /** Delay of draft and answer replies only (the safety check stays fast), e.g. "a model that takes 2 s". */
  composeDelayMs?: number
}

export function scriptedModelHandler(script: ScriptedModel) {
  return (request: FakeOpenAiRequest): FakeReply | undefined => {
    const kind = modelCallKind(request)
    if (kind === 'safety_request' || kind === 'safety_output') {
      const rules = script.refuse?.(kind, request)
      return fakeReply.json(
        rules ? { decision: 'refuse', rule_ids: rules, reason: 'Refused by the test script.' } : { decision: 'comply', rule_ids: [], reason: 'Fine.' },
      )
    }
    const delay = script.composeDelayMs === undefined ? {} : { delayMs: script.composeDelayMs }
    if (kind === 'draft') return fakeReply.text(script.draft?.(request) ?? 'hey all, quick heads up: the deploy moves to friday. thanks!', delay)
    if (kind === 'answer') return fakeReply.text(script.answer?.(request) ?? 'Short answer: rebase onto main, then force-push your branch.', delay)
    return undefined
  }
}

export type DiscordTestBot = {
  fake: FakeDiscord
  testCore: TestCore
  bot: DiscordBot
  /** Sends INTERACTION_CREATE and resolves with the interaction's callback call (the deferral or first reply). */
  interact(payload: { id: string; token: string }): Promise<RecordedCall>
  /** Calls made for one interaction token (callback, edits and follow-ups), in order. */
  callsFor(payload: { id: string; token: string }): RecordedCall[]
  /** Waits for a PATCH of the interaction's original message and returns its body. */
  waitForEdit(payload: { token: string }, predicate?: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  sendMessage(message: FakeMessage): Promise<void>
  /** Turns the bot on in the fake server and allows learning in `channels` (default every public channel). */
  enable(channels?: string[]): Promise<void>
  optIn(userId: string): Promise<void>
  member(userId: string): MemberRef
  actor(userId: string): Actor
  close(): Promise<void>
}

export async function startDiscordTestBot(options: { model?: ScriptedModel; settings?: Record<string, string> } = {}): Promise<DiscordTestBot> {
  const fake = await startFakeDiscord()
  const testCore = await createTestCore({
    settings: { ...fake.environment, ...options.settings },
    server: { handler: scriptedModelHandler(options.model ?? {}) },
  })
  const bot = createDiscordBot({ core: testCore.core, config: testCore.config, logger: silentLogger })
  await bot.start()
  const member = (userId: string): MemberRef => ({ platform: 'discord', workspaceId: fakeIds.guild, userId })
  const actor = (userId: string): Actor => ({ member: member(userId), isPlatformAdmin: false })
  const callbackPath = (payload: { id: string; token: string }) => `/interactions/${payload.id}/${payload.token}/callback`

  return {
    fake,
    testCore,
    bot,
    async interact(payload) {
      await fake.gateway.dispatch('INTERACTION_CREATE', payload)
      return fake.rest.waitForCall((call) => call.method === 'POST' && call.path === callbackPath(payload))
    },
    callsFor(payload) {
      return fake.rest.calls.filter((call) => call.path === callbackPath(payload) || call.path.includes(`/${payload.token}`))
    },
    async waitForEdit(payload, predicate = () => true) {
      const call = await fake.rest.waitForCall(
        (candidate) =>
          candidate.method === 'PATCH' && candidate.path.endsWith(`/${payload.token}/messages/@original`) && predicate((candidate.body ?? {}) as Record<string, unknown>),
      )
      return call.body as Record<string, unknown>
    },
    async sendMessage(message) {
      await fake.gateway.dispatch('MESSAGE_CREATE', message)
    },
    async enable(channels = ['*']) {
      const admin: Actor = { member: member(fakeIds.admin), isPlatformAdmin: true }
      const workspace = { platform: 'discord' as const, workspaceId: fakeIds.guild }
      await testCore.core.admin(admin, workspace, { action: 'set_enabled', enabled: true })
      await testCore.core.admin(admin, workspace, { action: 'set_learning_channels', channelIds: channels })
    },
    async optIn(userId) {
      await testCore.core.setConsent(actor(userId), member(userId), true)
    },
    member,
    actor,
    async close() {
      await bot.stop()
      await testCore.close()
      await fake.close()
    },
  }
}

export { adminPermissions }
