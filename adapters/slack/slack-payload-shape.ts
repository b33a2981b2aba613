// The shapes of what Slack sends (events, slash commands, interactive payloads), as minimal zod schemas checked at
// the door, so a well-signed payload of the wrong shape is refused before Bolt or a handler trips over it. Only the
// fields the app reads are checked; the result names the payload type and the failing field, never a value.
import { z } from 'zod'

const id = z.string().min(1).max(255)
const user = z.object({ id, team_id: z.string().optional() })
const team = z.object({ id }).nullish()
const channel = z.object({ id }).nullish()

const messageFields = z.object({
  user: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().nullish(),
  app_id: z.string().nullish(),
})

/** An assistant thread lives in the member's DM with the app; `context` is the channel they are viewing, if any. */
const assistantThread = z.object({
  user_id: id,
  channel_id: id,
  thread_ts: z.string().regex(/^\d{1,12}\.\d{1,8}$/),
  context: z.object({ channel_id: id.optional(), team_id: id.optional(), enterprise_id: z.string().nullish() }).optional(),
})

const eventSchemas: Record<string, z.ZodType> = {
  message: messageFields.extend({
    type: z.literal('message'),
    channel: id,
    channel_type: z.string().optional(),
    message: messageFields.optional(),
    previous_message: messageFields.optional(),
    deleted_ts: z.string().optional(),
  }),
  app_home_opened: z.object({ type: z.literal('app_home_opened'), user: id, tab: z.string().optional() }),
  assistant_thread_started: z.object({ type: z.literal('assistant_thread_started'), assistant_thread: assistantThread }),
  assistant_thread_context_changed: z.object({ type: z.literal('assistant_thread_context_changed'), assistant_thread: assistantThread }),
}

const eventCallback = z.object({
  type: z.literal('event_callback'),
  team_id: z.string().optional(),
  event_id: z.string().optional(),
  event: z.looseObject({ type: z.string().min(1) }),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish() })).nullish(),
})

const inputValue = z.looseObject({
  type: z.string().optional(),
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
  selected_conversations: z.array(z.string()).nullish(),
  selected_user: z.string().nullish(),
})
const view = z.looseObject({
  id,
  type: z.string(),
  callback_id: z.string().optional(),
  private_metadata: z.string().optional(),
  hash: z.string().optional(),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), inputValue)) }).optional(),
})
const action = inputValue.extend({ action_id: id, block_id: z.string().optional(), type: z.string(), action_ts: z.string().optional() })

const interactiveSchemas: Record<string, z.ZodType> = {
  block_actions: z.object({
    type: z.literal('block_actions'),
    user,
    team,
    channel,
    actions: z.array(action).min(1),
    trigger_id: z.string().optional(),
    response_url: z.string().optional(),
    view: view.optional(),
  }),
  block_suggestion: z.object({ type: z.literal('block_suggestion'), user, team, action_id: id, value: z.string() }),
  view_submission: z.object({ type: z.literal('view_submission'), user, team, view, trigger_id: z.string().optional() }),
  view_closed: z.object({ type: z.literal('view_closed'), user, team, view }),
  shortcut: z.object({ type: z.literal('shortcut'), user, team, callback_id: id, trigger_id: z.string() }),
  message_action: z.object({
    type: z.literal('message_action'),
    user,
    team,
    channel,
    callback_id: id,
    trigger_id: z.string(),
    response_url: z.string().optional(),
    message: messageFields.extend({ ts: z.string() }),
  }),
}

/** Form fields are strings (a repeated field would arrive as an array and fail here). */
const slashCommand = z.object({
  command: z.string().startsWith('/'),
  text: z.string(),
  user_id: id,
  team_id: id,
  channel_id: id,
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
})

const topLevelSchemas: Record<string, z.ZodType> = {
  url_verification: z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  app_rate_limited: z.object({ type: z.literal('app_rate_limited'), team_id: z.string().optional() }),
}

export type SlackPayloadKind = 'event' | 'command' | 'interactive' | 'url_verification' | 'app_rate_limited' | 'ssl_check'

export type SlackPayloadCheck =
  | { ok: true; kind: SlackPayloadKind; /** For logs: `event_callback/message`, `block_actions`, `command`, … */ payloadType: string; eventType?: string }
  | { ok: false; payloadType: string; /** The first failing field and why, e.g. `actions: invalid_type`. */ problem: string }

/** A type name safe to log: known names as they are, anything else as `unknown`. */
const loggable = (name: unknown): string => (typeof name === 'string' && /^[a-z_]{1,60}$/.test(name) ? name : 'unknown')

function checked(schema: z.ZodType, body: unknown, kind: SlackPayloadKind, payloadType: string, eventType?: string): SlackPayloadCheck {
  const result = schema.safeParse(body)
  if (result.success) return { ok: true, kind, payloadType, ...(eventType ? { eventType } : {}) }
  const issue = result.error.issues[0]
  const path = issue?.path.length ? issue.path.map(String).join('.') : '(body)'
  return { ok: false, payloadType, problem: `${path}: ${issue?.code ?? 'invalid'}` }
}

/** Checks a parsed Slack body (HTTP or Socket Mode) before any listener sees it. */
export function checkSlackPayload(body: unknown): SlackPayloadCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, payloadType: 'unknown', problem: '(body): not an object' }
  const record = body as Record<string, unknown>
  if (record.ssl_check === '1') return { ok: true, kind: 'ssl_check', payloadType: 'ssl_check' }
  if ('command' in record) return checked(slashCommand, body, 'command', 'command')
  const type = record.type
  if (type === 'event_callback') {
    const envelope = eventCallback.safeParse(body)
    if (!envelope.success) return checked(eventCallback, body, 'event', 'event_callback')
    const eventType = envelope.data.event.type
    const schema = eventSchemas[eventType]
    const payloadType = `event_callback/${loggable(eventType)}`
    return schema ? checked(z.object({ event: schema }), body, 'event', payloadType, eventType) : { ok: true, kind: 'event', payloadType, eventType }
  }
  if (typeof type === 'string' && interactiveSchemas[type]) return checked(interactiveSchemas[type], body, 'interactive', type)
  if (typeof type === 'string' && topLevelSchemas[type]) return checked(topLevelSchemas[type], body, type as SlackPayloadKind, type)
  return { ok: false, payloadType: loggable(type), problem: 'type: unknown payload type' }
}
