// Runs the real Slack app (Bolt, HTTP receiver on 127.0.0.1 port 0, or Socket Mode) on the real core for tests and
// benchmarks: a fake Slack Web API that records calls, the real core over SQLite in a temp directory, the real
// openai SDK against the fake model server with scripted replies. It drives the app only through Slack's protocol.
import { slackEventsPath } from '../../adapters/slack/create-slack-app.js'
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack-adapter.js'
import type { Actor, MemberRef } from '../../src/core/types.js'
import type { LogFields, Logger } from '../../src/logger.js'
import { createTestCore, dumpStore, type TestCore } from '../support/test-core.js'
import { fakeReply, lastUserMessage, type FakeOpenAiRequest, type FakeReply } from './fake-openai-server.js'
import { adminId, blockAction, memberId, otherMemberId, slashCommand } from './fake-slack-payloads.js'
import { postSignedToSlackApp, type SignedRequestOptions, type SlackBody, type SlackHttpResponse } from './fake-slack-signed-request.js'
import { FakeSlackWebApi, fakeTeamId, type RecordedSlackCall } from './fake-slack-web-api.js'

export const signingSecret = 'test-signing-secret-0123456789'

export type SlackModelCallKind = 'safety_request' | 'safety_output' | 'learn' | 'draft' | 'answer' | 'other'

/** What a request to the fake model is for, read from what reached it (schema name, prompt openings). */
export function slackModelCallKind(request: FakeOpenAiRequest): SlackModelCallKind {
  const schemaName = request.body.response_format?.json_schema?.name
  const system = request.body.messages.find((message) => message.role === 'system')?.content ?? ''
  const user = lastUserMessage(request.body)
  if (schemaName === 'safety_verdict' || user.startsWith('Stage: ')) return user.startsWith('Stage: output') ? 'safety_output' : 'safety_request'
  if (schemaName === 'member_hypotheses') return 'learn'
  if (system.startsWith('You ghost-write')) return 'draft'
  if (system.startsWith('You are a helpful workplace assistant')) return 'answer'
  return 'other'
}

export type SlackModelScript = {
  /** Rule ids to refuse with at a stage, or undefined to comply. */
  refuse?: (stage: 'safety_request' | 'safety_output', request: FakeOpenAiRequest) => string[] | undefined
  draft?: (request: FakeOpenAiRequest) => string
  /** Held before a draft reply is sent (e.g. until the test has seen the ack); the safety check stays fast. */
  beforeDraft?: (request: FakeOpenAiRequest) => Promise<void>
  draftDelayMs?: number
  /** The draft request never gets an answer (the fake's hang mode): the model call runs into LLM_TIMEOUT_MS. */
  hangDraft?: boolean
}

export const defaultDraftText = 'hey all, quick heads up: the deploy moves to friday. thanks!'

function scriptedHandler(script: SlackModelScript) {
  return async (request: FakeOpenAiRequest): Promise<FakeReply | undefined> => {
    const kind = slackModelCallKind(request)
    if (kind === 'safety_request' || kind === 'safety_output') {
      const rules = script.refuse?.(kind, request)
      return fakeReply.json(rules ? { analysis: `Refused by the test script under ${rules.join(', ')}.`, decision: 'refuse', rule_ids: rules } : { analysis: 'No rule applies.', decision: 'comply', rule_ids: [] })
    }
    if (kind === 'draft') {
      if (script.hangDraft) return fakeReply.hang()
      await script.beforeDraft?.(request)
      return fakeReply.text(script.draft?.(request) ?? defaultDraftText, script.draftDelayMs === undefined ? {} : { delayMs: script.draftDelayMs })
    }
    return undefined
  }
}

export type SlackTestApp = {
  slack: FakeSlackWebApi
  testCore: TestCore
  /** The adapter under test, started on the test core through the PlatformAdapter contract. */
  app: SlackAdapter
  /** What the app logged (event names and fields), e.g. to know every message event has been handled. */
  logs: { level: string; event: string; fields: LogFields }[]
  /** http://127.0.0.1:<port>/slack/events (HTTP mode). */
  eventsUrl: string
  /** Signs and POSTs like Slack does; options can forge the signature or timestamp, or mark a retry. */
  send(body: SlackBody, options?: Partial<SignedRequestOptions>): Promise<SlackHttpResponse>
  /** Sends a slash command; its response_url points at the fake under `responseUrlId`. */
  command(command: string, text: string, options?: { userId?: string; triggerId?: string; channelId?: string; channelName?: string }): Promise<{ response: SlackHttpResponse; responseUrlId: string }>
  /** Clicks a button (or other element) on a message whose response_url is `responseUrlId`. */
  click(options: Parameters<typeof blockAction>[0] & { responseUrlId?: string }): Promise<SlackHttpResponse>
  /** POSTs the app made to one response_url, in order. */
  responses(responseUrlId: string): RecordedSlackCall[]
  waitForResponse(responseUrlId: string, predicate?: (body: Record<string, unknown>) => boolean): Promise<RecordedSlackCall>
  modelCalls(kind?: SlackModelCallKind): FakeOpenAiRequest[]
  /** Store entries (as text) mentioning a user id: for "nothing stored" assertions. */
  storedAbout(userId: string): Promise<string[]>
  enable(channels?: string[]): Promise<void>
  optIn(userId: string): Promise<void>
  member(userId: string): MemberRef
  actor(userId: string, isPlatformAdmin?: boolean): Actor
  close(): Promise<void>
}

