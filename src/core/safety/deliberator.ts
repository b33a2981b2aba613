// The deliberative safety check: a model reasons over the part of prompts/safety-spec.md that applies to the stage
// (the request before composing, the output before showing) and only then decides. Any failure to get a valid
// verdict is reported, never guessed.
import { z } from 'zod'
import type { ChatMessage, LanguageModel } from '../../llm/language-model.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import { formatContext } from '../prompting/format-context.js'
import { quoteText } from '../prompting/quote-data.js'
import type { ContextMessage, MemberRef, SafeCompletion, Verdict, WorkspaceRef } from '../types.js'
import { parseSafetySpec, type CheckStage, type SafetySpec } from './safety-spec.js'

/** Bound on the analysis: a few sentences for the audit log, short enough to keep the check cheap. */
export const analysisMaxCharacters = 600

/**
 * The verdict as the model writes it, in this key order: the analysis first, so a model that is not a reasoning
 * model has reasoned over the rules before it commits to a decision (the JSON schema and the grammar keep the order).
 */
export function createVerdictSchema(ruleIds: [string, ...string[]]) {
  return z.object({
    analysis: z.string().min(1).max(analysisMaxCharacters),
    decision: z.enum(['comply', 'safe_complete', 'refuse']),
    rule_ids: z.array(z.enum(ruleIds)).max(6),
  })
}

/** A check's result: the verdict a member may be told about, and the analysis that only the audit log gets. */
export type Deliberation = {
  verdict: Verdict
  /** The model's reasoning, about member input: for admins (the audit log), never for a member's screen. */
  analysis: string
  /** `W1 Own voice only` for each cited rule, for a sentence that names the rule. */
  ruleNames: string[]
  /** The analysis names at least one rule this stage's spec holds (what the eval counts). */
  citesRule: boolean
}

export type SafetyTask = 'draft' | 'answer'

export const safetyTaskText: Record<SafetyTask, string> = {
  draft: 'draft a chat message in the member’s own voice, for the member to review and maybe post',
  answer: 'answer a question for the member, privately',
}

export type CheckInput = {
  task: SafetyTask
  request: string
  context: ContextMessage[]
  workspace: WorkspaceRef
  /** The member the check is for; absent when usage must not name them (an answer for someone not opted in). */
  member?: MemberRef
}

export type Deliberator = ReturnType<typeof createDeliberator>

/** The system message of a stage's check: instructions and that stage's spec, never member text. */
export function safetySystemPrompt(prompts: PromptLibrary, spec: SafetySpec, stage: CheckStage): string {
  return prompts.render('safety-check.system', { safety_spec: spec.forStage(stage) })
}

export function createDeliberator(model: LanguageModel, prompts: PromptLibrary) {
  const spec = parseSafetySpec(prompts.render('safety-spec', {}))
  const stages = Object.fromEntries(
    (['request', 'output'] as const).map((stage) => {
      const ids = spec.ruleIds(stage)
      return [stage, { system: safetySystemPrompt(prompts, spec, stage), schema: createVerdictSchema(ids), cites: new RegExp(`\\b(?:${ids.join('|')})\\b`) }]
    }),
  ) as Record<CheckStage, { system: string; schema: ReturnType<typeof createVerdictSchema>; cites: RegExp }>

  const run = async (user: string, input: CheckInput, stage: CheckStage): Promise<Deliberation> => {
    const { system, schema, cites } = stages[stage]
    const messages: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ]
    const result = await model.generateObject({
      schema,
      schemaName: 'safety_verdict',
      messages,
      // The system message is the stage's instructions and spec only: the same for every member.
      sharedPrefix: true,
      temperature: 0,
      maxTokens: 600,
      context: { workspace: input.workspace, member: input.member, purpose: 'safety' },
    })
    const { analysis, decision, rule_ids } = result.object
    const ruleIds = [...new Set(rule_ids)]
    return { verdict: { decision, ruleIds, stage }, analysis: analysis.trim(), ruleNames: ruleIds.map(spec.ruleName), citesRule: cites.test(analysis) }
  }

  return {
    spec,
    checkRequest(input: CheckInput): Promise<Deliberation> {
      const user = prompts.render('safety-check-request.user', {
        task: safetyTaskText[input.task],
        context: formatContext(input.context),
        request: quoteText(input.request),
      })
      return run(user, input, 'request')
    },
    checkOutput(input: CheckInput & { output: string }): Promise<Deliberation> {
      const user = prompts.render('safety-check-output.user', {
        task: safetyTaskText[input.task],
        context: formatContext(input.context),
        request: quoteText(input.request),
        output: quoteText(input.output),
      })
      return run(user, input, 'output')
    },
    /** What the composer follows after a request verdict of safe_complete: the spec's guidance, never model text. */
    safeCompletionFor(verdict: Verdict): SafeCompletion | undefined {
      if (verdict.decision !== 'safe_complete') return undefined
      return { ruleIds: verdict.ruleIds, guidance: spec.safeCompletionGuidance(verdict.ruleIds) }
    },
  }
}
