// The conditions of the HyPerAlign / DITTO comparison. Three use the shipping draft prompt with parts left out
// (zero-shot: nothing about the author; few-shot: the training texts as examples only; paper: the learned hypotheses
// and the measured attributes, no examples, as in the HyPerAlign paper); three are the core's own draft path, on a
// core as shipped, one that verifies revisions at learning time, and one that has learned from edited drafts.
import { buildDraftMessages, cleanDraftText } from '../src/core/compose/composer.js'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import { checkUnavailableRule } from '../src/core/safety/safety-gate.js'
import type { ContextMessage, Hypothesis, StyleSummary, WorkspaceRef } from '../src/core/types.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import type { EvalCore } from './eval-core.js'
import { describeError, type ItemError } from './item-error.js'

export const promptConditions = ['zero-shot', 'few-shot', 'paper'] as const
export const coreConditions = ['full', 'full+verify', 'full+edits'] as const
export const conditionNames = [...promptConditions, ...coreConditions] as const
export type PromptConditionName = (typeof promptConditions)[number]
export type CoreConditionName = (typeof coreConditions)[number]
export type ConditionName = (typeof conditionNames)[number]

export const conditionDescriptions: Record<ConditionName, string> = {
  'zero-shot': 'the draft prompt with nothing about the author (no hypotheses, attributes or examples)',
  'few-shot': 'the draft prompt with the training texts as examples only',
  paper: 'the HyPerAlign paper: the draft prompt with the hypotheses the core learned and the measured style attributes, no examples',
  full: 'ours, core.draft: request check, hypotheses + measured attributes + register-matched examples, best-of-n style rerank, output check',
  'full+verify': 'ours + verification: core.draft on a core that keeps a revised hypothesis set only when its drafts of the author\'s own messages score at least as well',
  'full+edits': 'ours + edits: core.draft after the author "edited" drafts of some training tasks into their real texts (finalizeDraft with the real text posted) and the core learned again',
}

/**
 * Each core condition's own settings. Verification at learning time is on by default in the core, so `full` and
 * `full+edits` switch it off to stay comparable with the paper's method, and `full+verify` switches it on with a daily
 * allowance that one eval's authors cannot exhaust (the eval's workspace holds every author).
 */
export const verifyMessages = 5
const coreSettings: Record<CoreConditionName, Record<string, number>> = {
  full: { LEARNING_VERIFY_MESSAGES: 0 },
  'full+verify': { LEARNING_VERIFY_MESSAGES: verifyMessages, LEARNING_VERIFY_DAILY_TOKENS: 100_000_000 },
  'full+edits': { LEARNING_VERIFY_MESSAGES: 0 },
}

/** Settings of each core condition's own core. */
export function coreConditionSettings(condition: CoreConditionName): { settings: Record<string, number> } | { unavailable: string } {
  return { settings: coreSettings[condition] }
}

/** Judged pairs, challenger first. */
export const conditionPairs: [ConditionName, ConditionName][] = [
  ['full', 'zero-shot'],
  ['full', 'few-shot'],
  ['full', 'paper'],
  ['paper', 'zero-shot'],
  ['paper', 'few-shot'],
  ['few-shot', 'zero-shot'],
  ['full+verify', 'full'],
  ['full+edits', 'full'],
]

export type ConditionOutput = {
  text?: string
  error?: ItemError
  /** The full pipeline's safety check refused (a decision, not a failure to run). */
  refused?: { stage: 'request' | 'output'; ruleIds: string[] }
  /** The style match the core itself showed the member (full pipeline, when it had enough history to score). */
  coreStyleMatch?: number
}

export type ConditionInput = {
  intent: string
  context: ContextMessage[]
  trainTexts: string[]
  hypotheses: Hypothesis[]
  attributes?: StyleSummary
  workspace: WorkspaceRef
}

export async function promptCondition(model: LanguageModel, prompts: PromptLibrary, condition: PromptConditionName, input: ConditionInput): Promise<ConditionOutput> {
  try {
    const messages = buildDraftMessages(prompts, {
      intent: input.intent,
      context: input.context,
      hypotheses: condition === 'paper' ? input.hypotheses : [],
      ...(condition === 'paper' && input.attributes ? { attributes: input.attributes } : {}),
      examples: condition === 'few-shot' ? input.trainTexts.map((text) => ({ text })) : [],
    })
    // The core's settings for a single draft, so the conditions differ only in what the prompt says (the sampling
    // model sets the evaluation's temperature and the sample's seed on top, as it does for the core's drafts).
    const result = await model.generateText({ messages, temperature: 0.5, seed: 1, maxTokens: 600, context: { workspace: input.workspace, purpose: 'draft' } })
    const text = cleanDraftText(result.text)
    return text ? { text } : { error: { code: 'llm_output_invalid', message: 'The model returned an empty draft.' } }
  } catch (error) {
    return { error: describeError(error) }
  }
}

export async function fullPipelineCondition(core: EvalCore, author: number, input: Pick<ConditionInput, 'intent' | 'context'>): Promise<ConditionOutput> {
  try {
    const result = await core.draft(author, input.intent, input.context)
    if (result.status === 'drafted') return { text: result.text, coreStyleMatch: result.styleMatch }
    if (result.verdict.ruleIds.includes(checkUnavailableRule)) return { error: { code: 'safety_check_failed', message: result.message } }
    return { refused: { stage: result.verdict.stage, ruleIds: result.verdict.ruleIds } }
  } catch (error) {
    return { error: describeError(error) }
  }
}
