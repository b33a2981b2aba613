// The deliberative safety check: a model reasons over prompts/safety-spec.md and returns a verdict for a request
// (before composing) or an output (before showing). Any failure to get a valid verdict is reported, never guessed.
import { z } from 'zod'
import type { ChatMessage, LanguageModel } from '../../llm/language-model.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import { formatContext } from '../prompting/format-context.js'
import { quoteText } from '../prompting/quote-data.js'
import type { ContextMessage, MemberRef, Verdict, WorkspaceRef } from '../types.js'

/** The rule ids the spec defines (`### H3 Harassment…`), so a verdict can only cite real rules. */
export function specRuleIds(spec: string): [string, ...string[]] {
  const ids = [...spec.matchAll(/^### ([A-Z]\d+)\b/gm)].map((match) => match[1]!)
  if (ids.length === 0) throw new Error('The safety spec defines no rule ids (### H1 …)')
  return ids as [string, ...string[]]
}

/** The verdict as the model returns it; snake_case keys read naturally in the prompt. */
export function createVerdictSchema(ruleIds: [string, ...string[]]) {
  return z.object({
    decision: z.enum(['comply', 'safe_complete', 'refuse']),
    rule_ids: z.array(z.enum(ruleIds)).max(6),
    reason: z.string().max(400),
  })
}

export type SafetyTask = 'draft' | 'answer'

const taskText: Record<SafetyTask, string> = {
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

export function createDeliberator(model: LanguageModel, prompts: PromptLibrary) {
  const spec = prompts.render('safety-spec', {})
  const system = prompts.render('safety-check.system', { safety_spec: spec })
  const verdictSchema = createVerdictSchema(specRuleIds(spec))

  const run = async (user: string, input: CheckInput, stage: Verdict['stage']): Promise<Verdict> => {
    const messages: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ]
    const result = await model.generateObject({
      schema: verdictSchema,
      schemaName: 'safety_verdict',
      messages,
      temperature: 0,
      maxTokens: 600,
      sharedPrefix: true,
      context: { workspace: input.workspace, member: input.member, purpose: 'safety' },
    })
    const verdict = result.object
    return {
      decision: verdict.decision,
      ruleIds: [...new Set(verdict.rule_ids)],
      reason: verdict.reason.trim(),
      stage,
    }
  }

  return {
    checkRequest(input: CheckInput): Promise<Verdict> {
      const user = prompts.render('safety-check-request.user', {
        task: taskText[input.task],
        context: formatContext(input.context),
        request: quoteText(input.request),
      })
      return run(user, input, 'request')
    },
    checkOutput(input: CheckInput & { output: string }): Promise<Verdict> {
      const user = prompts.render('safety-check-output.user', {
        task: taskText[input.task],
        context: formatContext(input.context),
        request: quoteText(input.request),
        output: quoteText(input.output),
      })
      return run(user, input, 'output')
    },
  }
}
