// Plain-text rendering of core results for the terminal: profiles, drafts, answers, refusals and admin views.
import type { AnswerResult, AuditEntry, ConsentOutcome, DraftResult, ForgetReport, MemberSummary, Profile, WorkspaceCounts, WorkspacePolicy } from '../../src/core/types.js'

const percent = (rate: number) => `${Math.round(rate * 100)}%`
const categoryLabel = { communication_strategy: 'Communication', personality: 'Personality', writing_style: 'Writing style' } as const

export function renderProfile(profile: Profile): string {
  const lines: string[] = []
  lines.push(`${profile.member.userId}: ${profile.optedIn ? `opted in (${profile.consent?.via}, ${new Date(profile.consent!.at).toISOString().slice(0, 10)})` : 'not opted in'}`)
  lines.push(`History: ${profile.historySize} messages kept for ${profile.retentionDays} days. Hypotheses version ${profile.hypothesesVersion}${profile.lastLearnedAt ? `, learned ${new Date(profile.lastLearnedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC` : ', not learned yet'}.`)
  if (profile.learning.lastError) lines.push(`Last learning run failed (${profile.learning.lastError})${profile.learning.parked ? '; it will not retry until you run `learn`' : '; it will retry'}.`)
  const style = profile.attributes
  if (style && style.messages > 0) {
    lines.push('', 'Measured style:')
    lines.push(`  length: median ${style.words.median} words (90% ≤ ${style.words.p90}); ${style.sentencesPerMessage.toFixed(1)} sentences/message`)
    lines.push(`  lower-case start ${percent(style.lowercaseStartRate)}, ends with punctuation ${percent(style.endsWithPunctuationRate)}, questions ${percent(style.questionRate)}, exclamations ${percent(style.exclamationRate)}`)
    lines.push(`  emoji ${percent(style.emojiRate)}, contractions ${percent(style.contractionRate)}, code ${percent(style.codeRate)}, links ${percent(style.linkRate)}`)
    lines.push(`  greetings: ${style.greetings.join(', ') || '—'}; sign-offs: ${style.signOffs.join(', ') || '—'}; top function words: ${style.topFunctionWords.slice(0, 8).join(', ')}`)
  }
  if (profile.hypotheses.length) {
    lines.push('', 'Hypotheses (id · confidence):')
    for (const category of ['communication_strategy', 'personality', 'writing_style'] as const) {
      const items = profile.hypotheses.filter((each) => each.category === category)
      if (!items.length) continue
      lines.push(`  ${categoryLabel[category]}`)
      for (const each of items) {
        const marks = [each.pinned ? 'pinned' : '', each.source === 'member' ? 'yours' : ''].filter(Boolean).join(', ')
        lines.push(`    [${each.id}] ${each.confidence.toFixed(2)} ${each.statement}${marks ? ` (${marks})` : ''}`)
        for (const quote of (each.evidence ?? []).slice(0, 2)) lines.push(`        e.g. “${truncate(quote, 100)}”`)
      }
    }
  } else if (profile.optedIn) {
    lines.push('', 'No hypotheses yet: run `learn` once you have some messages.')
  }
  const last = profile.changes.at(-1)
  if (last && (last.added.length || last.removed.length)) {
    lines.push('', `Changes in version ${last.version} (${last.by}): +${last.added.length} −${last.removed.length}`)
  }
  if (last?.note) lines.push(`Learning ${last.note}.`)
  return lines.join('\n')
}

export function renderDraft(result: DraftResult): string {
  if (result.status === 'refused') return `✋ ${result.message}`
  const lines = ['─── draft (only you see this) ───', result.text, '──────────────────────────────────']
  lines.push(`style match: ${result.styleMatch === undefined ? 'n/a (too little history)' : result.styleMatch.toFixed(2)} · shaped by ${result.hypothesesUsed.length} hypotheses · safety: ${result.verdict.decision}`)
  if (result.notice) lines.push(result.notice)
  return lines.join('\n')
}

export function renderAnswer(result: AnswerResult): string {
  if (result.status === 'refused') return `✋ ${result.message}`
  return [result.text, ...(result.notice ? ['', `(${result.notice})`] : [])].join('\n')
}

export function renderForget(report: ForgetReport): string {
  return `Erased ${report.messages} messages, ${report.hypotheses} hypotheses, ${report.drafts} drafts, ${report.auditEntries} audit entries and ${report.otherRecords} other records.`
}

export function renderPolicy(policy: WorkspacePolicy): string {
  return [
    `enabled: ${policy.enabled}`,
    `learning channels: ${policy.learningChannels.length ? policy.learningChannels.join(', ') : '(none)'}`,
    `retention: ${policy.retentionDays} days`,
    `consent mode: ${policy.consentMode}`,
  ].join('\n')
}

export function renderMemberConsent(outcome: ConsentOutcome): string {
  return outcome.record.optedIn ? `Opted in (${outcome.record.via}).` : `Opted out; ${outcome.erased ? renderForget(outcome.erased) : ''}`
}

export function renderMembers(members: MemberSummary[]): string {
  return members.length ? members.map((each) => `${each.userId}  ${each.via.padEnd(6)}  ${String(each.historySize).padStart(5)} messages`).join('\n') : 'No members have opted in.'
}

export function renderCounts(counts: WorkspaceCounts): string {
  return `opted-in members ${counts.optedInMembers}, messages ${counts.messages}, drafts ${counts.drafts}, answers ${counts.answers}, refusals ${counts.refusals}, tokens today ${counts.tokensToday}${counts.dailyTokenBudget ? ` of ${counts.dailyTokenBudget}` : ''}`
}

export function renderAuditLog(entries: AuditEntry[]): string {
  return entries.length
    ? entries.map((each) => `${new Date(each.at).toISOString().slice(0, 19)} ${each.kind}${each.ruleIds?.length ? ` [${each.ruleIds.join(',')}]` : ''} ${each.reason}`).join('\n')
    : 'The audit log is empty.'
}

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > length ? flat.slice(0, length - 1) + '…' : flat
}
