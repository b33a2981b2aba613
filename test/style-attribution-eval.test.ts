// The offline attribution harness end to end on tiny fixtures: report structure, windows, both methods, the
// style-match figures, the CLI's JSON output and its message for a missing corpus. Scores are not asserted.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import { parseAttributionArguments, main } from '../eval/attribution.js'
import { areaUnderCurve, cutWindows, rankOf } from '../eval/attribution-protocol.js'
import { formatAttributionMarkdown, runChatAttribution, runCmccAttribution } from '../eval/attribution-report.js'
import { chatRowSchema, readJsonLines, selectChatMembers } from '../eval/chat-corpus.js'

const chatFixture = fileURLToPath(new URL('./fixtures/style/three-writers.jsonl', import.meta.url))
const cmccFixture = fileURLToPath(new URL('./fixtures/style/cmcc-tiny.jsonl', import.meta.url))
const small = { members: 50, minimumMessages: 10, trainShare: 0.7 }
const scratch = mkdtempSync(join(tmpdir(), 'attribution-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('attribution protocol pieces', () => {
  it('selects members by message count and splits each by time, 70/30', () => {
    const members = selectChatMembers(readJsonLines(chatFixture, chatRowSchema, 'chat corpus'), small)
    expect(members.map((member) => member.id)).toEqual([
      'T00FAKETEAM1/C00FAKECHAN1/2024/U00FAKEUSER1',
      'T00FAKETEAM1/C00FAKECHAN1/2024/U00FAKEUSER2',
      'T00FAKETEAM1/C00FAKECHAN1/2024/U00FAKEUSER3',
    ])
    expect(members[0]!.train).toHaveLength(21)
    expect(members[0]!.test).toHaveLength(9)
    expect(members[0]!.train[0]).toBe('lol yeah that build broke again')
    expect(selectChatMembers(readJsonLines(chatFixture, chatRowSchema, 'chat corpus'), { ...small, minimumMessages: 31 })).toEqual([])
  })

  it('cuts windows, dropping a short last one, and ranks ties against the true member', () => {
    expect(cutWindows(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd']])
    expect(cutWindows(['a', 'b'], 'all')).toEqual([['a', 'b']])
    expect(cutWindows(['a'], 10)).toEqual([])
    expect(rankOf([0.1, 0.9, 0.5], 1)).toBe(1)
    expect(rankOf([0.1, 0.9, 0.5], 0)).toBe(3)
    expect(rankOf([0.5, 0.5, 0.5], 2)).toBe(3)
    expect(areaUnderCurve([2, 3], [0, 1])).toBe(1)
    expect(areaUnderCurve([1], [1])).toBe(0.5)
  })
})

describe('attribution report', () => {
  it('runs both methods and the style-match evaluation on a chat file', () => {
    const report = runChatAttribution(chatFixture, { selection: small })
    expect(report.kind).toBe('chat')
    const run = report.runs[0]!
    expect(run.candidates).toBe(3)
    expect(run.rows.map((row) => row.window)).toEqual([1, 10, 25, 'all'])
    expect(run.rows.map((row) => row.windows)).toEqual([27, 0, 0, 3])
    for (const row of run.rows) {
      for (const figures of [row.ours, row.baseline]) {
        expect(figures.accuracyAt1).toBeGreaterThanOrEqual(0)
        expect(figures.accuracyAt1).toBeLessThanOrEqual(1)
        expect(figures.meanReciprocalRank).toBeGreaterThanOrEqual(row.windows ? 1 / 3 : 0)
      }
      expect(row.published).toBeUndefined()
    }
    for (const [truth, predicted] of [...run.allWindowMisses.ours, ...run.allWindowMisses.baseline]) {
      expect(truth).not.toBe(predicted)
      expect(truth).toMatch(/^T00FAKETEAM1\//)
    }
    expect(run.profileCost.cells).toBeGreaterThan(0)
    expect(run.profileCost.largestProfileMessages).toBe(30)
    expect(run.styleMatch.ownPairs).toBe(27)
    expect(run.styleMatch.otherPairs).toBe(54)
    for (const figures of [run.styleMatch.measured, run.styleMatch.estimated]) {
      expect(Object.keys(figures).sort()).toEqual(['auc', 'meanCeiling', 'meanFloor', 'meanOther', 'meanOwn'])
    }
    const markdown = formatAttributionMarkdown(report)
    expect(markdown).toContain('| accuracy@1, measured style (ours) |')
    expect(markdown).toContain('| MRR, classical baseline (same run) |')
  })

  it('runs CMCC across genres in both directions', () => {
    const report = runCmccAttribution(cmccFixture)
    expect(report.runs.map((run) => run.name)).toEqual(['learn chat → test email', 'learn email → test chat'])
    for (const run of report.runs) {
      expect(run.candidates).toBe(3)
      expect(run.rows.map((row) => [row.window, row.windows])).toEqual([[1, 9], ['all', 3]])
    }
  })

  it('the command line prints the table and writes JSON', () => {
    const output = join(scratch, 'report.json')
    let printed = ''
    main(['--cmcc', cmccFixture, '--json', output], (text) => (printed += text))
    expect(printed).toContain('## Attribution (cmcc)')
    const saved = JSON.parse(readFileSync(output, 'utf8'))
    expect(saved.kind).toBe('cmcc')
    expect(saved.runs).toHaveLength(2)
  })

  it('names the missing corpus and how to point at one', () => {
    expect(() => runChatAttribution(join(scratch, 'absent.jsonl'))).toThrow(/not found at .*absent\.jsonl; pass its path/)
    try {
      runChatAttribution(join(scratch, 'absent.jsonl'))
    } catch (error) {
      expect((error as BotError).code).toBe('not_found')
    }
  })

  it('rejects unknown arguments and flags without values', () => {
    expect(() => parseAttributionArguments(['--corpus'])).toThrow(/--corpus needs a value/)
    expect(() => parseAttributionArguments(['--wat'])).toThrow(/Unknown argument --wat/)
    expect(parseAttributionArguments(['--cmcc'])).toEqual({ platform: 'slack', cmcc: true })
    expect(parseAttributionArguments(['--corpus', 'x.jsonl', '--platform', 'discord'])).toEqual({ platform: 'discord', corpus: 'x.jsonl' })
  })
})
