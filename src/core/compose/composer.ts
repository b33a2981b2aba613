// Builds the draft and answer prompts: hypotheses + measured attributes + register-matched examples + bounded
// context. Prompt size depends on these bounds only, never on how long the member's history is.
import type { CallContext, ChatMessage, LanguageModel } from '../../llm/language-model.js'
import { formatContext } from '../prompting/format-context.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import { quoteLines, quoteText } from '../prompting/quote-data.js'
import type { ContextMessage, Hypothesis, SafeCompletion, StyleSummary } from '../types.js'

/** Bounds that keep every prompt the same size whatever the history: the newest context messages and characters. */
export const contextLimits = { messages: 20, characters: 6000, perMessage: 1500 }

export function boundContext(context: ContextMessage[] = []): ContextMessage[] {
  const kept: ContextMessage[] = []
  let characters = 0
  for (const message of [...context].reverse()) {
    const text = message.text.length > contextLimits.perMessage ? message.text.slice(0, contextLimits.perMessage) + '…' : message.text
    if (kept.length >= contextLimits.messages || characters + text.length > contextLimits.characters) break
    kept.unshift({ ...message, text })
    characters += text.length
  }
  return kept
}

/**
 * Hypotheses are member-derived text (written by the member, or inferred from their messages): one quoted JSON
 * string each, after a label of our own, so a statement can never open a section or pose as a rule.
 */
export function formatHypotheses(hypotheses: Pick<Hypothesis, 'category' | 'statement' | 'confidence'>[]): string {
  if (hypotheses.length === 0) return '(none yet)'
  const label = { communication_strategy: 'communication', personality: 'personality', writing_style: 'style' } as const
  return quoteLines(hypotheses.map((each) => ({ label: `${label[each.category]}, ${each.confidence.toFixed(2)}`, text: each.statement })))
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`

export function formatAttributes(summary: StyleSummary | undefined): string {
  if (!summary || summary.messages === 0) return '(not measured yet)'
  const lines = [
    `- length: median ${summary.words.median} words, mean ${summary.words.mean.toFixed(1)}, 90% of messages at most ${summary.words.p90} words; ${summary.sentencesPerMessage.toFixed(1)} sentences per message`,
    `- starts in lower case: ${percent(summary.lowercaseStartRate)} of messages; ends with punctuation: ${percent(summary.endsWithPunctuationRate)}`,
    `- questions: ${percent(summary.questionRate)}; exclamations: ${percent(summary.exclamationRate)}; emoji: ${percent(summary.emojiRate)}`,
    `- contractions (don't, it's): ${percent(summary.contractionRate)}; code: ${percent(summary.codeRate)}; links: ${percent(summary.linkRate)}`,
    `- greetings: ${summary.greetings.length ? summary.greetings.join(', ') : 'rarely greets'}; sign-offs: ${summary.signOffs.length ? summary.signOffs.join(', ') : 'none'}`,
    `- most used function words: ${summary.topFunctionWords.slice(0, 12).join(', ')}`,
  ]
  return lines.join('\n')
}

function safetyGuidance(safeCompletion: SafeCompletion | undefined): string {
  if (!safeCompletion) return ''
  // Only the spec's own text: the check's analysis is model text about member input and stays in the audit log.
  return `- Safety: the request was allowed only in part (${safeCompletion.ruleIds.join(', ') || 'see spec'}). Help with the legitimate part only, as the safety spec says:\n${safeCompletion.guidance}`
}

export type DraftPromptInput = {
  intent: string
  context: ContextMessage[]
  hypotheses: Hypothesis[]
  attributes?: StyleSummary
  examples: { text: string }[]
  /** "Not like this" drafts with what differs from the member's real message (records/contrast-store.ts). */
  contrast?: { draft: string; explanation: string }[]
  safeCompletion?: SafeCompletion
}

/** Each "not like this" draft and its explanation (model text about member text): quoted data, both of them. */
export function formatContrast(contrast: { draft: string; explanation: string }[] = []): string {
  return quoteLines(contrast.flatMap((each, index) => [{ label: `n${index + 1} draft`, text: each.draft }, { label: `n${index + 1} differs`, text: each.explanation }]))
}

export function buildDraftMessages(prompts: PromptLibrary, input: DraftPromptInput): ChatMessage[] {
  return [
    {
      role: 'system',
      content: prompts.render('draft.system', {
        hypotheses: formatHypotheses(input.hypotheses),
        attributes: formatAttributes(input.attributes),
        examples: quoteLines(input.examples.map((each, index) => ({ label: `e${index + 1}`, text: each.text }))),
        contrast: formatContrast(input.contrast),
        safety_guidance: safetyGuidance(input.safeCompletion),
      }),
    },
    {
      role: 'user',
      content: prompts.render('draft.user', { context: formatContext(boundContext(input.context)), intent: quoteText(input.intent) }),
    },
  ]
}

export type AnswerPromptInput = {
  question: string
  context: ContextMessage[]
  hypotheses: Hypothesis[]
  attributes?: StyleSummary
  safeCompletion?: SafeCompletion
}

export function buildAnswerMessages(prompts: PromptLibrary, input: AnswerPromptInput): ChatMessage[] {
  return [
    {
      role: 'system',
      content: prompts.render('answer.system', {
        hypotheses: formatHypotheses(input.hypotheses),
        attributes: formatAttributes(input.attributes),
        safety_guidance: safetyGuidance(input.safeCompletion),
      }),
    },
    {
      role: 'user',
      content: prompts.render('answer.user', { context: formatContext(boundContext(input.context)), question: quoteText(input.question) }),
    },
  ]
}

/**
 * Best-of-n candidates, all at once: the model's concurrency limit (LLM_MAX_CONCURRENCY) queues what does not fit and
 * each call reserves its bound against the budget. Every call settles before this returns, so a failure (the budget
 * running out, say) leaves nothing in flight; it is then thrown, as one failed call fails the draft.
 */
export async function generateCandidates(model: LanguageModel, request: { messages: ChatMessage[]; context: CallContext }, count: number): Promise<string[]> {
  const settled = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      model.generateText({ messages: request.messages, temperature: count > 1 ? 0.8 : 0.5, seed: index + 1, maxTokens: 600, context: request.context }),
    ),
  )
  const failed = settled.find((outcome) => outcome.status === 'rejected')
  if (failed) throw failed.reason
  return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [cleanDraftText(outcome.value.text)] : [])).filter(Boolean)
}

/** Models often wrap a draft in quotes or add a preamble line; strip those, keep the message itself. */
export function cleanDraftText(text: string): string {
  let cleaned = text.trim()
  cleaned = cleaned.replace(/^(here'?s|here is|sure[,!]?|draft:)[^\n]*:\s*\n+/i, '')
  if (/^"[\s\S]*"$/.test(cleaned) && !cleaned.slice(1, -1).includes('"')) cleaned = cleaned.slice(1, -1)
  return cleaned.trim()
}
