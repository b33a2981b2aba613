// `npm run bench`: speed, cost and scale in one run. Prints a markdown table (each figure next to a baseline measured
// in the same process, with the ratio, because the machine may be shared and noisy) and writes JSON.
//   npm run bench -- [--json reports/bench.json] [--only slack,discord,observe,import,cost,learning,safety,memory,local,scale] [--quick]
//                    [--data <chat.jsonl>] [--stores sqlite,redis,postgres] [--members 1000] [--messages-per-member 20]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig, type Config } from '../src/config.js'
import type { StoreKind } from '../src/store/store.js'
import { renderRows, type BenchPart, type BenchRow } from './bench-table.js'
import { readChatCorpus, syntheticTexts, type ChatCorpus } from './chat-corpus.js'
import type { CostReport, LearningCallsReport } from './cost-per-draft.js'
import type { DeliberationLatencyReport } from './deliberation-latency.js'
import type { DiscordDeferReport } from './discord-defer.js'
import type { LearningCostReport } from './learning-cost.js'
import type { LocalDraftBenchResult } from './local-drafts.js'
import type { LocalModelBenchResult } from './local-model.js'
import type { ImportThroughputReport } from './import-throughput.js'
import type { ObserveThroughputReport } from './observe-throughput.js'
import type { ScaleOutReport } from './scale-out.js'
import { renderDetails, rowsFor } from './bench-rows.js'
import type { SlackAckReport } from './slack-ack.js'
import type { StorageFootprintReport } from './storage-footprint.js'

export const benchParts: BenchPart[] = ['slack', 'discord', 'observe', 'import', 'cost', 'learning', 'safety', 'memory', 'local', 'scale']

export type BenchOptions = {
  only: BenchPart[]
  quick: boolean
  /** Where the JSON goes; undefined writes nothing. */
  jsonPath?: string
  /** JSONL chat export replayed by the observe, cost and memory parts. */
  dataPath: string
  stores: StoreKind[]
  platformConcurrency: number
  rounds: number
  modelDelayMs: number
  observeMessages: number
  /** Lines of the JSONL export the import part writes and imports, and how many of them go through the per-message path. */
  importLines: number
  importPerMessageLines: number
  historySizes: number[]
  learnMessages: number
  /** Learning jobs timed with one and with two queue workers (the scale part). */
  scaleLearningJobs: number
  members: number
  messagesPerMember: number
  localThreads: number[]
  modelPath: string
  /** Progress and skip lines (stderr by default). */
  log: (line: string) => void
}

export type BenchReport = {
  benchmark: 'hyperalign-bench'
  version: 1
  startedAt: string
  durationMs: number
  machine: { node: string; platform: string; logicalCores: number; loadAverageAtStart: number[] }
  options: Omit<BenchOptions, 'log'>
  rows: BenchRow[]
  skipped: { part: BenchPart; reason: string }[]
  parts: {
    slack?: SlackAckReport
    discord?: DiscordDeferReport
    observe?: ObserveThroughputReport[]
    import?: ImportThroughputReport
    cost?: { perDraft: CostReport; learning: LearningCallsReport }
    learning?: LearningCostReport
    safety?: DeliberationLatencyReport
    memory?: StorageFootprintReport
    local?: LocalModelBenchResult
    localDrafts?: LocalDraftBenchResult
    scale?: ScaleOutReport
  }
  /** The markdown that was printed. */
  markdown: string
}

export function defaultBenchOptions(config: Config, quick = false): BenchOptions {
  const base = {
    only: benchParts,
    quick,
    jsonPath: 'reports/bench.json',
    dataPath: join(config.DATA_DIR, 'chat', 'slack-software-help.dev.jsonl'),
    stores: ['sqlite'] as StoreKind[],
    modelPath: config.TEST_MODEL_PATH,
    log: (line: string) => process.stderr.write(line + '\n'),
  }
  return quick
    ? { ...base, platformConcurrency: 3, rounds: 1, modelDelayMs: 20, observeMessages: 20, importLines: 1000, importPerMessageLines: 100, historySizes: [10, 30], learnMessages: 60, scaleLearningJobs: 4, members: 5, messagesPerMember: 10, localThreads: [1] }
    : { ...base, platformConcurrency: 50, rounds: 3, modelDelayMs: 2000, observeMessages: 2000, importLines: 227_000, importPerMessageLines: 2000, historySizes: [100, 1000, 10_000], learnMessages: 1000, scaleLearningJobs: 20, members: 1000, messagesPerMember: 20, localThreads: [1, 2] }
}

