// The /hyperalign help text: every command a member or admin can use, and where consent and data live.
import type { SlackReply } from './error-blocks.js'

const memberHelp = [
  '*hyperalign* drafts messages in your own voice. Nothing is posted until you click *Post*, and posts are labelled as AI-drafted.',
  '• `/draft <what you want to say>`: a private draft in your voice with Post / Edit / Regenerate / Discard',
  '• Message menu → *Draft a reply in my voice*: a reply to that thread',
  '• The assistant pane (top bar, where your Slack plan has it): ask for a draft beside the channel you are reading',
  '• `/hyperalign optin` / `optout`: let me learn from the messages you write in enabled channels, or stop and erase everything',
  '• `/hyperalign learn`: learn from your recent messages in enabled channels',
  '• `/hyperalign profile`: what I learned about you (edit it in the app\'s *Home* tab)',
  '• `/hyperalign forget`: erase everything about you (asks first)',
  '• `/hyperalign connect` / `disconnect`: let me post the drafts you approve as you (when the app allows it), or stop',
]

const adminHelp = [
  '*Workspace admins* (Slack admins and owners, or the configured list):',
  '• `/hyperalign admin status` · `admin on` · `admin off`',
  '• `/hyperalign admin channels #one #two` · `admin channels all` · `admin channels none`',
  '• `/hyperalign admin retention <days>` · `admin consent member|admin`',
  '• `/hyperalign admin optin @member` (admin consent mode only) · `admin optout @member`',
  '• `/hyperalign admin members` · `admin audit`',
]

export function helpReply(): SlackReply {
  return {
    text: memberHelp.join('\n'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: memberHelp.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: adminHelp.join('\n') }] },
    ],
  }
}
