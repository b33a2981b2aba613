// Runs the offline attribution evaluation end to end on a chat corpus or on CMCC (cross-genre): our measured
// style next to the classical baseline, plus the calibrated style-match. Importable by `npm run eval` and tests.
import { basename } from 'node:path'
import type { Platform } from '../src/core/types.js'
import { evaluateMethod, protocolWindows, type WindowResult, type WindowSize } from './attribution-protocol.js'
import { chatRowSchema, protocolSelection, readJsonLines, selectChatMembers, type AttributionMember, type MemberSelection } from './chat-corpus.js'
import { classicalBaseline } from './classical-baseline.js'
import { crossGenreMembers, readCmcc } from './cmcc-corpus.js'
import { evaluateStyleMatch, type StyleMatchReport } from './style-match-evaluation.js'
import { measureProfileCost, type ProfileCost } from './style-profile-cost.js'
import { ContributionCache, styleMatchMethod } from './style-match-method.js'

export type MethodFigures = { accuracyAt1: number; meanReciprocalRank: number }

export type WindowRow = { window: WindowSize; windows: number; ours: MethodFigures; baseline: MethodFigures; published?: MethodFigures }

/** Misses of the whole-history window, by candidate id; chat ids are team/channel/year/user. */
export type MissReport = { ours: [string, string][]; baseline: [string, string][] }

export type AttributionRun = {
  name: string
  candidates: number
  trainTexts: number
  heldOutTexts: number
  rows: WindowRow[]
  allWindowMisses: MissReport
  styleMatch: StyleMatchReport
  /** Measured on every candidate's full history (training and held-out texts). */
  profileCost: ProfileCost
  seconds: number
}

export type AttributionReport = { kind: 'chat' | 'cmcc'; corpus: string; runs: AttributionRun[] }

/** Figures the data README gives for the classical baseline, shown beside ours when the same file is evaluated. */
const publishedBaselines: Record<string, Record<string, MethodFigures>> = {
  'slack-software-help.dev.jsonl': {
    '1': { accuracyAt1: 0.142, meanReciprocalRank: 0.271 },
    '10': { accuracyAt1: 0.479, meanReciprocalRank: 0.622 },
    '25': { accuracyAt1: 0.687, meanReciprocalRank: 0.798 },
    all: { accuracyAt1: 0.78, meanReciprocalRank: 0.883 },
  },
}

export function runAttribution(
  name: string,
  members: AttributionMember[],
  options: { platform: Platform; windows?: WindowSize[]; published?: Record<string, MethodFigures> },
): AttributionRun {
  const started = performance.now()
  if (members.length < 2) throw new Error(`${name}: attribution needs at least two candidates, found ${members.length}`)
  const windows = options.windows ?? protocolWindows
  const cache = new ContributionCache(options.platform)
  const ours = evaluateMethod(styleMatchMethod({ platform: options.platform, cache }), members, windows)
  const baseline = evaluateMethod(classicalBaseline(), members, windows)
  const figures = (result: WindowResult): MethodFigures => ({ accuracyAt1: result.accuracyAt1, meanReciprocalRank: result.meanReciprocalRank })
  const rows = windows.map((window, index) => ({
    window,
    windows: ours[index]!.windows,
    ours: figures(ours[index]!),
    baseline: figures(baseline[index]!),
    ...(options.published?.[String(window)] ? { published: options.published[String(window)] } : {}),
  }))
  const missesOf = (results: WindowResult[]) =>
    (results.find((result) => result.window === 'all')?.misses ?? []).map(({ truth, predicted }) => [members[truth]!.id, members[predicted]!.id] as [string, string])
  const allWindowMisses = { ours: missesOf(ours), baseline: missesOf(baseline) }
  const styleMatch = evaluateStyleMatch(members, { platform: options.platform, cache })
  const profileCost = measureProfileCost(members.map((member) => [...member.train, ...member.test]), options.platform)
  return {
    name,
    candidates: members.length,
    trainTexts: members.reduce((sum, member) => sum + member.train.length, 0),
    heldOutTexts: members.reduce((sum, member) => sum + member.test.length, 0),
    rows,
    allWindowMisses,
    styleMatch,
    profileCost,
    seconds: (performance.now() - started) / 1000,
  }
}

/** The data README's protocol on a chat JSONL file. */
export function runChatAttribution(corpus: string, options: { platform?: Platform; selection?: MemberSelection } = {}): AttributionReport {
  const rows = readJsonLines(corpus, chatRowSchema, 'chat corpus')
  const members = selectChatMembers(rows, options.selection ?? protocolSelection)
  const run = runAttribution('members ranked by held-out window', members, {
    platform: options.platform ?? 'slack',
    published: publishedBaselines[basename(corpus)],
  })
  return { kind: 'chat', corpus, runs: [run] }
}

