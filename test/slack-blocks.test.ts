// The Slack adapter's pure parts: Block Kit limits (100 blocks per Home view, 3,000 characters per section and per
// private_metadata), escaping, and the parsing of values that come back from Slack (forged ones included).
import { describe, expect, it } from 'vitest'
import { parseAdminCommand } from '../adapters/slack/admin-command.js'
import { renderHome } from '../adapters/slack/blocks/home-blocks.js'
import { helpReply } from '../adapters/slack/blocks/help-blocks.js'
import { assistantDraftReply } from '../adapters/slack/blocks/assistant-blocks.js'
import { readAssistantRequest } from '../adapters/slack/assistant-requests.js'
import { draftReply } from '../adapters/slack/blocks/draft-blocks.js'
import { decodeDraftTarget, decodeReplyTarget, encodeDraftTarget, encodeReplyTarget } from '../adapters/slack/draft-target.js'
import { chunkText, escapeMrkdwn } from '../adapters/slack/mrkdwn.js'
import { toObservedMessage } from '../adapters/slack/to-observed.js'
import type { Hypothesis, Profile } from '../src/core/types.js'

const member = { platform: 'slack' as const, workspaceId: 'T00FAKETEAM1', userId: 'U00FAKEUSER1' }

function profileWith(hypotheses: number): Profile {
  const list: Hypothesis[] = Array.from({ length: hypotheses }, (_, index) => ({
    id: `h${index}`,
    category: (['communication_strategy', 'personality', 'writing_style'] as const)[index % 3]!,
    statement: `statement number ${index} `.repeat(10),
    evidenceMessageIds: ['m1'],
    evidence: ['an example message'],
    confidence: 0.5,
    source: 'inferred',
    pinned: false,
    updatedAt: 0,
  }))
  return {
    member,
    optedIn: true,
    historySize: 10,
    hypotheses: list,
    hypothesesVersion: 1,
    changes: [],
    learning: { due: false, newMessagesSinceLearn: 0, parked: false },
    consentStatement: 'What is stored.',
    retentionDays: 90,
    learningChannels: ['*'],
    workspaceEnabled: true,
  }
}

