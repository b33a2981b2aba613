// Learns a member's hypotheses (HyPerAlign): a diverse sample of their messages, their recent edits to drafts and
// the previous hypotheses go to the model, which returns structured, evidence-linked statements. Member edits always
// win. A revision is checked on held-out messages before it is kept (revision-check.ts). Also refreshes the
// style-match calibration and the pool of examples drafts use; those need no model.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { LanguageModel } from '../../llm/language-model.js'
import type { UsageLedger } from '../budget/usage-ledger.js'
import type { ContrastStore } from '../records/contrast-store.js'
import type { EditPair, EditPairStore } from '../records/edit-pair-store.js'
import type { ConsentService } from '../records/consent-service.js'
import type { HistoryStore, StoredMessage } from '../records/history-store.js'
import type { HypothesisStore } from '../records/hypothesis-store.js'
import { workspaceOf } from '../identity/member-ref.js'
import type { LearningStateStore } from '../records/learning-state-store.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import { profileWithout } from '../style/style-profile.js'
import type { StylePopulation, WorkspaceStyle } from '../records/workspace-style.js'
import type { PolicyService } from '../records/policy-service.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import { quoteText } from '../prompting/quote-data.js'
import { formatAttributes } from '../compose/composer.js'
import { sampleDiverse } from '../style/sample-diverse.js'
import type { Hypothesis, MemberRef } from '../types.js'
import { createCheckBudget } from './check-budget.js'
import { createRevisionCheck, type RevisionScores } from './revision-check.js'

/** What the model returns. Nullable, not optional: strict structured outputs require every key. */
export const learnedHypothesesSchema = z.object({
  hypotheses: z
    .array(
      z.object({
        id: z.string().nullable(),
        category: z.enum(['communication_strategy', 'personality', 'writing_style']),
        statement: z.string().min(3).max(300),
        evidence: z.array(z.string()).max(6),
        confidence: z.number().min(0).max(1),
      }),
    )
    .max(16),
})

export type LearnerSettings = {
  sampleSize: number
  examplePoolSize: number
  heldOutForCalibration: number
  /** Other members' messages for the calibration floor, taken from at most `calibrationMembers` of them. */
  calibrationOthers: number
  calibrationMembers: number
  /** What is read of one colleague for the floor: at most this many messages and characters. */
  calibrationMessagesPerMember: number
  calibrationCharactersPerMember: number
  /** Profiles summed into the workspace population (fixed-size counts, not texts). */
  populationMembers: number
  /** Held-out recent messages a revision is checked on (LEARNING_VERIFY_MESSAGES); 0 keeps every revision unchecked. */
  verifyMessages: number
  /** Tokens the check may spend in one run, and in one workspace's UTC day. */
  verifyRunTokens: number
  verifyDailyTokens: number
  /** Member examples in each check draft, as in a real draft (DRAFT_EXAMPLES). */
  draftExamples: number
  /** Newest edited drafts the learning prompt shows (LEARNING_EDIT_PAIRS). */
  editPairs: number
}

/** Characters of each side of an edit pair in the learning prompt. */
const editPairCharacters = 600

export type LearnerDependencies = {
  model: LanguageModel
  prompts: PromptLibrary
  policies: PolicyService
  consent: ConsentService
  history: HistoryStore
  hypotheses: HypothesisStore
  style: MemberStyleStore
  learning: LearningStateStore
  workspaceStyle: WorkspaceStyle
  ledger: UsageLedger
  contrast: ContrastStore
  editPairs: EditPairStore
  settings: LearnerSettings
  clock: () => number
}

export type HypothesisLearner = ReturnType<typeof createHypothesisLearner>

/** The job's lock, checked before each write (see member-lock.ts). */
type Fence = { assertHeld(): Promise<void> }
const noFence: Fence = { assertHeld: async () => {} }

