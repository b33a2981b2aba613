// Benchmark of drafts on the embedded model: prompt tokens llama.cpp actually evaluates per draft (its token meters) and
// wall time, over consecutive drafts by different members through the real core (request check, compose, output
// check), with the safety prompt kept warm against the design that clears every sequence after every call, in the same
// run. Run: `npx tsx bench/local-drafts.ts [--model F] [--drafts 10] [--threads 1]`.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config.js'
import type { MemberRef } from '../src/core/types.js'
import type { LanguageModel, TokenUsage } from '../src/llm/language-model.js'
import { createLocalModel } from '../src/llm/local-model.js'
import { actorFor, createTestCore, enableWorkspace, message, workspace } from '../testing/support/test-core.js'
import { round } from './observe-throughput.js'

export type LocalDraftDesign = {
  design: 'cold' | 'warm'
  /** LOCAL_MAX_SEQUENCES: with one, the compose call (member data, never kept) evicts the warm safety prompt. */
  sequences: number
  drafts: number
  promptTokensPerDraft: number
  completionTokensPerDraft: number
  msPerDraft: number
  /** How the drafts ended (drafted, refused, or the error code a fail-closed draft gave). */
  outcomes: Record<string, number>
  /** Model calls and prompt tokens evaluated by purpose (safety, draft), so a draft refused at the request check shows. */
  byPurpose: Record<string, { calls: number; promptTokens: number }>
}

export type LocalDraftBenchResult = { model: string; threads: number; contextSize: number; designs: LocalDraftDesign[] }

/**
 * The tiny test model refuses most requests at the request check (then a draft is one call, not three); these two it
 * lets through with the safety prompt of this writing, so each draft makes all three calls. `byPurpose` shows the calls.
 */
const intents = ['say I am out sick today', 'welcome the new intern']
const contextSize = 8192

export async function runLocalDraftBench(options: { modelPath?: string; drafts?: number; threads?: number } = {}): Promise<LocalDraftBenchResult> {
  const modelPath = options.modelPath ?? loadConfig().TEST_MODEL_PATH
  const drafts = options.drafts ?? 10
  const threads = options.threads ?? 1
  const designs: LocalDraftDesign[] = []
  // The baseline first, then the warm design on the default single sequence, on two, and on three (both checks' prompts
  // stay warm while a compose holds the third).
  for (const [design, sequences] of [['cold', 1], ['warm', 1], ['warm', 2], ['warm', 3]] as const) designs.push(await runDesign(modelPath, design, sequences, drafts, threads))
  return { model: path.basename(modelPath), threads, contextSize, designs }
}

async function runDesign(modelPath: string, design: 'cold' | 'warm', sequences: number, drafts: number, threads: number): Promise<LocalDraftDesign> {
  const model = await createLocalModel({ modelPath, threads, contextSize, maxSequences: sequences, reuseSharedPrefix: design === 'warm' })
  const byPurpose: LocalDraftDesign['byPurpose'] = {}
  const test = await createTestCore({ model: recordPurposes(model, byPurpose), settings: { LLM_MAX_CONCURRENCY: String(sequences) } })
  try {
    await enableWorkspace(test.core)
    const members: MemberRef[] = Array.from({ length: drafts }, (_, index) => ({ ...workspace, userId: `U00BENCH${String(index).padStart(4, '0')}` }))
    for (const [index, member] of members.entries()) {
      await test.core.setConsent(actorFor(member), member, true)
      for (let each = 0; each < 5; each++) await test.core.observe(message(member, `member ${index} says: checking the deploy ${each}, back soon`))
    }
    const outcomes: Record<string, number> = {}
    for (const key of Object.keys(byPurpose)) delete byPurpose[key]
    const before = model.evaluatedTokens()
    const started = performance.now()
    for (const [index, member] of members.entries()) {
      const outcome = await test.core.draft({ actor: actorFor(member), intent: intents[index % intents.length]! }).then(
        (result) => result.status,
        (error: unknown) => (error as { code?: string }).code ?? 'error',
      )
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
    }
    const ms = performance.now() - started
    const after = model.evaluatedTokens()
    return {
      design,
      sequences,
      drafts,
      promptTokensPerDraft: round((after.input - before.input) / drafts, 1),
      completionTokensPerDraft: round((after.output - before.output) / drafts, 1),
      msPerDraft: round(ms / drafts, 0),
      outcomes,
      byPurpose,
    }
  } finally {
    await test.close()
    await model.close?.()
  }
}

/** Counts calls and the prompt tokens each reported (the sequence's token meter), failed calls included. */
function recordPurposes(model: LanguageModel, into: LocalDraftDesign['byPurpose']): LanguageModel {
  const record = async <R extends { usage: TokenUsage }>(purpose: string, call: () => Promise<R>): Promise<R> => {
    const entry = (into[purpose] ??= { calls: 0, promptTokens: 0 })
    entry.calls++
    try {
      const result = await call()
      entry.promptTokens += result.usage.promptTokens
      return result
    } catch (error) {
      entry.promptTokens += (error as { tokensUsed?: TokenUsage }).tokensUsed?.promptTokens ?? 0
      throw error
    }
  }
  return {
    name: model.name,
    generateText: (request) => record(request.context.purpose, () => model.generateText(request)),
    generateObject: (request) => record(request.context.purpose, () => model.generateObject(request)),
  }
}

export function formatLocalDraftBenchTable(result: LocalDraftBenchResult): string {
  const header = ['design', 'sequences', 'prompt tokens evaluated / draft', 'completion tokens / draft', 'ms / draft', 'calls (prompt tokens)', 'outcomes']
  const lines = result.designs.map((each) => [
    each.design === 'cold' ? 'cold (cleared after every call)' : 'warm safety prompt',
    String(each.sequences),
    String(each.promptTokensPerDraft),
    String(each.completionTokensPerDraft),
    String(each.msPerDraft),
    Object.entries(each.byPurpose).map(([purpose, { calls, promptTokens }]) => `${purpose} ${calls} (${promptTokens})`).join(', '),
    Object.entries(each.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', '),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)))
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
  return [
    `Drafts on the embedded model ${result.model} (${result.threads} thread(s), context ${result.contextSize}), ${result.designs[0]?.drafts ?? 0} consecutive drafts by different members`,
    render(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...lines.map(render),
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, drafts: { type: 'string' }, threads: { type: 'string' } } })
  const result = await runLocalDraftBench({ modelPath: values.model, drafts: values.drafts ? Number(values.drafts) : undefined, threads: values.threads ? Number(values.threads) : undefined })
  console.log(formatLocalDraftBenchTable(result))
  console.log(JSON.stringify(result))
}