describe('Slack Block Kit rendering', () => {
  it('keeps the Home view within 100 blocks for a big profile and a big admin view', () => {
    const policy = { enabled: true, learningChannels: ['C00FAKECHAN1'], retentionDays: 90, consentMode: 'admin' as const, adminUserIds: [], updatedAt: 0 }
    const members = Array.from({ length: 60 }, (_, index) => ({ userId: `U00MEMBER${index}`, optedIn: true, via: 'self' as const, at: 0, historySize: 3 }))
    const audit = Array.from({ length: 30 }, (_, index) => ({ id: `a${index}`, at: 0, kind: 'refusal' as const, ruleIds: ['W2'], reason: 'x'.repeat(400) }))
    const view = renderHome({ profile: profileWith(80), policy, admin: { policy, members, audit } })
    expect(view.blocks.length).toBeLessThanOrEqual(100)
    for (const block of view.blocks) {
      const text = (block as { text?: { text?: string } }).text?.text
      if (text) expect(text.length).toBeLessThanOrEqual(3000)
    }
    expect(JSON.stringify(view)).toContain('admin_retention')
  })

  it('names the assistant pane in the Home tab and in help, and says it depends on the Slack plan', () => {
    for (const shown of [JSON.stringify(renderHome({ profile: profileWith(0) })), helpReply().text]) {
      expect(shown).toContain('assistant pane')
      expect(shown).toMatch(/where your Slack plan has it/)
    }
  })

  it('renders a pane draft with the /draft buttons and a line on the context, just above the buttons', () => {
    const drafted = { status: 'drafted' as const, draftId: 'd1', text: 'sounds good', styleMatch: 0.71, hypothesesUsed: [], verdict: { decision: 'comply' as const, ruleIds: [], stage: 'output' as const } }
    const withContext = assistantDraftReply(drafted, 'C00FAKECHAN1', undefined)
    expect(JSON.stringify(withContext.blocks.at(-2))).toContain('<#C00FAKECHAN1> as context')
    expect(withContext.blocks.at(-1)?.type).toBe('actions')
    expect(JSON.stringify(withContext)).toContain('Style match *0.71*')
    expect(JSON.stringify(assistantDraftReply(drafted, 'G00FAKEPRIV1', 'not_open').blocks.at(-2))).toContain('Learning is not on in <#G00FAKEPRIV1>')
  })

  it.each([
    ['Draft a reply to this thread in my voice', 'reply'],
    ['draft a reply to this thread in my voice.', 'reply'],
    ['What have you learned about how I write?', 'profile'],
    ['Draft a message:', 'usage'],
    ['Draft a message: …', 'usage'],
    ['Draft a message: thanks for the review', 'draft:thanks for the review'],
    ['Draft a message to the team about friday', 'draft:Draft a message to the team about friday'],
    ['  ', 'usage'],
  ])('reads the pane request %j as %s', (text, expected) => {
    const request = readAssistantRequest(text)
    expect(request.kind === 'draft' ? `draft:${request.intent}` : request.kind).toBe(expected)
  })

  it('splits a long draft into sections under Slack’s limit and escapes it', () => {
    const reply = draftReply({ status: 'drafted', draftId: 'd1', text: '<!here> ' + 'word '.repeat(1500), hypothesesUsed: [], verdict: { decision: 'comply', ruleIds: [], stage: 'output' } }, { channelId: 'C00FAKECHAN1' })
    const sections = reply.blocks.filter((block) => block.type === 'section') as { text: { text: string } }[]
    expect(sections.length).toBeGreaterThan(2)
    for (const section of sections) expect(section.text.text.length).toBeLessThanOrEqual(3000)
    expect(JSON.stringify(reply)).not.toContain('<!here>')
    expect(reply.text).not.toContain('<!here>')
  })

  it('chunks and escapes text', () => {
    expect(chunkText('a'.repeat(7000), 3000).map((piece) => piece.length)).toEqual([3000, 3000, 1000])
    expect(escapeMrkdwn('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;')
  })
})

describe('values that come back from Slack', () => {
  it('round-trips draft targets and rejects forged ones', () => {
    const value = encodeDraftTarget({ draftId: 'abc', channelId: 'C00FAKECHAN1', threadTs: '1700000000.000100' })
    expect(decodeDraftTarget(value)).toEqual({ draftId: 'abc', channelId: 'C00FAKECHAN1', threadTs: '1700000000.000100', responseUrl: undefined })
    expect(decodeDraftTarget('not json')).toBeUndefined()
    expect(decodeDraftTarget('{"d":"abc","c":"general; drop"}')).toBeUndefined()
    expect(decodeDraftTarget('{"d":"abc","c":"C00FAKECHAN1","t":"soon"}')).toBeUndefined()
    expect(decodeDraftTarget(undefined)).toBeUndefined()
  })

  it('fits the reply modal metadata into 3,000 characters even for a long, quote-heavy message', () => {
    const value = encodeReplyTarget({ channelId: 'C00FAKECHAN1', threadTs: '1700000000.000100', messageTs: '1700000001.000100', responseUrl: 'https://hooks.slack.com/actions/T0/1/abc', messageText: '"\\\n'.repeat(2000) })
    expect(value.length).toBeLessThanOrEqual(3000)
    expect(decodeReplyTarget(value)?.threadTs).toBe('1700000000.000100')
  })

  it('parses admin subcommands, with escaped channels and users', () => {
    expect(parseAdminCommand(['channels', '<#C00FAKECHAN1|general>', 'C00FAKECHAN2'])).toEqual({ actions: [{ action: 'set_learning_channels', channelIds: ['C00FAKECHAN1', 'C00FAKECHAN2'] }] })
    expect(parseAdminCommand(['channels', 'all'])).toEqual({ actions: [{ action: 'set_learning_channels', channelIds: ['*'] }] })
    expect(parseAdminCommand(['optin', '<@U00FAKEUSER1|member>'])).toEqual({ actions: [{ action: 'set_member_consent', userId: 'U00FAKEUSER1', optedIn: true }] })
    expect(parseAdminCommand(['retention', '0'])).toHaveProperty('error')
    expect(parseAdminCommand(['channels', '#general'])).toHaveProperty('error')
    expect(parseAdminCommand(['consent', 'everyone'])).toHaveProperty('error')
    expect(parseAdminCommand(['reboot'])).toHaveProperty('error')
  })

  it('never turns a direct message into learning material', () => {
    expect(toObservedMessage('T00FAKETEAM1', { type: 'message', channel: 'D00FAKEDM001', channel_type: 'im', user: 'U00FAKEUSER1', text: 'secret', ts: '1.1' } as never)).toBeUndefined()
    expect(toObservedMessage('T00FAKETEAM1', { type: 'message', channel: 'D00FAKEDM001', user: 'U00FAKEUSER1', text: 'secret', ts: '1.1' } as never)).toBeUndefined()
    expect(toObservedMessage('T00FAKETEAM1', { type: 'message', channel: 'C00FAKECHAN1', channel_type: 'channel', subtype: 'channel_join', user: 'U00FAKEUSER1', text: 'joined', ts: '1.1' } as never)).toBeUndefined()
    expect(toObservedMessage('T00FAKETEAM1', { type: 'message', channel: 'G00FAKEPRIV1', channel_type: 'group', user: 'U00FAKEUSER1', text: 'hi', ts: '1700000000.000100' } as never)).toMatchObject({ channelKind: 'private', kind: 'created', messageId: '1700000000.000100' })
  })
})
