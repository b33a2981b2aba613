// Checks a revision of a member's hypotheses before it is kept (PROSE, TICL): a few of the member's own held-out
// messages are turned back into their intent, drafted with the revised and with the current hypotheses, and both
// drafts are scored by the calibrated style match. The revision is kept when its drafts score at least as well; the
// worst drafts of the set that stays, each with the model's one-line explanation, become "not like this" examples.
// Every call goes through the run's check budget; this file writes nothing.
import type { LanguageModel } from '../../llm/language-model.js'
import { buildDraftMessages, cleanDraftText } from '../compose/composer.js'
import { workspaceOf } from '../identity/member-ref.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import { quoteText } from '../prompting/quote-data.js'
import { maxContrastExamples, type ContrastExample } from '../records/contrast-store.js'
import type { StoredMessage } from '../records/history-store.js'
import type { PoolEntry } from '../records/learning-state-store.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import { selectExamples } from '../style/select-examples.js'
import type { Hypothesis, MemberRef, StyleSummary } from '../types.js'
import type { CheckBudget } from './check-budget.js'

/** What the member sees in the change log: "checked against 3 of your messages: 0.71 → 0.78". */
export type RevisionScores = { messages: number; previous: number; revised: number; kept: boolean }

export type RevisionCheckOutcome =
  | { status: 'checked'; scores: RevisionScores; contrast: ContrastExample[] }
  /** Nothing to compare (no calibrated score yet) or no budget for one message drafted both ways. */
  | { status: 'skipped'; reason: 'no_score' | 'budget' }

export type RevisionCheckInput = {
  member: MemberRef
  /** The member's held-out messages, none of them in the sample the revision was inferred from. */
  heldOut: StoredMessage[]
  revised: Hypothesis[]
  current: Hypothesis[]
  summary: StyleSummary | undefined
  /** Where the drafts take examples from (the held-out messages are left out here). */
  pool: PoolEntry[]
  examples: number
  budget: CheckBudget
}

export function createRevisionCheck(dependencies: { model: LanguageModel; prompts: PromptLibrary; style: MemberStyleStore }) {
  const { model, prompts, style } = dependencies

  return async function checkRevision(input: RevisionCheckInput): Promise<RevisionCheckOutcome> {
    const { member, budget } = input
    const context = { workspace: workspaceOf(member), member, purpose: 'learn' as const }
    const text = async (request: Parameters<LanguageModel['generateText']>[0]) => (await budget.call(request, () => model.generateText(request)))?.text

    const drafted: { message: StoredMessage; revised: string; current: string }[] = []
    for (const message of input.heldOut) {
      const intentRequest = {
        messages: [
          { role: 'system' as const, content: prompts.render('learn-intent.system', {}) },
          { role: 'user' as const, content: prompts.render('learn-intent.user', { text: quoteText(message.text) }) },
        ],
        temperature: 0,
        seed: 1,
        maxTokens: 150,
        context,
      }
      const intent = (await text(intentRequest))?.trim()
      if (intent === undefined) break
      if (!intent) continue
      // The draft-time channel rule: a message from a private channel only ever takes examples from that channel.
      const pool = input.pool.filter((each) => each.channelKind === 'public' || each.channelId === message.channelId)
      const examples = selectExamples(intent, pool, input.examples)
      // A draft far longer than the real message would score badly anyway; the cap keeps the check's cost bounded.
      const maxTokens = Math.min(600, 64 + Math.ceil(message.text.length / 2))
      const draftWith = async (hypotheses: Hypothesis[]) => {
        const messages = buildDraftMessages(prompts, { intent, context: [], hypotheses, attributes: input.summary, examples })
        const result = await text({ messages, temperature: 0.5, seed: 1, maxTokens, context })
        return result === undefined ? undefined : cleanDraftText(result)
      }
      const revised = await draftWith(input.revised)
      const current = revised === undefined ? undefined : await draftWith(input.current)
      if (revised === undefined || current === undefined) break
      drafted.push({ message, revised, current })
    }
    if (drafted.length === 0) return { status: 'skipped', reason: 'budget' }

    const scores = await style.score(member, drafted.flatMap((each) => [each.revised, each.current]))
    if (!scores) return { status: 'skipped', reason: 'no_score' }
    // An empty draft sounds like nobody.
    const scoreOf = (index: number, draft: string) => (draft ? scores[index]! : 0)
    const revisedScores = drafted.map((each, index) => scoreOf(2 * index, each.revised))
    const currentScores = drafted.map((each, index) => scoreOf(2 * index + 1, each.current))
    const revisedMean = mean(revisedScores)
    const currentMean = mean(currentScores)
    const kept = revisedMean >= currentMean

    // The contrast comes from the set that stays: what its drafts still get wrong.
    const staying = kept ? revisedScores : currentScores
    const worst = drafted
      .map((each, index) => ({ draft: kept ? each.revised : each.current, message: each.message, styleMatch: staying[index]! }))
      .filter((each) => each.draft)
      .sort((a, b) => a.styleMatch - b.styleMatch)
      .slice(0, maxContrastExamples)
    const contrast: ContrastExample[] = []
    for (const each of worst) {
      const request = {
        messages: [
          { role: 'system' as const, content: prompts.render('learn-contrast.system', {}) },
          { role: 'user' as const, content: prompts.render('learn-contrast.user', { real: quoteText(each.message.text), draft: quoteText(each.draft) }) },
        ],
        temperature: 0,
        seed: 1,
        maxTokens: 60,
        context,
      }
      const explanation = (await text(request))?.trim().split('\n')[0]?.trim().slice(0, 300)
      if (explanation === undefined) break
      if (!explanation) continue
      contrast.push({ draft: each.draft, explanation, styleMatch: round(each.styleMatch), messageId: each.message.id, channelId: each.message.channelId, channelKind: each.message.channelKind })
    }
    return { status: 'checked', scores: { messages: drafted.length, previous: round(currentMean), revised: round(revisedMean), kept }, contrast }
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
const round = (value: number) => Math.round(value * 1000) / 1000
