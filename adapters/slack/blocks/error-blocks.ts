// Renders errors as messages a member can act on: a BotError's own user message, an opt-in prompt for
// consent_required, a plain apology otherwise. Never shows stack traces, codes alone or other members' data.
import type { types } from '@slack/bolt'
import { isBotError } from '../../../src/bot-error.js'
import { actionIds } from '../action-ids.js'
import { escapeMrkdwn } from '../mrkdwn.js'

export type SlackReply = { text: string; blocks: types.KnownBlock[] }

const fallback = 'Something went wrong on my side and nothing was posted. Please try again in a minute; if it keeps happening, tell your workspace admin.'

export function errorText(error: unknown): string {
  return isBotError(error) ? error.userMessage : fallback
}

export function errorReply(error: unknown): SlackReply {
  if (isBotError(error, 'consent_required')) return optInPrompt(error.userMessage)
  const text = errorText(error)
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(text)}` } }] }
}

/** Shown instead of a draft to a member who has not opted in. Nothing has been stored about them at this point. */
export function optInPrompt(reason?: string): SlackReply {
  const text =
    'To draft in your voice I first need your permission to learn from the messages you write. You have not opted in, so I have not stored anything about you.'
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:wave: ${escapeMrkdwn(text)}` } },
      ...(reason && reason !== text ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: escapeMrkdwn(reason) }] }] : []),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: actionIds.optIn, style: 'primary', text: { type: 'plain_text', text: 'Opt in' }, value: 'self' },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'See exactly what is stored, and for how long, in the *Home* tab of the hyperalign app or with `/hyperalign help`.' }],
      },
    ],
  }
}

export function noticeReply(text: string, emoji = ':white_check_mark:'): SlackReply {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${escapeMrkdwn(text)}` } }] }
}
