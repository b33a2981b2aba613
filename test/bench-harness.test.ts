// The `npm run bench` harness runs end to end on a tiny input and returns (and writes) its JSON structure. Figures
// come from `npm run bench`, never from tests: nothing here asserts on a timing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { renderDetails, rowsFor } from '../bench/bench-rows.js'
import { benchParts, defaultBenchOptions, parseBenchArguments, runBench, sampleConversationPath, UsageError, type BenchOptions } from '../bench/run.js'
import { loadConfig } from '../src/config.js'

const config = loadConfig()
const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-test-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

function quickOptions(overrides: Partial<BenchOptions>): BenchOptions & { lines: string[] } {
  const lines: string[] = []
  return { ...defaultBenchOptions(config, true), dataPath: sampleConversationPath, log: (line) => lines.push(line), lines, ...overrides }
}

describe('npm run bench harness', () => {
  it('runs every part but the embedded model on the sample conversation and writes the JSON it returns', async () => {
    const jsonPath = join(directory, 'nested', 'bench.json')
    const options = quickOptions({ jsonPath, only: ['slack', 'discord', 'observe', 'cost', 'memory'] })
    const report = await runBench(options)

    expect(JSON.parse(readFileSync(jsonPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)))
    expect(report).toMatchObject({ benchmark: 'hyperalign-bench', version: 1, skipped: [] })
    expect(Object.keys(report.parts).sort()).toEqual(['cost', 'discord', 'memory', 'observe', 'slack'])
    expect(new Set(report.rows.map((row) => row.part))).toEqual(new Set(['slack', 'discord', 'observe', 'cost', 'memory']))
    for (const row of report.rows) {
      expect(Number.isFinite(row.value), row.figure).toBe(true)
      expect(row.baselineValue, row.figure).toBeGreaterThan(0)
      expect(row.ratio, row.figure).toBeCloseTo(row.value / row.baselineValue, 2)
    }
    expect(report.markdown).toContain('| part ')
    expect(report.markdown).toContain('## Where the observe path spends its time')

    const [observe] = report.parts.observe!
    expect(observe!.store).toBe('sqlite')
    // Every replayed message of an opted-in member is stored, and the baseline wrote the same rows.
    expect(observe!.sequential.observe.stored).toBe(observe!.sequential.observe.messages)
    expect(observe!.sequential.rawWrites.messages).toBe(observe!.sequential.observe.messages)
    expect(observe!.sequential.legacy.stored).toBe(observe!.sequential.observe.messages)
    expect(observe!.breakdown.map((each) => `${each.collection} ${each.operation}`)).toContain('history append step')

    const cost = report.parts.cost!
    expect(cost.perDraft.sizes.map((size) => size.historySize)).toEqual(options.historySizes)
    for (const size of cost.perDraft.sizes) {
      expect(size.historyStored).toBe(size.historySize)
      expect(size.draft.callsByPurpose).toEqual({ safety: 2, draft: 1 })
      expect(size.draftBestOfThree.callsByPurpose).toEqual({ safety: 2, draft: 3 })
      expect(size.answer.callsByPurpose).toEqual({ safety: 2, answer: 1 })
      // The naive baseline is counted by the same rule the server used for the prompt that was sent.
      expect(size.tokenCountsAgree).toBe(true)
      expect(size.naiveDraft.messagesInPrompt).toBe(size.historySize)
    }
    expect(cost.learning.learnCalls).toBeGreaterThan(0)

    const memory = report.parts.memory!
    expect(memory).toMatchObject({ members: options.members, messagesPerMember: options.messagesPerMember })
    expect(memory.bytesPerMember.byCollection.history).toBeGreaterThan(0)
    expect(memory.bytesPerMember.byCollection.style).toBeGreaterThan(0)
  }, 90_000)

  it('measures one learning run with the check off (one call) and on, in the same run', async () => {
    const report = await runBench(quickOptions({ jsonPath: undefined, only: ['learning'] }))
    const learning = report.parts.learning!
    expect(learning.off).toMatchObject({ calls: 1, checkedMessages: 0, callsByKind: { revision: 1 } })
    expect(learning.on.checkedMessages).toBe(learning.settings.verifyMessages)
    expect(learning.on.callsByKind).toMatchObject({ revision: 1, intent: learning.on.checkedMessages, draft: 2 * learning.on.checkedMessages })
    expect(report.rows.filter((row) => row.part === 'learning').map((row) => row.baselineValue)).toEqual([1, expect.any(Number), expect.any(Number)])
    expect(report.markdown).toContain('## One learning run')
  }, 120_000)

  it('imports the export streamed and with the whole file read first, each in its own process, next to each other', async () => {
    const options = quickOptions({ jsonPath: undefined, only: ['import'] })
    const report = await runBench(options)
    const imported = report.parts.import!
    for (const run of [imported.streaming, imported.wholeFile]) {
      expect(run).toMatchObject({ messages: options.importLines, members: imported.members })
      expect(run.stored).toBeGreaterThan(0)
      expect(run.rss.peakMb).toBeGreaterThan(0)
    }
    expect(imported.streaming.reader).toBe('streaming')
    expect(imported.wholeFile.reader).toBe('whole-file')
    expect(imported.streaming.stored).toBe(imported.wholeFile.stored)
    expect(imported.streaming.progress.at(-1)).toMatch(/^measured the style of \d+ of \d+ members$/)
    expect(imported.streaming.progress).toContainEqual(expect.stringMatching(new RegExp(`^imported ${options.importLines} of ${options.importLines} messages \\(\\d+ stored, \\d+ messages/s\\)$`)))
    const rows = report.rows.filter((row) => row.part === 'import')
    expect(rows.map((row) => row.baselineValue)).toEqual([imported.wholeFile.messagesPerSecond, imported.perMessage.messagesPerSecond, imported.wholeFile.rss.peakMb])
    expect(report.markdown).toContain('Whole file read first: read')
    expect(options.lines).toContainEqual(expect.stringMatching(/^import \(streaming\): imported/))
  }, 180_000)

  it('falls back to the sample conversation with a visible line when the chat data is missing', async () => {
    const missing = join(directory, 'no-such-chat.jsonl')
    const options = quickOptions({ jsonPath: undefined, only: ['observe'], dataPath: missing })
    const report = await runBench(options)
    expect(report.skipped).toEqual([{ part: 'observe', reason: `chat data ${missing} not found; ran on ${sampleConversationPath} instead (set DATA_DIR or --data)` }])
    expect(options.lines).toContain(`skipped observe: ${report.skipped[0]!.reason}`)
    expect(report.parts.observe![0]!.corpus).toBe(sampleConversationPath)
  }, 60_000)

  it('skips the embedded model visibly when its file is missing', async () => {
    const modelPath = join(directory, 'missing.gguf')
    const report = await runBench(quickOptions({ jsonPath: undefined, only: ['local'], modelPath }))
    expect(report.parts.local).toBeUndefined()
    expect(report.skipped).toEqual([{ part: 'local', reason: `model file ${modelPath} not found (set TEST_MODEL_PATH to a small GGUF file)` }])
    expect(report.markdown).toContain(`- skipped local: model file ${modelPath} not found`)
  })

  it('puts each warm-prefix design of the embedded-model drafts next to the cold design as its baseline', () => {
    const design = (kind: 'cold' | 'warm', sequences: number, promptTokensPerDraft: number, msPerDraft: number) => ({
      design: kind, sequences, drafts: 10, promptTokensPerDraft, completionTokensPerDraft: 300, msPerDraft, outcomes: { drafted: 10 }, byPurpose: { safety: { calls: 20, promptTokens: 1 } },
    })
    const localDrafts = { model: 'tiny.gguf', threads: 1, contextSize: 8192, designs: [design('cold', 1, 9000, 60_000), design('warm', 1, 5000, 50_000), design('warm', 2, 1000, 30_000)] }
    const rows = rowsFor({ localDrafts })
    expect(rows.map((row) => [row.figure.split(' (')[0], row.value, row.baselineValue, row.ratio])).toEqual([
      ['prompt tokens llama.cpp evaluates per draft, warm safety prompt', 5000, 9000, 0.556],
      ['wall time per draft, warm safety prompt', 50_000, 60_000, 0.833],
      ['prompt tokens llama.cpp evaluates per draft, warm safety prompt', 1000, 9000, 0.111],
      ['wall time per draft, warm safety prompt', 30_000, 60_000, 0.5],
    ])
    expect(rows[2]!.figure).toContain('2 sequences')
    expect(renderDetails({ localDrafts })).toContain('| warm safety prompt')
  })

  it('reads its options from the command line', () => {
    const options = parseBenchArguments(['--only', 'observe,cost', '--json', 'out.json', '--data', 'chat.jsonl', '--stores', 'sqlite,redis', '--members', '10', '--history-sizes', '5,50'], config)
    expect(options).toMatchObject({ only: ['observe', 'cost'], jsonPath: 'out.json', dataPath: 'chat.jsonl', stores: ['sqlite', 'redis'], members: 10, historySizes: [5, 50], quick: false })
    expect(parseBenchArguments([], config)).toMatchObject({ only: benchParts, jsonPath: 'reports/bench.json', historySizes: [100, 1000, 10_000], platformConcurrency: 50, modelDelayMs: 2000 })
    expect(parseBenchArguments(['--quick'], config)).toMatchObject({ quick: true, platformConcurrency: 3 })
  })

  it('names the unknown part in --only', () => {
    expect(() => parseBenchArguments(['--only', 'slack,speed'], config)).toThrow(new UsageError('--only accepts slack, discord, observe, import, cost, learning, safety, memory, local, scale; unknown: speed'))
  })

  it('names the unknown store in --stores', () => {
    expect(() => parseBenchArguments(['--stores', 'mysql'], config)).toThrow(new UsageError('--stores accepts sqlite, redis, postgres; unknown: mysql'))
  })

  it('rejects a count that is not a whole number above zero', () => {
    expect(() => parseBenchArguments(['--members', 'many'], config)).toThrow(new UsageError('--members must be a whole number above 0, got "many"'))
    expect(() => parseBenchArguments(['--history-sizes', '100,0'], config)).toThrow(new UsageError('--history-sizes must be a whole number above 0, got "0"'))
  })
})