export const sampleConversationPath = 'examples/sample-conversation.jsonl'

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const config = loadConfig()
  const started = performance.now()
  const report: BenchReport = {
    benchmark: 'hyperalign-bench',
    version: 1,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    machine: { node: process.version, platform: `${process.platform}-${process.arch}`, logicalCores: availableParallelism(), loadAverageAtStart: loadavg().map((each) => Math.round(each * 100) / 100) },
    options: withoutLog(options),
    rows: [],
    skipped: [],
    parts: {},
    markdown: '',
  }
  const skip = (part: BenchPart, reason: string) => {
    report.skipped.push({ part, reason })
    options.log(`skipped ${part}: ${reason}`)
  }
  const wants = (part: BenchPart) => options.only.includes(part)
  const step = async <T>(part: BenchPart, label: string, work: () => Promise<T>): Promise<T> => {
    options.log(`${part}: ${label}…`)
    const stepStarted = performance.now()
    const result = await work()
    options.log(`${part}: done in ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`)
    return result
  }

  const corpus = wants('observe') || wants('import') || wants('cost') || wants('learning') || wants('memory') ? loadCorpus(options, skip) : undefined

  // Memory first, so 'RSS before loading' is a fresh process's and not what earlier parts left behind.
  if (wants('memory')) {
    const { runStorageFootprintBenchmark } = await import('./storage-footprint.js')
    const texts = corpus?.messages.map((message) => message.text) ?? syntheticTexts(5000)
    report.parts.memory = await step('memory', `${options.members} members × ${options.messagesPerMember} messages`, () =>
      runStorageFootprintBenchmark({ members: options.members, messagesPerMember: options.messagesPerMember, texts, textSource: corpus ? corpus.path : 'synthetic' }),
    )
  }
  if (wants('slack')) {
    const { runSlackAckBenchmark } = await import('./slack-ack.js')
    report.parts.slack = await step('slack', `${options.platformConcurrency} concurrent /draft × ${options.rounds} rounds, model ${options.modelDelayMs} ms`, () =>
      runSlackAckBenchmark({ concurrency: options.platformConcurrency, rounds: options.rounds, modelDelayMs: options.modelDelayMs }),
    )
  }
  if (wants('discord')) {
    const { runDiscordDeferBenchmark } = await import('./discord-defer.js')
    report.parts.discord = await step('discord', `${options.platformConcurrency} concurrent /ask × ${options.rounds} rounds, model ${options.modelDelayMs} ms`, () =>
      runDiscordDeferBenchmark({ concurrency: options.platformConcurrency, rounds: options.rounds, modelDelayMs: options.modelDelayMs }),
    )
  }
  if (wants('observe') && corpus) {
    const { runObserveThroughputBenchmark } = await import('./observe-throughput.js')
    report.parts.observe = []
    for (const kind of options.stores) {
      const count = Math.min(options.observeMessages, Math.floor(corpus.messages.length / 3))
      try {
        report.parts.observe.push(
          await step('observe', `${count} messages one at a time and ${count} with 8 in flight into ${kind}, from ${corpus.path}`, () =>
            runObserveThroughputBenchmark({
              messages: corpus.messages,
              corpusLabel: corpus.path,
              storeKind: kind,
              storeUrls: config,
              count,
              learnedMembers: options.quick ? 2 : 10,
              afterLearningCount: options.quick ? 10 : 300,
            }),
          ),
        )
      } catch (error) {
        // An unreachable Redis or PostgreSQL skips that store only, visibly.
        if (kind === 'sqlite') throw error
        skip('observe', `${kind} store not reachable (${(error as Error).message}); start it or set TEST_${kind.toUpperCase()}_URL`)
      }
    }
  }
  if (wants('import') && corpus) {
    const { runImportThroughputBenchmark } = await import('./import-throughput.js')
    report.parts.import = await step('import', `a ${options.importLines}-line JSONL export into sqlite, and its first ${options.importPerMessageLines} messages one at a time, from ${corpus.path}`, () =>
      runImportThroughputBenchmark({ corpusPath: corpus.path, lines: options.importLines, members: 50, perMessageLines: options.importPerMessageLines, log: options.log }),
    )
  }
  if (wants('cost') && corpus) {
    const { runCostBenchmark, runLearningCallsBenchmark } = await import('./cost-per-draft.js')
    const texts = mostActiveMemberTexts(corpus)
    const perDraft = await step('cost', `tokens per draft and answer at ${options.historySizes.join(' / ')} messages of history`, () => runCostBenchmark({ texts, historySizes: options.historySizes }))
    const learning = await step('cost', `learning calls while replaying ${Math.min(options.learnMessages, corpus.messages.length)} messages on their own timestamps`, () =>
      runLearningCallsBenchmark({ messages: corpus.messages.slice(0, options.learnMessages) }),
    )
    report.parts.cost = { perDraft, learning }
  }
  if (wants('learning') && corpus) {
    const { runLearningCostBenchmark } = await import('./learning-cost.js')
    const [member, colleague] = [...corpus.byMember.values()].sort((left, right) => right.length - left.length)
    report.parts.learning = await step('learning', 'model calls and tokens of one learning run, the check off and on', () =>
      runLearningCostBenchmark({ memberTexts: (member ?? []).slice(0, 300).map((each) => each.text), colleagueTexts: (colleague ?? []).slice(0, 100).map((each) => each.text) }),
    )
  }
  if (wants('safety')) {
    const { runDeliberationLatencyBenchmark } = await import('./deliberation-latency.js')
    report.parts.safety = await step('safety', `draft, best-of-3 draft and answer delivered one at a time × ${options.rounds} rounds, model ${options.modelDelayMs} ms, overlapped and sequential`, () =>
      runDeliberationLatencyBenchmark({ modelDelayMs: options.modelDelayMs, rounds: options.rounds }),
    )
  }
  if (wants('local')) {
    if (!existsSync(options.modelPath)) {
      skip('local', `model file ${options.modelPath} not found (set TEST_MODEL_PATH to a small GGUF file)`)
    } else {
      try {
        const { runLocalModelBench } = await import('./local-model.js')
        report.parts.local = await step('local', `${options.modelPath} at ${options.localThreads.join(', ')} thread(s)`, () =>
          runLocalModelBench({ modelPath: options.modelPath, threadCounts: options.localThreads, repeats: options.quick ? 1 : 3 }),
        )
        const { runLocalDraftBench } = await import('./local-drafts.js')
        const drafts = options.quick ? 2 : 10
        const threads = Math.min(...options.localThreads)
        report.parts.localDrafts = await step('local', `${drafts} drafts through the core, warm safety prompt vs cleared sequences, ${threads} thread(s)`, () =>
          runLocalDraftBench({ modelPath: options.modelPath, drafts, threads }),
        )
      } catch (error) {
        skip('local', `the embedded model could not run (${(error as Error).message})`)
      }
    }
  }

  if (wants('scale')) {
    const { runScaleOutBenchmark } = await import('./scale-out.js')
    try {
      report.parts.scale = await step('scale', `round trips per model call; ${options.scaleLearningJobs} learning jobs on 1 and 2 workers; Slack ack with 1 and 2 processes, model ${options.modelDelayMs} ms`, () =>
        runScaleOutBenchmark({ redisUrl: config.TEST_REDIS_URL, modelDelayMs: options.modelDelayMs, learningJobs: options.scaleLearningJobs, concurrency: options.platformConcurrency, rounds: options.rounds, log: options.log }),
      )
    } catch (error) {
      skip('scale', `Redis not reachable or a process failed (${(error as Error).message}); start Redis or set TEST_REDIS_URL`)
    }
  }

  report.rows = rowsFor(report.parts)
  report.durationMs = Math.round(performance.now() - started)
  report.markdown = renderReport(report)
  if (options.jsonPath) {
    mkdirSync(dirname(resolve(options.jsonPath)), { recursive: true })
    writeFileSync(options.jsonPath, JSON.stringify(report, null, 2) + '\n')
  }
  return report
}

