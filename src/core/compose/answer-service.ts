// Answers a member's question the way that member prefers to be spoken to (their communication hypotheses and
// measured style): request check and compose together, then the output check. A member who has not opted in gets a
// plain answer and an invitation; nothing is stored for them.
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import type { LanguageModel } from '../../llm/language-model.js'
import type { Store } from '../../store/store.js'
import { checkWhileComposing } from './check-while-composing.js'
import { buildAnswerMessages } from './composer.js'
import type { ConsentService } from '../records/consent-service.js'
import type { Counters } from '../records/counters.js'
import type { Deliberator } from '../safety/deliberator.js'
import type { HypothesisStore } from '../records/hypothesis-store.js'
import { workspaceChildKey } from '../identity/keys.js'
import { workspaceOf } from '../identity/member-ref.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import type { SafetyGate } from '../safety/safety-gate.js'
import type { AnswerResult, AskRequest, SafeCompletion } from '../types.js'

export const optInInvitation = 'Opt in to hyperalign and I will answer the way you like to be spoken to.'

export function createAnswerService(dependencies: {
  store: Store
  model: LanguageModel
  prompts: PromptLibrary
  deliberator: Deliberator
  gate: SafetyGate
  policies: PolicyService
  consent: ConsentService
  hypotheses: HypothesisStore
  style: MemberStyleStore
  counters: Counters
  settings: { maxInputCharacters: number; composeDuringCheck: boolean }
}) {
  const { model, prompts, deliberator, gate, policies, consent, hypotheses, style, counters, settings } = dependencies
  // Keyed by the platform's request id only (no member id), so nothing here is about a member.
  const seen = dependencies.store.collection('idempotency', z.object({}))

  return async function answer(request: AskRequest): Promise<AnswerResult> {
    const question = request.question.trim()
    if (!question) throw new BotError('input_invalid', 'Ask me a question, e.g. `/ask how do I rebase onto main?`.')
    if (question.length > settings.maxInputCharacters) {
      throw new BotError('input_too_large', `That question is ${question.length} characters; the limit is ${settings.maxInputCharacters}. Shorten it and try again.`)
    }
    const member = request.actor.member
    const policy = await policies.requireEnabled(member)
    if (request.idempotencyKey && !(await seen.setIfAbsent(workspaceChildKey(member, 'answer', request.idempotencyKey), {}, 3_600_000))) {
      throw new BotError('duplicate', 'This question is already being answered.')
    }
    const personalized = await consent.isOptedIn(member)
    // Usage and audit entries name the member only when they opted in.
    const accountedTo = personalized ? member : undefined
    const memberUserId = personalized ? member.userId : undefined
    const context = request.context ?? []
    const checkInput = { task: 'answer' as const, request: question, context, workspace: workspaceOf(member), member: accountedTo }
    const record = { workspace: member, memberUserId, retentionDays: policy.retentionDays }

    const composeAnswer = async (safeCompletion: SafeCompletion | undefined) => {
      const set = personalized ? await hypotheses.get(member) : undefined
      // Only how the member likes to be addressed matters for an answer, not their surface writing habits.
      const communication = (set?.hypotheses ?? []).filter((each) => each.category !== 'writing_style' || each.source === 'member')
      const summary = personalized ? await style.summary(member) : undefined
      const result = await model.generateText({
        messages: buildAnswerMessages(prompts, { question, context, hypotheses: communication, attributes: summary, safeCompletion }),
        temperature: 0.3,
        maxTokens: 1200,
        context: { workspace: workspaceOf(member), member: accountedTo, purpose: 'answer' },
      })
      const text = result.text.trim()
      if (!text) throw new BotError('llm_output_invalid', 'The model returned an empty answer. Please ask again.')
      return text
    }
    const before = await checkWhileComposing({
      check: () => gate('request', () => deliberator.checkRequest(checkInput), record),
      compose: composeAnswer,
      safeCompletionFor: deliberator.safeCompletionFor,
      overlap: settings.composeDuringCheck,
    })
    if (!before.allowed) return { status: 'refused', verdict: before.verdict, message: before.message }
    const text = before.composed

    const after = await gate('output', () => deliberator.checkOutput({ ...checkInput, output: text }), record)
    if (!after.allowed) return { status: 'refused', verdict: after.verdict, message: after.message }
    await counters.increment(member, 'answers')
    return { status: 'answered', text, personalized, verdict: after.verdict, notice: personalized ? undefined : optInInvitation }
  }
}
