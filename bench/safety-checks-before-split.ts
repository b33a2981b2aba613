// The two safety checks as they were before the spec was split per stage (issue 12): the whole spec in both checks,
// the decision asked for before the reason. The prompt files in safety-prompts-before-split/ are a frozen copy, kept
// only as the same-run baseline of the safety-token figure; the core never reads them.
import { readFileSync } from 'node:fs'
import { formatContext } from '../src/core/prompting/format-context.js'
import { quoteText } from '../src/core/prompting/quote-data.js'
import { safetyTaskText, type SafetyTask } from '../src/core/safety/deliberator.js'
import type { ContextMessage } from '../src/core/types.js'
import { countPromptTokens } from './cost-per-draft.js'

const read = (name: string) => readFileSync(new URL(`./safety-prompts-before-split/${name}.md`, import.meta.url), 'utf8').trim()
const fill = (template: string, values: Record<string, string>) => template.replace(/\{\{([a-z_]+)\}\}/g, (_match, key: string) => values[key] ?? '')

/** Prompt tokens of both checks of one draft or answer with the prompts before the split, by the fake server's rule. */
export function safetyPromptTokensBeforeSplit(input: { task: SafetyTask; request: string; context: ContextMessage[]; output: string }): number {
  const system = fill(read('safety-check.system'), { safety_spec: read('safety-spec') })
  const values = { task: safetyTaskText[input.task], context: formatContext(input.context), request: quoteText(input.request), output: quoteText(input.output) }
  return (
    countPromptTokens([{ content: system }, { content: fill(read('safety-check-request.user'), values) }]) +
    countPromptTokens([{ content: system }, { content: fill(read('safety-check-output.user'), values) }])
  )
}
