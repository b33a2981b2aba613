// Builders for the payloads Slack sends (slash commands, block actions, view submissions, message shortcuts,
// events, assistant threads), shaped like the documented wire format with scrubbed ids. They build data, send nothing.
import { randomUUID } from 'node:crypto'
import { fakeAppId, fakeTeamId } from './fake-slack-web-api.js'
import type { SlackBody } from './fake-slack-signed-request.js'

export const memberId = 'U00FAKEUSER1'
export const otherMemberId = 'U00FAKEUSER2'
export const adminId = 'U00FAKEADMIN'
export const channelId = 'C00FAKECHAN1'

let counter = 0
const nextId = (prefix: string) => `${prefix}${Date.now()}${(counter += 1)}`

export function slashCommand(options: { command: string; text: string; userId?: string; channelId?: string; responseUrl: string; triggerId?: string; channelName?: string }): SlackBody {
  return {
    kind: 'form',
    fields: {
      token: 'legacy-verification-token',
      team_id: fakeTeamId,
      team_domain: 'fake',
      channel_id: options.channelId ?? channelId,
      channel_name: options.channelName ?? 'general',
      user_id: options.userId ?? memberId,
      user_name: 'member',
      command: options.command,
      text: options.text,
      api_app_id: fakeAppId,
      is_enterprise_install: 'false',
      response_url: options.responseUrl,
      trigger_id: options.triggerId ?? nextId('trigger.'),
    },
  }
}

/** The `payload` of a slash command as Socket Mode delivers it (same fields, JSON instead of a form). */
export function slashCommandPayload(options: Parameters<typeof slashCommand>[0]): Record<string, unknown> {
  const body = slashCommand(options)
  return body.kind === 'form' ? { ...body.fields } : {}
}

export function blockAction(options: {
  actionId: string
  value?: string
  userId?: string
  responseUrl?: string
  channelId?: string
  view?: Record<string, unknown>
  selected?: Record<string, unknown>
  blockId?: string
}): SlackBody {
  const action: Record<string, unknown> = {
    action_id: options.actionId,
    block_id: options.blockId ?? 'block',
    type: options.value === undefined && options.selected ? 'static_select' : 'button',
    action_ts: `${Date.now() / 1000}`,
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...options.selected,
  }
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: { id: options.userId ?? memberId, username: 'member', team_id: fakeTeamId },
    api_app_id: fakeAppId,
    token: 'legacy-verification-token',
    team: { id: fakeTeamId, domain: 'fake' },
    trigger_id: nextId('trigger.'),
    actions: [action],
  }
  if (options.view) {
    payload.container = { type: 'view', view_id: 'V00FAKEHOME' }
    payload.view = options.view
  } else {
    payload.container = { type: 'message', message_ts: '1700000000.000100', channel_id: options.channelId ?? channelId, is_ephemeral: true }
    payload.channel = { id: options.channelId ?? channelId, name: 'general' }
    payload.response_url = options.responseUrl
  }
  return { kind: 'interactive', payload }
}

export function viewSubmission(options: { callbackId: string; privateMetadata: string; values: Record<string, Record<string, Record<string, unknown>>>; userId?: string }): SlackBody {
  return {
    kind: 'interactive',
    payload: {
      type: 'view_submission',
      team: { id: fakeTeamId, domain: 'fake' },
      user: { id: options.userId ?? memberId, username: 'member', team_id: fakeTeamId },
      api_app_id: fakeAppId,
      token: 'legacy-verification-token',
      trigger_id: nextId('trigger.'),
      view: {
        id: 'V00FAKEMODAL',
        type: 'modal',
        callback_id: options.callbackId,
        private_metadata: options.privateMetadata,
        state: { values: options.values },
        hash: 'hash',
      },
      response_urls: [],
    },
  }
}

export function messageShortcut(options: { callbackId: string; userId?: string; channelId?: string; message: Record<string, unknown>; responseUrl: string }): SlackBody {
  return {
    kind: 'interactive',
    payload: {
      type: 'message_action',
      callback_id: options.callbackId,
      trigger_id: nextId('trigger.'),
      message_ts: options.message.ts,
      response_url: options.responseUrl,
      team: { id: fakeTeamId, domain: 'fake' },
      channel: { id: options.channelId ?? channelId, name: 'general' },
      user: { id: options.userId ?? memberId, name: 'member' },
      message: { type: 'message', ...options.message },
      token: 'legacy-verification-token',
    },
  }
}

export function eventCallback(event: Record<string, unknown>, eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`): SlackBody {
  return {
    kind: 'event',
    envelope: {
      token: 'legacy-verification-token',
      team_id: fakeTeamId,
      api_app_id: fakeAppId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: fakeTeamId, user_id: 'U00FAKEBOT01', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    },
  }
}

export function channelMessage(options: { userId?: string; text: string; ts: string; channelId?: string; channelType?: string; threadTs?: string; botId?: string; subtype?: string }): Record<string, unknown> {
  return {
    type: 'message',
    channel: options.channelId ?? channelId,
    channel_type: options.channelType ?? 'channel',
    user: options.userId ?? memberId,
    text: options.text,
    ts: options.ts,
    event_ts: options.ts,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    ...(options.botId ? { bot_id: options.botId } : {}),
    ...(options.subtype ? { subtype: options.subtype } : {}),
  }
}

/** The member's DM with the app, where Slack keeps their assistant threads. */
export const assistantChannelId = 'D00FAKEDM001'

/** `assistant_thread_started` / `assistant_thread_context_changed`: the pane opened, or the member moved to another channel. */
export function assistantThreadEvent(
  type: 'assistant_thread_started' | 'assistant_thread_context_changed',
  options: { threadTs: string; userId?: string; channelId?: string; viewedChannelId?: string; viewedTeamId?: string },
): Record<string, unknown> {
  const context = options.viewedChannelId ? { channel_id: options.viewedChannelId, team_id: options.viewedTeamId ?? fakeTeamId, enterprise_id: null } : {}
  return {
    type,
    assistant_thread: { user_id: options.userId ?? memberId, context, channel_id: options.channelId ?? assistantChannelId, thread_ts: options.threadTs },
    event_ts: `${Date.now() / 1000}`,
  }
}

/** What the member types in an assistant thread, as the `message.im` event Slack sends for it. */
export function assistantMessage(options: { text: string; ts: string; threadTs: string; userId?: string; channelId?: string }): Record<string, unknown> {
  return {
    ...channelMessage({ userId: options.userId, text: options.text, ts: options.ts, threadTs: options.threadTs, channelId: options.channelId ?? assistantChannelId, channelType: 'im' }),
    client_msg_id: randomUUID(),
    team: fakeTeamId,
  }
}
