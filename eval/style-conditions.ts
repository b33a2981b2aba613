// The four conditions of the HyPerAlign / DITTO comparison. Three use the shipping draft prompt with parts left
// out (zero-shot: nothing about the author; few-shot: the training texts as examples only; hypotheses: the learned
// hypotheses only, as in the paper); the full pipeline is the core's own draft path.
import { buildDraftMessages, cleanDraftText } from '../src/core/compose/composer.js'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import { checkUnavailableRule } from '../src/core/safety/safety-gate.js'
import type { ContextMessage, Hypothesis, WorkspaceRef } from '../src/core/types.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import type { EvalCore } from './eval-core.js'
import { describeError, type ItemError } from './item-error.js'

export const conditionNames = ['zero-shot', 'few-shot', 'hypotheses', 'full'] as const
export type ConditionName = (typeof conditionNames)[number]

export const conditionDescriptions: Record<ConditionName, string> = {
  'zero-shot': 'the draft prompt with nothing about the author (no hypotheses, attributes or examples)',
  'few-shot': 'the draft prompt with the training texts as examples only',
  hypotheses: 'the draft prompt with only the hypotheses the core learned from the training texts (the HyPerAlign paper)',
  full: 'core.draft: request check, hypotheses + measured attributes + register-matched examples, best-of-n style rerank, output check',
}

/** Judged pairs, challenger first. */
export const conditionPairs: [ConditionName, ConditionName][] = [
  ['full', 'zero-shot'],
  ['full', 'few-shot'],
  ['full', 'hypotheses'],
  ['hypotheses', 'zero-shot'],
  ['hypotheses', 'few-shot'],
  ['few-shot', 'zero-shot'],
]

export type ConditionOutput = {
  text?: string
  error?: ItemError
  /** The full pipeline's safety check refused (a decision, not a failure to run). */
  refused?: { stage: 'request' | 'output'; ruleIds: string[] }
  /** The style match the core itself showed the member (full pipeline, when it had enough history to score). */
  coreStyleMatch?: number
}

export type ConditionInput = { intent: string; context: ContextMessage[]; trainTexts: string[]; hypotheses: Hypothesis[]; workspace: WorkspaceRef }

export async function promptCondition(model: LanguageModel, prompts: PromptLibrary, condition: Exclude<ConditionName, 'full'>, input: ConditionInput): Promise<ConditionOutput> {
  try {
    const messages = buildDraftMessages(prompts, {
      intent: input.intent,
      context: input.context,
      hypotheses: condition === 'hypotheses' ? input.hypotheses : [],
      examples: condition === 'few-shot' ? input.trainTexts.map((text) => ({ text })) : [],
    })
    // The core's settings for a single draft, so the conditions differ only in what the prompt says.
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