/** CMCC across genres: learn from each author's chat and test on their email, and the reverse. */
export function runCmccAttribution(corpus: string, directions: [string, string][] = [['chat', 'email'], ['email', 'chat']]): AttributionReport {
  const rows = readCmcc(corpus)
  const runs = directions.map(([learn, test]) =>
    runAttribution(`learn ${learn} → test ${test}`, crossGenreMembers(rows, learn, test), { platform: 'console', windows: [1, 'all'] }),
  )
  return { kind: 'cmcc', corpus, runs }
}

/** Chat member ids are team/channel/year/user: same team and channel, different year. */
function sameChannelOtherYear(a: string, b: string): boolean {
  const [teamA, channelA, yearA] = a.split('/')
  const [teamB, channelB, yearB] = b.split('/')
  return yearA !== undefined && yearB !== undefined && teamA === teamB && channelA === channelB && yearA !== yearB
}

export function formatAttributionMarkdown(report: AttributionReport): string {
  const number = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '—')
  const lines: string[] = [`## Attribution (${report.kind}): ${report.corpus}`, '']
  for (const run of report.runs) {
    const unit = report.kind === 'chat' ? 'messages' : 'documents'
    lines.push(`### ${run.name}`, '', `${run.candidates} candidates, ${run.trainTexts} training and ${run.heldOutTexts} held-out ${unit}; chance ${number(1 / run.candidates)}; ${run.seconds.toFixed(1)} s.`, '')
    const header = run.rows.map((row) => `${row.window} (${row.windows})`)
    lines.push(`| window (${unit}) | ${header.join(' | ')} |`, `|---|${header.map(() => '---').join('|')}|`)
    const line = (label: string, pick: (row: WindowRow) => number | undefined) => `| ${label} | ${run.rows.map((row) => (pick(row) === undefined ? '—' : number(pick(row)!))).join(' | ')} |`
    lines.push(line('accuracy@1, measured style (ours)', (row) => row.ours.accuracyAt1))
    lines.push(line('accuracy@1, classical baseline (same run)', (row) => row.baseline.accuracyAt1))
    if (run.rows.some((row) => row.published)) lines.push(line('accuracy@1, baseline as published', (row) => row.published?.accuracyAt1))
    lines.push(line('MRR, measured style (ours)', (row) => row.ours.meanReciprocalRank))
    lines.push(line('MRR, classical baseline (same run)', (row) => row.baseline.meanReciprocalRank))
    if (run.rows.some((row) => row.published)) lines.push(line('MRR, baseline as published', (row) => row.published?.meanReciprocalRank))
    const misses = run.allWindowMisses
    if (report.kind === 'chat' && misses.ours.length + misses.baseline.length > 0) {
      const adjacent = (list: [string, string][]) => list.filter(([truth, predicted]) => sameChannelOtherYear(truth, predicted)).length
      lines.push(
        '',
        `Whole-history window misses: ours ${misses.ours.length} (${adjacent(misses.ours)} to the same team and channel in another year), ` +
          `baseline ${misses.baseline.length} (${adjacent(misses.baseline)}). Pseudonyms are per year, so such a "miss" may be the same person.`,
      )
    }
    const match = run.styleMatch
    lines.push(
      '',
      `Calibrated style-match of single held-out ${unit} (${match.ownPairs} own, ${match.otherPairs} other pairs):`,
      '',
      '| calibration | mean own | mean other | AUC | mean ceiling (raw) | mean floor (raw) |',
      '|---|---|---|---|---|---|',
      `| measured (own held-out + others' texts) | ${number(match.measured.meanOwn)} | ${number(match.measured.meanOther)} | ${number(match.measured.auc)} | ${number(match.measured.meanCeiling)} | ${number(match.measured.meanFloor)} |`,
      `| closed-form default (counts only) | ${number(match.estimated.meanOwn)} | ${number(match.estimated.meanOther)} | ${number(match.estimated.auc)} | ${number(match.estimated.meanCeiling)} | ${number(match.estimated.meanFloor)} |`,
      '',
      `Raw score AUC pooled over members, before calibration: ${number(match.rawAuc)}.`,
      '',
    )
    const cost = run.profileCost
    const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
    lines.push(
      `Style profile: ${cost.cells} cells; add ${cost.addMicroseconds.toFixed(1)} µs and remove ${cost.removeMicroseconds.toFixed(1)} µs per message ` +
        `(mean over ${cost.messages}, normalised text); largest member (${cost.largestProfileMessages} messages) ${kilobytes(cost.largestProfileBytes)}, ` +
        `population (${cost.populationMessages} messages) ${kilobytes(cost.populationBytes)} as JSON; JSON parse + schema check ${cost.readMilliseconds.toFixed(2)} ms.`,
      '',
    )
  }
  return lines.join('\n')
}
