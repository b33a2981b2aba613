// A member's profile as plain data: consent, hypotheses with their evidence quoted from the member's own history,
// measured style, learning state and what the workspace allows. Read-only; who may read it is checked by the caller.
import { consentStatement, type ConsentService } from '../records/consent-service.js'
import type { CredentialStore } from '../records/credential-store.js'
import type { HistoryStore } from '../records/history-store.js'
import type { HypothesisChange, HypothesisStore } from '../records/hypothesis-store.js'
import { isDue, type LearningStateStore } from '../records/learning-state-store.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { MemberRef, Profile } from '../types.js'

/** The change log line a member reads: how learning checked a revision, and whether it came from their edits. */
export function describeChange(change: HypothesisChange): string | undefined {
  const parts: string[] = []
  if (change.check) {
    const { messages, previous, revised, kept } = change.check
    parts.push(`checked against ${messages} of your messages: ${previous.toFixed(2)} → ${revised.toFixed(2)}${kept ? '' : ', so the previous hypotheses were kept'}`)
  }
  if (change.fromEdits) parts.push(`changed from your edits (${change.fromEdits} edited draft${change.fromEdits === 1 ? '' : 's'})`)
  return parts.length ? parts.join('; ') : undefined
}

export type ProfileReader = (member: MemberRef) => Promise<Profile>

export function createProfileReader(dependencies: {
  consent: ConsentService
  policies: PolicyService
  hypotheses: HypothesisStore
  learning: LearningStateStore
  style: MemberStyleStore
  history: HistoryStore
  credentials: CredentialStore
  clock: () => number
  learnSettings: { minNewMessages: number; minIntervalMs: number }
}): ProfileReader {
  const { consent, policies, hypotheses, learning, style, history, credentials, clock, learnSettings } = dependencies
  return async (member) => {
    const [record, policy, set, state, summary, size, credential] = await Promise.all([
      consent.get(member),
      policies.get(member),
      hypotheses.get(member),
      learning.get(member),
      style.summary(member),
      history.size(member),
      credentials.get(member),
    ])
    const evidenceIds = new Set(set.hypotheses.flatMap((each) => each.evidenceMessageIds))
    const evidence = evidenceIds.size ? await history.byIds(member, evidenceIds, policy.retentionDays) : []
    const texts = new Map(evidence.map((each) => [each.id, each.text]))
    return {
      member,
      optedIn: record?.optedIn === true,
      consent: record,
      historySize: size,
      hypotheses: set.hypotheses.map((each) => ({ ...each, evidence: each.evidenceMessageIds.flatMap((id) => (texts.has(id) ? [texts.get(id)!] : [])) })),
      hypothesesVersion: set.version,
      changes: set.changes.map((change) => ({ ...change, note: describeChange(change) })),
      lastLearnedAt: state.lastLearnedAt,
      attributes: summary,
      learning: { due: isDue(state, clock(), learnSettings), newMessagesSinceLearn: state.newMessages, lastError: state.lastError, parked: state.deadLetterAt !== undefined },
      consentStatement,
      retentionDays: policy.retentionDays,
      learningChannels: policy.learningChannels,
      workspaceEnabled: policy.enabled,
      ...(credential ? { credential: { kind: credential.kind, scopes: credential.scopes, grantedAt: credential.grantedAt } } : {}),
    }
  }
}
