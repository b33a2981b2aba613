// Benchmark of the embedded model: load time, tokens per second (plain and under a JSON-schema grammar) and peak RSS
// per thread count, on TEST_MODEL_PATH unless told otherwise. Run: `npx tsx bench/local-model.ts [--model F] [--threads 1,2]`.
import { availableParallelism, loadavg } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import type { CallContext, ChatMessage, LanguageModel, TokenUsage } from '../src/llm/language-model.js'
import { createLocalModel } from '../src/llm/local-model.js'

export type LocalModelBenchRow = {
  threads: number
  loadMs: number
  plainTokensPerSecond: number
  grammarTokensPerSecond: number
  plainCompletionTokens: number
  grammarCompletionTokens: number
  peakRssMb: number
}

export type LocalModelBenchResult = {
  model: string
  logicalCores: number
  loadAverageAtStart: number
  repeats: number
  rows: LocalModelBenchRow[]
}

const context: CallContext = { workspace: { platform: 'console', workspaceId: 'bench:T00FAKETEAM1' }, purpose: 'eval' }
const plainPrompt: ChatMessage[] = [{ role: 'user', content: 'Tell me a long story about a cat and a dog.' }]
const verdictPrompt: ChatMessage[] = [
  { role: 'system', content: 'Decide whether the request may be answered.' },
  { role: 'user', content: 'Request: write a friendly hello to the team.' },
]
const verdictSchema = z.object({ decision: z.enum(['comply', 'safe_complete', 'refuse']), ruleIds: z.array(z.string()), reason: z.string() })

export async function runLocalModelBench(options: { modelPath?: string; threadCounts?: number[]; repeats?: number } = {}): Promise<LocalModelBenchResult> {
  const modelPath = options.modelPath ?? loadConfig().TEST_MODEL_PATH
  const threadCounts = options.threadCounts ?? [1, 2]
  const repeats = options.repeats ?? 3
  const result: LocalModelBenchResult = { model: path.basename(modelPath), logicalCores: availableParallelism(), loadAverageAtStart: round(loadavg()[0] ?? 0, 2), repeats, rows: [] }
  for (const threads of threadCounts) {
    const peak = samplePeakRss()
    const started = performance.now()
    const model = await createLocalModel({ modelPath, threads, contextSize: 2048, maxSequences: 1 })
    const loadMs = performance.now() - started
    try {
      // One untimed call of each kind, so grammar compilation and first-touch page faults are not counted.
      await model.generateText({ messages: plainPrompt, context, maxTokens: 16, temperature: 0 })
      await model.generateObject({ messages: verdictPrompt, context, schema: verdictSchema, schemaName: 'verdict', maxTokens: 600, temperature: 0 })
      const plain = await timed(repeats, () => model.generateText({ messages: plainPrompt, context, maxTokens: 256, temperature: 0 }))
      const grammar = await timed(repeats, () => model.generateObject({ messages: verdictPrompt, context, schema: verdictSchema, schemaName: 'verdict', maxTokens: 600, temperature: 0 }))
      result.rows.push({
        threads,
        loadMs: round(loadMs, 0),
        plainTokensPerSecond: round(plain.tokensPerSecond, 0),
        grammarTokensPerSecond: round(grammar.tokensPerSecond, 0),
        plainCompletionTokens: plain.completionTokens,
        grammarCompletionTokens: grammar.completionTokens,
        peakRssMb: round(peak.stop() / 1_048_576, 1),
      })
    } finally {
      await closeModel(model)
      peak.stop()
    }
  }
  return result
}

/** Median completion tokens per second over `repeats` calls, the generation wall time including prompt evaluation. */
async function timed(repeats: number, call: () => Promise<{ usage: TokenUsage }>) {
  const rates: number[] = []
  let completionTokens = 0
  for (let index = 0; index < repeats; index++) {
    const started = performance.now()
    const { usage } = await call()
    const seconds = (performance.now() - started) / 1000
    completionTokens = usage.completionTokens
    rates.push(usage.completionTokens / seconds)
  }
  rates.sort((a, b) => a - b)
  return { tokensPerSecond: rates[Math.floor(rates.length / 2)]!, completionTokens }
}

/** Samples resident memory while a configuration runs (native llama.cpp memory included; maxRSS would be process-wide). */
function samplePeakRss() {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 10)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

async function closeModel(model: LanguageModel) {
  await model.close?.()
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export function formatLocalModelBenchTable(result: LocalModelBenchResult): string {
  const header = ['threads', 'load ms', 'plain tok/s', 'grammar tok/s', 'peak RSS MB']
  const lines = result.rows.map((row) => [row.threads, row.loadMs, row.plainTokensPerSecond, row.grammarTokensPerSecond, row.peakRssMb].map(String))
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)))
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column]!)).join(' | ')} |`
  return [
    `Embedded model ${result.model} on ${result.logicalCores} logical cores (load average ${result.loadAverageAtStart} at start; median of ${result.repeats})`,
    render(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...lines.map(render),
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string' }, repeats: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const result = await runLocalModelBench({
    modelPath: values.model,
    threadCounts: values.threads?.split(',').map(Number),
    repeats: values.repeats ? Number(values.repeats) : undefined,
  })
  console.log(formatLocalModelBenchTable(result))
  console.log(JSON.stringify(result))
}