export type SlackTestAppOptions = {
  model?: SlackModelScript
  settings?: Record<string, string>
  socketMode?: boolean
  /** Delay of every fake model reply (e.g. "a model that takes 2 s"). */
  modelDelayMs?: number
  /** When a slow draft gets its "still working" notice (default: the app's own). */
  stillWorkingAfterMs?: number
  /** A real store by URL (e.g. Redis behind a proxy the test can cut) instead of SQLite in a temp directory. */
  storeUrl?: string
}

let responseCounter = 0

export async function startSlackTestApp(options: SlackTestAppOptions = {}): Promise<SlackTestApp> {
  const slack = await FakeSlackWebApi.start()
  slack.addUser({ id: memberId, name: 'member', real_name: 'Member One' })
  slack.addUser({ id: otherMemberId, name: 'other', real_name: 'Member Two' })
  slack.addUser({ id: adminId, name: 'admin', real_name: 'Workspace Admin', is_admin: true })
  slack.addChannel({ id: 'C00FAKECHAN1', name: 'general', is_member: true })
  const testCore = await createTestCore({
    ...(options.storeUrl ? { storeUrl: options.storeUrl } : {}),
    settings: {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ...(options.socketMode ? { SLACK_APP_TOKEN: 'xapp-test-token' } : {}),
      ...options.settings,
    },
    server: { handler: scriptedHandler(options.model ?? {}), ...(options.modelDelayMs !== undefined ? { delayMs: options.modelDelayMs } : {}) },
  })
  // Backfill waits on Retry-After are real waits in production; here they are recorded and skipped.
  const logs: { level: string; event: string; fields: LogFields }[] = []
  const record = (level: string) => (event: string, fields: LogFields = {}) => void logs.push({ level, event, fields })
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
  const app = createSlackAdapter({ config: testCore.config, logger, host: '127.0.0.1', sleep: async () => {}, stillWorkingAfterMs: options.stillWorkingAfterMs })
  await app.start(testCore.core)
  const eventsUrl = `http://127.0.0.1:${app.port ?? 0}${slackEventsPath}`
  const send = (body: SlackBody, sendOptions: Partial<SignedRequestOptions> = {}) => postSignedToSlackApp(eventsUrl, body, { signingSecret, ...sendOptions })
  const member = (userId: string): MemberRef => ({ platform: 'slack', workspaceId: fakeTeamId, userId })
  const actor = (userId: string, isPlatformAdmin = false): Actor => ({ member: member(userId), isPlatformAdmin })

  return {
    slack,
    testCore,
    app,
    eventsUrl,
    logs,
    send,
    async command(command, text, commandOptions = {}) {
      responseCounter += 1
      const responseUrlId = `command-${responseCounter}`
      const response = await send(slashCommand({ command, text, responseUrl: slack.responseUrl(responseUrlId), ...commandOptions }))
      return { response, responseUrlId }
    },
    click(clickOptions) {
      const responseUrl = clickOptions.responseUrlId ? slack.responseUrl(clickOptions.responseUrlId) : clickOptions.responseUrl
      return send(blockAction({ ...clickOptions, responseUrl }))
    },
    responses: (responseUrlId) => slack.calls.filter((call) => call.method === 'response_url' && call.responseUrlId === responseUrlId),
    waitForResponse: (responseUrlId, predicate = () => true) => slack.waitFor('response_url', (call) => call.responseUrlId === responseUrlId && predicate(call.body)),
    modelCalls: (kind) => testCore.server.chatRequests().filter((request) => kind === undefined || slackModelCallKind(request) === kind),
    async storedAbout(userId) {
      return (await dumpStore(testCore.store)).filter((line) => line.includes(userId))
    },
    async enable(channels = ['*']) {
      const admin = actor(adminId, true)
      await testCore.core.admin.setEnabled(admin, member(adminId), true)
      await testCore.core.admin.setLearningChannels(admin, member(adminId), channels)
    },
    async optIn(userId) {
      await testCore.core.setConsent(actor(userId), member(userId), true)
    },
    member,
    actor,
    async close() {
      await app.idle()
      await app.stop()
      await testCore.close()
      await slack.close()
    },
  }
}

/** Action ids of every element in a list of blocks (buttons, menus, accessories). */
export function actionIdsIn(blocks: unknown): string[] {
  const found: string[] = []
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>
      if (typeof record.action_id === 'string') found.push(record.action_id)
      Object.values(record).forEach(visit)
    }
  }
  visit(blocks)
  return found
}

/** The first element (button, menu, accessory) with this action id, as sent to Slack. */
export function elementWithAction(blocks: unknown, actionId: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined
  const visit = (value: unknown) => {
    if (found !== undefined) return
    if (Array.isArray(value)) value.forEach(visit)
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>
      if (record.action_id === actionId) found = record
      else Object.values(record).forEach(visit)
    }
  }
  visit(blocks)
  return found
}

/** The `value` of the first element with this action id. */
export function buttonValue(blocks: unknown, actionId: string): string | undefined {
  const value = elementWithAction(blocks, actionId)?.value
  return typeof value === 'string' ? value : undefined
}

/** Everything a member would read in a message or view: all text fields joined. */
export function visibleText(body: unknown): string {
  const parts: string[] = []
  const visit = (value: unknown, key?: string) => {
    if (typeof value === 'string' && key === 'text') parts.push(value)
    else if (Array.isArray(value)) value.forEach((item) => visit(item))
    else if (value && typeof value === 'object') Object.entries(value as Record<string, unknown>).forEach(([childKey, child]) => visit(child, childKey))
  }
  visit(body)
  return parts.join('\n')
}
