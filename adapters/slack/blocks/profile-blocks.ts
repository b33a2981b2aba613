// A member's own profile as blocks: hypotheses with evidence and confidence (optionally editable), measured
// style at a glance, and the plain statement of what is stored and for how long. Only ever shown to that member.
import type { types } from '@slack/bolt'
import type { Hypothesis, HypothesisCategory, Profile, StyleSummary, WorkspacePolicy } from '../../../src/core/types.js'
import { actionIds } from '../action-ids.js'
import { escapeMrkdwn, truncate } from '../mrkdwn.js'
import { categoryLabel } from './modal-views.js'

const categories: HypothesisCategory[] = ['communication_strategy', 'personality', 'writing_style']

export function slackDate(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000)
  return `<!date^${seconds}^{date_short}|${new Date(milliseconds).toISOString().slice(0, 10)}>`
}

export function hypothesisBlocks(profile: Profile, options: { editable: boolean; limit: number }): types.KnownBlock[] {
  if (profile.hypotheses.length === 0) {
    const why = profile.historySize === 0 ? 'I have none of your messages yet.' : `I have ${profile.historySize} of your messages and will infer hypotheses once there are enough.`
    return [{ type: 'section', text: { type: 'mrkdwn', text: `_No hypotheses yet._ ${why}` } }]
  }
  const blocks: types.KnownBlock[] = []
  let shown = 0
  for (const category of categories) {
    const inCategory = profile.hypotheses.filter((hypothesis) => hypothesis.category === category)
    if (inCategory.length === 0) continue
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `*${categoryLabel(category)}*` }] })
    for (const hypothesis of inCategory) {
      if (shown >= options.limit) break
      shown += 1
      blocks.push(...oneHypothesis(hypothesis, options.editable))
    }
  }
  if (profile.hypotheses.length > shown) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${profile.hypotheses.length - shown} more.` }] })
  }
  return blocks
}

function oneHypothesis(hypothesis: Hypothesis, editable: boolean): types.KnownBlock[] {
  const marks = [`confidence ${hypothesis.confidence.toFixed(2)}`, hypothesis.source === 'member' ? 'written by you' : 'inferred', ...(hypothesis.pinned ? ['pinned'] : [])]
  const section: types.SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: `${escapeMrkdwn(truncate(hypothesis.statement, 600))}\n_${marks.join(' · ')}_` },
  }
  if (editable) {
    section.accessory = {
      type: 'overflow',
      action_id: actionIds.hypothesisMenu,
      options: [
        { text: { type: 'plain_text', text: 'Correct' }, value: `correct:${hypothesis.id}` },
        { text: { type: 'plain_text', text: hypothesis.pinned ? 'Unpin' : 'Pin (keep it)' }, value: `${hypothesis.pinned ? 'unpin' : 'pin'}:${hypothesis.id}` },
        { text: { type: 'plain_text', text: 'Delete' }, value: `delete:${hypothesis.id}` },
      ],
    }
  }
  const evidence = (hypothesis.evidence ?? []).slice(0, 2).map((quoted) => `“${escapeMrkdwn(truncate(quoted.replace(/\s+/g, ' '), 140))}”`)
  const evidenceLine = evidence.length > 0 ? `Evidence: ${evidence.join('  ')}` : `Evidence: ${hypothesis.evidenceMessageIds.length} of your messages`
  return [section, { type: 'context', elements: [{ type: 'mrkdwn', text: evidenceLine }] }]
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`

export function styleBlocks(attributes: StyleSummary | undefined): types.KnownBlock[] {
  if (!attributes || attributes.messages === 0) {
    return [{ type: 'section', text: { type: 'mrkdwn', text: '_No measured style yet._ It appears after I have read some of your messages.' } }]
  }
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${escapeMrkdwn(value)}` })
  const fields = [
    field('Messages measured', String(attributes.messages)),
    field('Words per message', `median ${attributes.words.median}, 90% under ${attributes.words.p90}`),
    field('Starts lowercase', percent(attributes.lowercaseStartRate)),
    field('Ends with punctuation', percent(attributes.endsWithPunctuationRate)),
    field('Questions / exclamations', `${percent(attributes.questionRate)} / ${percent(attributes.exclamationRate)}`),
    field('Emoji', percent(attributes.emojiRate)),
    field('Contractions', percent(attributes.contractionRate)),
    field('Code / links', `${percent(attributes.codeRate)} / ${percent(attributes.linkRate)}`),
    field('Greetings', attributes.greetings.slice(0, 4).join(', ') || 'none'),
    field('Sign-offs', attributes.signOffs.slice(0, 4).join(', ') || 'none'),
  ]
  return [{ type: 'section', fields }]
}

function channelsPhrase(policy: WorkspacePolicy | undefined): string | undefined {
  if (!policy) return undefined
  if (policy.learningChannels.includes('*')) return 'every public channel the app has been added to'
  if (policy.learningChannels.length === 0) return 'no channel yet (a workspace admin chooses them)'
  return policy.learningChannels.map((channel) => `<#${channel}>`).join(', ')
}

/**
 * The plain statement every member sees next to the opt-in toggle: the core's consent text (the one recorded
 * with the opt-in), the retention in days, and the learning channels when this member may see the policy.
 */
export function storedStatement(profile: Pick<Profile, 'consentStatement' | 'retentionDays'>, policy?: WorkspacePolicy): string {
  const channels = channelsPhrase(policy)
  return [
    escapeMrkdwn(profile.consentStatement),
    `*Kept for:* ${profile.retentionDays} days per message${channels ? ` · *learning in:* ${channels}` : ''} · *never:* direct messages.`,
  ].join('\n')
}

/** `/hyperalign profile`: a read-only summary; editing happens in the App Home tab. */
/** How the latest learning change was checked, or that it came from the member's edits (the core's wording). */
function latestNoteBlocks(profile: Profile): types.KnownBlock[] {
  const note = profile.changes.at(-1)?.note
  return note ? [{ type: 'context', elements: [{ type: 'plain_text', text: `Latest change: ${note}.` }] }] : []
}

export function profileBlocks(profile: Profile): types.KnownBlock[] {
  const status = profile.optedIn
    ? `*You are opted in.* I have ${profile.historySize} of your messages${profile.lastLearnedAt ? `; hypotheses last updated ${slackDate(profile.lastLearnedAt)}` : ''}.`
    : '*You are not opted in.* Nothing about you is stored.'
  return [
    { type: 'section', text: { type: 'mrkdwn', text: status } },
    ...(profile.optedIn || profile.hypotheses.length > 0 ? [...hypothesisBlocks(profile, { editable: false, limit: 20 }), ...styleBlocks(profile.attributes)] : []),
    ...latestNoteBlocks(profile),
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Correct, pin or delete any hypothesis in the *Home* tab of the hyperalign app.' }] },
  ]
}