export function createHypothesisLearner(dependencies: LearnerDependencies) {
  const { model, prompts, policies, consent, history, hypotheses, style, learning, workspaceStyle, ledger, contrast, editPairs, settings, clock } = dependencies
  const checkRevision = createRevisionCheck({ model, prompts, style })

  /**
   * Calibration and example pool: deterministic, no model, so style match works without one. The population is the
   * workspace as it is now (given by an import that just completed, else summed here); the floor comes from bounded
   * samples of a bounded number of colleagues, so a job's cost grows neither with the team nor with their histories.
   */
  const refreshStyle = async (member: MemberRef, messages: StoredMessage[], retentionDays: number, population?: StylePopulation) => {
    const own = await style.get(member)
    if (own) {
      // Summed with the member and stored: drafts are scored against the workspace's population as of the newest run.
      const current = population ?? (await workspaceStyle.refresh(member, { maxMembers: settings.populationMembers }))
      const others = current.memberIds.has(member.userId) ? profileWithout(current.total, own.profile) : current.total
      const colleagues = rotate((await consent.members(member)).filter((each) => each.userId !== member.userId), member.userId).slice(0, settings.calibrationMembers)
      const perColleague = Math.min(settings.calibrationMessagesPerMember, Math.ceil(settings.calibrationOthers / Math.max(1, colleagues.length)))
      const othersTexts: string[] = []
      for (const colleague of colleagues) {
        const read = await history.sample({ ...member, userId: colleague.userId }, perColleague, retentionDays)
        othersTexts.push(...withinCharacters(sampleDiverse(read, perColleague), settings.calibrationCharactersPerMember))
      }
      const ownTexts = messages.slice(-settings.heldOutForCalibration).map((each) => each.text)
      await style.recalibrate(member, { ownTexts, othersTexts: othersTexts.slice(0, settings.calibrationOthers), others })
    }
    await learning.setExamplePool(member, sampleDiverse(messages, settings.examplePoolSize))
  }

  const inferHypotheses = async (member: MemberRef, messages: StoredMessage[], retentionDays: number, fence: Fence) => {
    // Held out of the sample only when a score exists to check them with: the check must not grade a revision on
    // the very messages it was inferred from.
    const heldOut = settings.verifyMessages > 0 && messages.length > settings.verifyMessages && (await style.score(member, [messages.at(-1)!.text]))
      ? messages.slice(-settings.verifyMessages)
      : []
    const sample = sampleDiverse(heldOut.length ? messages.slice(0, -heldOut.length) : messages, settings.sampleSize)
    const localIds = new Map(sample.map((each, index) => [`m${index + 1}`, each.id]))
    const previous = await hypotheses.get(member)
    const inferred = previous.hypotheses.filter((each) => each.source === 'inferred' && !each.pinned)
    const fixed = previous.hypotheses.filter((each) => each.source === 'member' || each.pinned)
    const [summary, state, examplePool] = await Promise.all([style.summary(member), learning.get(member), learning.examplePool(member)])
    // Hypotheses reach drafts in every channel, so only edits made for public channels teach them.
    const pairs = settings.editPairs > 0 ? (await editPairs.recent(member, retentionDays, clock())).filter((pair) => pair.channelKind === 'public').slice(-settings.editPairs) : []
    const newPairs = pairs.filter((pair) => state.lastLearnedAt === undefined || pair.at > state.lastLearnedAt).length
    const list = (items: Hypothesis[]) =>
      items.length ? items.map((each) => `${each.id} | ${each.category} | ${each.confidence.toFixed(2)} | ${quoteText(each.statement)}`).join('\n') : '(none)'
    const system = prompts.render('learn-hypotheses.system', {})
    const user = prompts.render('learn-hypotheses.user', {
      message_count: String(messages.length),
      attributes: formatAttributes(summary),
      previous_hypotheses: list(inferred),
      confirmed_hypotheses: list(fixed),
      rejected_hypotheses: previous.rejected.length ? previous.rejected.map((statement) => `- ${quoteText(statement)}`).join('\n') : '(none)',
      messages: sample.map((each, index) => `m${index + 1}: ${quoteText(each.text)}`).join('\n'),
      edit_pairs: formatEditPairs(pairs),
    })
    const result = await model.generateObject({
      schema: learnedHypothesesSchema,
      schemaName: 'member_hypotheses',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      temperature: 0.2,
      seed: 1,
      maxTokens: 1500,
      context: { workspace: workspaceOf(member), member, purpose: 'learn' },
    })

    // The model call is the long part; a job whose lock was taken over meanwhile must not write a second version,
    // and a member who was forgotten meanwhile must not get hypotheses back.
    await fence.assertHeld()
    if (!(await consent.isOptedIn(member))) return previous
    const now = clock()
    const rejected = new Set(previous.rejected.map(normalizeStatement))
    const taken = new Set(fixed.map((each) => normalizeStatement(each.statement)))
    const previousIds = new Set(inferred.map((each) => each.id))
    const learned: Hypothesis[] = []
    for (const candidate of result.object.hypotheses) {
      const key = normalizeStatement(candidate.statement)
      if (rejected.has(key) || taken.has(key)) continue
      taken.add(key)
      const evidence = candidate.evidence.map((id) => localIds.get(id.trim())).filter((id): id is string => Boolean(id))
      learned.push({
        id: candidate.id && previousIds.has(candidate.id) ? candidate.id : randomUUID().slice(0, 8),
        category: candidate.category,
        statement: candidate.statement.trim(),
        evidenceMessageIds: [...new Set(evidence)],
        // A hypothesis the model could not tie to any sampled message is kept, at lower confidence.
        confidence: evidence.length ? candidate.confidence : Math.min(candidate.confidence, 0.3),
        source: 'inferred',
        pinned: false,
        updatedAt: now,
      })
    }
    const revised = [...fixed, ...learned]
    const notes: { check?: RevisionScores; fromEdits?: number } = newPairs ? { fromEdits: newPairs } : {}
    if (heldOut.length && !sameStatements(revised, previous.hypotheses)) {
      const heldOutIds = new Set(heldOut.map((each) => `${each.channelId}\n${each.id}`))
      const outcome = await checkRevision({
        member,
        heldOut,
        revised,
        current: previous.hypotheses,
        summary,
        pool: examplePool.filter((each) => !heldOutIds.has(`${each.channelId}\n${each.id}`)),
        examples: settings.draftExamples,
        budget: createCheckBudget(ledger, workspaceOf(member), { runTokens: settings.verifyRunTokens, dailyTokens: settings.verifyDailyTokens }),
      })
      await fence.assertHeld()
      if (!(await consent.isOptedIn(member))) return previous
      if (outcome.status === 'checked') {
        await contrast.set(member, outcome.contrast, retentionDays)
        if (!outcome.scores.kept) return hypotheses.recordRejected(member, previous, outcome.scores, clock())
        notes.check = outcome.scores
      }
    }
    return hypotheses.save(member, previous, { hypotheses: revised, rejected: previous.rejected }, 'learning', now, notes)
  }

  return {
    /**
     * The model-free part alone (calibration and example pool), against a population the caller summed once: an
     * import refreshes every member it stored messages for this way, once the whole export is in.
     */
    async refreshStyle(member: MemberRef, population: StylePopulation): Promise<void> {
      if (!(await consent.isOptedIn(member))) return
      const policy = await policies.get(member)
      const messages = await history.all(member, policy.retentionDays)
      if (messages.length) await refreshStyle(member, messages, policy.retentionDays, population)
    },
    /** One learning run. Throws model errors (after the model-free part is done) so the scheduler can retry. */
    async learn(member: MemberRef, fence: Fence = noFence): Promise<{ hypotheses: number; messages: number } | undefined> {
      if (!(await consent.isOptedIn(member))) return undefined
      const policy = await policies.get(member)
      const messages = await history.all(member, policy.retentionDays)
      await learning.update(member, (state) => ({ ...state, newMessages: 0 }))
      if (messages.length === 0) return { hypotheses: 0, messages: 0 }
      await fence.assertHeld()
      await refreshStyle(member, messages, policy.retentionDays)
      const saved = await inferHypotheses(member, messages, policy.retentionDays, fence)
      return { hypotheses: saved.hypotheses.length, messages: messages.length }
    },
  }
}