function loadCorpus(options: BenchOptions, skip: (part: BenchPart, reason: string) => void): ChatCorpus | undefined {
  const corpus = readChatCorpus(options.dataPath)
  if (corpus && corpus.messages.length > 0) return corpus
  const parts = (['observe', 'cost', 'learning', 'memory'] as BenchPart[]).filter((part) => options.only.includes(part))
  // Listed as skipped (no figures on the real data), though the parts still run on the sample so the harness is exercised.
  for (const part of parts) skip(part, `chat data ${options.dataPath} not found; ran on ${sampleConversationPath} instead (set DATA_DIR or --data)`)
  return readChatCorpus(sampleConversationPath)
}

/** The most active member's texts: the cost part's member writes like a real, busy member. */
function mostActiveMemberTexts(corpus: ChatCorpus): string[] {
  const [texts] = [...corpus.byMember.values()].sort((left, right) => right.length - left.length)
  return (texts ?? []).map((message) => message.text)
}

function renderReport(report: BenchReport): string {
  const lines = [
    `# hyperalign bench (${report.startedAt}, ${(report.durationMs / 1000).toFixed(0)} s)`,
    '',
    `Node ${report.machine.node} on ${report.machine.platform}, ${report.machine.logicalCores} logical cores, load average at start ${report.machine.loadAverageAtStart.join(' / ')}.` +
      ' Ratios compare with a baseline measured in the same process and run.',
    '',
    renderRows(report.rows),
  ]
  if (report.skipped.length) lines.push('', ...report.skipped.map((each) => `- skipped ${each.part}: ${each.reason}`))
  const details = renderDetails(report.parts)
  if (details) lines.push('', details)
  return lines.join('\n')
}

