// The App Home tab: the member's own view (consent toggle, statement of what is stored, hypotheses, style,
// forget) and, only when the core confirmed admin rights, the admin section appended below.
import type { types } from '@slack/bolt'
import type { Profile, WorkspacePolicy } from '../../../src/core/types.js'
import { actionIds } from '../action-ids.js'
import { escapeMrkdwn } from '../mrkdwn.js'
import { adminBlocks, type AdminSnapshot } from './admin-home-blocks.js'
import { hypothesisBlocks, slackDate, storedStatement, styleBlocks } from './profile-blocks.js'

export type HomeModel = {
  profile: Profile
  policy?: WorkspacePolicy
  admin?: AdminSnapshot
  notice?: { text: string; tone: 'ok' | 'error' }
  backfillProgress?: string
  /** Present when members may let the app post as them; `connectUrl` is Slack's consent page when not yet granted. */
  posting?: { connectUrl?: string }
}

/** Where members find drafting; the pane exists only where Slack offers it (paid plans, developer sandboxes). */
export const assistantPaneLine =
  'Draft with `/draft`, with *Draft a reply in my voice* on any message, or, where your Slack plan has it, in the assistant pane: open hyperalign from the top bar and ask beside the channel you are reading.'

/** Slack allows 100 blocks in a Home view; hypotheses get what the rest leaves over. */
const maxBlocks = 100

export function renderHome(model: HomeModel): types.HomeView {
  const { profile } = model
  const top: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'hyperalign: drafts in your own voice' } }, { type: 'context', elements: [{ type: 'mrkdwn', text: assistantPaneLine }] }]
  if (model.notice) {
    const emoji = model.notice.tone === 'ok' ? ':white_check_mark:' : ':warning:'
    top.push({ type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${escapeMrkdwn(model.notice.text)}` } })
  }
  top.push(...consentBlocks(model))
  if (model.backfillProgress) top.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:books: ${escapeMrkdwn(model.backfillProgress)}` }] })

  const bottom: types.KnownBlock[] = []
  if (profile.optedIn || profile.historySize > 0) {
    bottom.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Your measured style' } }, ...styleBlocks(profile.attributes))
  }
  bottom.push(
    { type: 'divider' },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: '*Forget me* erases your messages, style figures, hypotheses and drafts from hyperalign at once.' },
      accessory: {
        type: 'button',
        action_id: actionIds.forgetConfirm,
        style: 'danger',
        text: { type: 'plain_text', text: 'Forget me' },
        value: 'home',
        confirm: {
          title: { type: 'plain_text', text: 'Erase everything?' },
          text: { type: 'mrkdwn', text: 'This deletes everything hyperalign stored about you and opts you out. It cannot be undone.' },
          confirm: { type: 'plain_text', text: 'Erase everything' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        },
      },
    },
  )
  const admin = model.admin ? adminBlocks(model.admin) : []

  let hypotheses: types.KnownBlock[] = []
  if (profile.optedIn || profile.hypotheses.length > 0) {
    const room = maxBlocks - top.length - bottom.length - admin.length - 4
    const limit = Math.max(1, Math.floor(room / 2) - 4)
    hypotheses = [
      { type: 'divider' },
      { type: 'header', text: { type: 'plain_text', text: 'What I have learned about you' } },
      ...hypothesisBlocks(profile, { editable: true, limit }),
      { type: 'actions', elements: [{ type: 'button', action_id: actionIds.hypothesisAdd, text: { type: 'plain_text', text: 'Add a hypothesis' }, value: 'add' }] },
    ]
  }
  const blocks = [...top, ...hypotheses, ...bottom, ...admin].slice(0, maxBlocks)
  return { type: 'home', blocks }
}

function consentBlocks(model: HomeModel): types.KnownBlock[] {
  const { profile } = model
  const consent = profile.consent
  const status = profile.optedIn
    ? `*You are opted in*${consent ? ` since ${slackDate(consent.at)}${consent.via === 'admin' ? ' (by a workspace admin; you can opt out any time)' : ''}` : ''}. I have ${profile.historySize} of your messages.`
    : '*You are not opted in.* Nothing about you is stored.'
  const toggle: types.Button = profile.optedIn
    ? {
        type: 'button',
        action_id: actionIds.optOut,
        text: { type: 'plain_text', text: 'Opt out' },
        value: 'home',
        confirm: {
          title: { type: 'plain_text', text: 'Opt out?' },
          text: { type: 'mrkdwn', text: 'Opting out erases everything hyperalign stored about you.' },
          confirm: { type: 'plain_text', text: 'Opt out and erase' },
          deny: { type: 'plain_text', text: 'Stay opted in' },
        },
      }
    : { type: 'button', action_id: actionIds.optIn, style: 'primary', text: { type: 'plain_text', text: 'Opt in' }, value: 'home' }
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: status }, accessory: toggle },
    { type: 'context', elements: [{ type: 'mrkdwn', text: storedStatement(profile, model.policy) }] },
  ]
  if (profile.optedIn) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: actionIds.backfill, text: { type: 'plain_text', text: 'Learn from my recent messages' }, value: 'home' }],
    })
  }
  if (profile.optedIn && model.posting) blocks.push(postingBlock(profile, model.posting))
  return blocks
}

function postingBlock(profile: Profile, posting: { connectUrl?: string }): types.KnownBlock {
  if (profile.credential || !posting.connectUrl) {
    return {
      type: 'section',
      text: { type: 'mrkdwn', text: '*Drafts you approve are posted as you*, labelled as AI-drafted.' },
      accessory: { type: 'button', action_id: actionIds.postingDisconnect, text: { type: 'plain_text', text: 'Post as the app instead' }, value: 'home' },
    }
  }
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: 'Drafts you approve are posted by the hyperalign app, with "drafted by" you. You can let it post them as you instead.' },
    accessory: { type: 'button', action_id: actionIds.postingConnect, text: { type: 'plain_text', text: 'Post as me' }, url: posting.connectUrl, value: 'home' },
  }
}