/** The edited drafts as quoted data, each side bounded: what was drafted, then what the member posted. */
function formatEditPairs(pairs: EditPair[]): string {
  if (pairs.length === 0) return '(none)'
  const bound = (text: string) => (text.length > editPairCharacters ? text.slice(0, editPairCharacters) + '…' : text)
  return pairs.map((pair, index) => `d${index + 1} drafted: ${quoteText(bound(pair.draft))}\nd${index + 1} posted: ${quoteText(bound(pair.posted))}`).join('\n')
}

/** Same statements, whatever their order or ids: nothing to check. */
function sameStatements(a: Hypothesis[], b: Hypothesis[]): boolean {
  const key = (list: Hypothesis[]) => list.map((each) => normalizeStatement(each.statement)).sort().join('\n')
  return key(a) === key(b)
}

/** Texts in order while they fit in `characters`; one that does not fit is passed over, not cut. */
function withinCharacters(messages: StoredMessage[], characters: number): string[] {
  const taken: string[] = []
  let left = characters
  for (const each of messages) {
    if (each.text.length > left) continue
    taken.push(each.text)
    left -= each.text.length
  }
  return taken
}

/** A stable, per-member starting point in the list, so different members sample different colleagues. */
function rotate<T extends { userId: string }>(items: T[], seed: string): T[] {
  if (items.length === 0) return items
  const sorted = [...items].sort((a, b) => (a.userId < b.userId ? -1 : 1))
  let hash = 0
  for (const character of seed) hash = (hash * 31 + character.charCodeAt(0)) >>> 0
  const start = hash % sorted.length
  return [...sorted.slice(start), ...sorted.slice(0, start)]
}

export function normalizeStatement(statement: string): string {
  return statement.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}