function withoutLog(options: BenchOptions): Omit<BenchOptions, 'log'> {
  const { log: _log, ...rest } = options
  return rest
}

export function parseBenchArguments(argv: string[], config: Config): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      data: { type: 'string' },
      stores: { type: 'string' },
      members: { type: 'string' },
      'messages-per-member': { type: 'string' },
      'observe-messages': { type: 'string' },
      'import-lines': { type: 'string' },
      'history-sizes': { type: 'string' },
      'learn-messages': { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      'model-delay-ms': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) throw new UsageError(usage)
  const options = defaultBenchOptions(config, values.quick)
  const list = (value: string) => value.split(',').map((each) => each.trim()).filter(Boolean)
  const count = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a whole number above 0, got "${value}"`)
    return parsed
  }
  if (values.only) {
    const only = list(values.only)
    const unknown = only.filter((part) => !benchParts.includes(part as BenchPart))
    if (unknown.length) throw new UsageError(`--only accepts ${benchParts.join(', ')}; unknown: ${unknown.join(', ')}`)
    options.only = only as BenchPart[]
  }
  if (values.stores) {
    const stores = list(values.stores)
    const unknown = stores.filter((kind) => !['sqlite', 'redis', 'postgres'].includes(kind))
    if (unknown.length) throw new UsageError(`--stores accepts sqlite, redis, postgres; unknown: ${unknown.join(', ')}`)
    options.stores = stores as StoreKind[]
  }
  if (values.json !== undefined) options.jsonPath = values.json
  if (values.data !== undefined) options.dataPath = values.data
  options.members = count('members', values.members, options.members)
  options.messagesPerMember = count('messages-per-member', values['messages-per-member'], options.messagesPerMember)
  options.observeMessages = count('observe-messages', values['observe-messages'], options.observeMessages)
  options.importLines = count('import-lines', values['import-lines'], options.importLines)
  options.learnMessages = count('learn-messages', values['learn-messages'], options.learnMessages)
  options.platformConcurrency = count('concurrency', values.concurrency, options.platformConcurrency)
  options.rounds = count('rounds', values.rounds, options.rounds)
  options.modelDelayMs = count('model-delay-ms', values['model-delay-ms'], options.modelDelayMs)
  if (values['history-sizes']) options.historySizes = list(values['history-sizes']).map((each) => count('history-sizes', each, 0))
  return options
}

export class UsageError extends Error {}

const usage = `Usage: npm run bench -- [options]
  --json <path>               where to write the JSON (default reports/bench.json)
  --only <parts>              any of ${benchParts.join(',')} (default all)
  --quick                     a tiny run that only proves the harness works
  --data <file.jsonl>         chat export to replay (default DATA_DIR/chat/slack-software-help.dev.jsonl)
  --stores <kinds>            observe path on sqlite,redis,postgres (TEST_REDIS_URL, TEST_POSTGRES_URL)
  --members <n>               members loaded for the memory figures (default 1000)
  --messages-per-member <n>   messages per member for the memory figures (default 20)
  --observe-messages <n>      messages replayed per observe run (default 2000)
  --import-lines <n>          lines of the JSONL export the import part writes and imports (default 227000)
  --history-sizes <list>      history sizes for the cost figures (default 100,1000,10000)
  --learn-messages <n>        messages replayed for learning calls (default 1000)
  --concurrency <n>           concurrent /draft and /ask (default 50)
  --rounds <n>                rounds of those (default 3)
  --model-delay-ms <n>        fake model delay (default 2000)`

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const report = await runBench(parseBenchArguments(process.argv.slice(2), loadConfig()))
    console.log(report.markdown)
    if (report.options.jsonPath) console.log(`\nJSON: ${report.options.jsonPath}`)
    // Fakes and SDK clients may leave idle sockets; the run is over.
    process.exit(0)
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message === usage ? usage : `${error.message}\n\n${usage}`)
      process.exit(error.message === usage ? 0 : 2)
    }
    throw error
  }
}
