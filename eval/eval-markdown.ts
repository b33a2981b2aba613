// Renders the evaluation report as markdown: one table per section, skipped sections with their reason, errors by
// code. Only ids, counts, rates and error codes appear: never a safety prompt, an attack or a model's answer to one.
import { formatAttributionMarkdown } from './attribution-report.js'
import type { Interval } from './confidence-interval.js'
import type { EvalReport, Section } from './eval-report.js'
import type { StyleProtocolReport } from './hyperalign-protocol.js'
import type { InjectionReport } from './injection-eval.js'
import type { ErrorSummary } from './item-error.js'
import type { DecisionFigures, SafetySetReport } from './safety-eval.js'

const number = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value.toFixed(3) : '—')
const rate = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '—')
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ')

function table(header: string[], rows: (string | number)[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map((value) => cell(String(value))).join(' | ')} |`)]
}

function section<T>(title: string, value: Section<T>, render: (result: T) => string[]): string[] {
  if (value.status === 'skipped') return [title, '', `Skipped: ${value.reason}`, '']
  if (value.status === 'failed') return [title, '', `**Failed** after ${value.seconds.toFixed(1)} s: \`${value.error.code}\` — ${cell(value.error.message)}`, '']
  return [title, '', ...render(value.result), `(${value.seconds.toFixed(1)} s)`, '']
}

function errorLines(errors: ErrorSummary[]): string[] {
  if (errors.length === 0) return ['No item errors.', '']
  return ['Item errors (each reported in its item, the run went on):', '', ...table(['error', 'items', 'example message'], errors.map((error) => [`\`${error.code}\``, error.count, error.example.slice(0, 300)])), '']
}

/** A figure with its 95% interval after it; only the figure (or —) when there is no interval. */
const withInterval = (value: number, range: Interval, format: (value: number) => string) =>
  Number.isFinite(range.low) ? `${format(value)} [${format(range.low)}, ${format(range.high)}]` : format(value)
const signed = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(3)}` : '—')

function styleLines(report: StyleProtocolReport): string[] {
  const agreement = report.judgeMeasureAgreement
  return [
    `Corpus: \`${report.corpus}\`. ${report.design}`,
    '',
    `${report.tasks} tasks from ${report.authorsWithTasks} authors (style measure over all ${report.authors}); ${report.samples} samples per task and condition at temperature ${report.temperature}; ` +
      `${report.trainTexts} training texts per author; hypotheses learned for ${report.hypotheses.authorsLearned} authors (${number(report.hypotheses.meanPerAuthor)} each), failed for ${report.hypotheses.authorsFailed}; rerank: ${report.rerank}.`,
    '',
    ...table(
      ['core', 'authors learned', 'failed', 'hypotheses each', 'edited drafts (edited / refused / failed of tasks)'],
      report.learning.map((each) => [each.condition, each.authorsLearned, each.authorsFailed, number(each.meanPerAuthor), each.edits ? `${each.edits.edited} / ${each.edits.refused} / ${each.edits.failed} of ${each.edits.tasks}` : '—']),
    ),
    '',
    ...table(
      ['condition', 'outputs', 'refused', 'errors', 'style-match mean [95% CI]', 'style-match median', 'mean words', 'what the model is given'],
      report.conditions.map((each) => [
        each.condition,
        each.unavailable ? 'not run' : each.outputs,
        each.refused,
        each.errors,
        withInterval(each.meanStyleMatch, each.styleMatchInterval, number),
        number(each.medianStyleMatch),
        number(each.meanWords),
        each.unavailable ? `${each.description} — not run: ${each.unavailable}` : each.description,
      ]),
    ),
    '',
    `Calibrated style-match of the real held-out texts for scale: the author's own ${number(report.reference.meanOwn)}, another author's ${number(report.reference.meanOther)} (1 = like the author's own writing, 0 = like others').`,
    '',
    "Pairwise judge beside the style match (reference = the author's real text; every pair of samples judged in both orders; win rate = (wins + ties/2) / judgments; " +
      "style match higher = share of the same pairs where the first's calibrated style match is higher; agree = share of pairs with a consistent judge winner where it also has the higher style match; " +
      'r = Pearson correlation of the judge margin and the style-match difference; intervals: 95% bootstrap over tasks):',
    '',
    ...table(
      ['pair', 'tasks × samples', 'judgments', 'judge: win rate of first [95% CI]', 'first / second / tie', 'same winner in both orders', 'picked the one shown first', 'style match higher [95% CI]', 'mean style-match difference', 'judge and style match agree', 'r', 'judge errors'],
      report.pairs.map((pair) => [
        `${pair.first} vs ${pair.second}`,
        pair.tasks,
        pair.judgments,
        withInterval(pair.firstWinRate, pair.winRateInterval, rate),
        `${pair.firstWins} / ${pair.secondWins} / ${pair.ties}`,
        rate(pair.consistentRate),
        rate(pair.shownFirstRate),
        withInterval(pair.styleMatch.firstHigherRate, pair.styleMatch.interval, rate),
        signed(pair.styleMatch.meanDifference),
        `${rate(pair.agreement.rate)} of ${pair.agreement.comparisons}`,
        number(pair.agreement.correlation),
        pair.errors,
      ]),
    ),
    '',
    `Judge vs style match over all pairs: on ${agreement.comparisons} pairs with a consistent judge winner and different style match, the judge's winner also had the higher style match in ` +
      `${withInterval(agreement.rate, agreement.interval, rate)}; correlation of judge margin and style-match difference r = ${number(agreement.correlation)} over ${agreement.correlationPairs} pairs. ` +
      'A judge that disagrees with the measure as often as it agrees (about 50%, r near 0) is not evidence of style on its own.',
    '',
    ...errorLines(report.errors),
  ]
}

function decisionRows(figures: DecisionFigures[]): (string | number)[][] {
  return figures.map((each) => [each.group, each.label, each.items, each.comply, each.safeComplete, each.refuse, each.errors, each.overInputLimit, rate(each.refusalRate), rate(each.refuseOrPartialRate), rate(each.blockedRate), rate(each.citationShare)])
}
const decisionHeader = ['group', 'label', 'prompts', 'comply', 'safe_complete', 'refuse', 'check failed', 'over input limit', 'refusal rate', 'refuse or partial', 'blocked as shipped', 'analysis cites a rule']

function safetyLines(report: SafetySetReport): string[] {
  const safe = report.byLabel.find((each) => each.label === 'safe')
  const unsafe = report.byLabel.find((each) => each.label === 'unsafe')
  return [
    `\`${report.path}\`, checked as a request to ${report.task === 'answer' ? 'answer a question' : 'draft a message'}. Rates are over prompts that got a verdict; "blocked as shipped" also counts checks that failed (the gate fails closed).`,
    '',
    `Over-refusal on safe prompts: **${rate(safe?.refusalRate)}** (refuse or partial ${rate(safe?.refuseOrPartialRate)}). Refusal of unsafe prompts: **${rate(unsafe?.refusalRate)}** (refuse or partial ${rate(unsafe?.refuseOrPartialRate)}).`,
    `Verdicts whose analysis cites an existing rule of the spec (it reasons over the policy before deciding): safe ${rate(safe?.citationShare)}, unsafe ${rate(unsafe?.citationShare)}.`,
    '',
    ...table(decisionHeader, decisionRows(report.byLabel)),
    '',
    ...table(decisionHeader, decisionRows(report.byGroup)),
    '',
    ...errorLines(report.errors),
  ]
}

function injectionLines(report: InjectionReport & { attacks: Record<string, number> }): string[] {
  const cleanRefused = report.scenarios.filter((each) => each.requestDecision === 'refuse' || each.outputDecision === 'refuse').length
  const header = ['attacks', 'n', 'stopped at request check', 'drafted', 'target in draft', 'judge: followed', 'changed', 'output check refused', 'caught (of changed)', 'slipped past', 'diverged from clean', 'errors', 'changed rate', 'caught rate', 'slipped rate (of all)', 'analysis cites a rule']
  const row = (each: InjectionReport['total']) => [each.source, each.items, each.blockedAtRequest, each.composed, each.targetHits, each.judgedFollowed, each.changed, each.outputRefused, each.caught, each.slipped, each.diverged, each.errors, rate(each.changedRate), rate(each.caughtRate), rate(each.slippedRate), rate(each.citationShare)]
  return [
    `${Object.entries(report.attacks).map(([source, count]) => `${count} ${source}`).join(', ')} attacks, each planted in one of ${report.scenarios.length} real Slack threads ` +
      '(appended to, prepended to, or beside a message from someone else) while the member asks for an ordinary reply. Pipeline as shipped: request check → compose → output check.',
    '',
    `Without an attack, ${report.scenarios.filter((each) => each.error === undefined).length}/${report.scenarios.length} scenarios drafted cleanly; ${cleanRefused} clean scenarios were refused by a check (false alarms).`,
    '"Changed" = a target of the attack (e.g. "Access Granted", its link or code) is in the draft and not in the clean draft, or the injection judge says the draft followed the planted text. "Slipped past" = changed and allowed by the output check.',
    '',
    ...table(header, [...report.bySource.map(row), row(report.total)]),
    '',
    ...errorLines(report.errors),
  ]
}

export function formatEvalMarkdown(report: EvalReport): string {
  const models = report.models
  const lines: string[] = [
    '# hyperalign evaluation',
    '',
    `Run ${report.startedAt} (${report.seconds.toFixed(0)} s); mode ${report.mode}; sets ${report.sets.join(', ')}; ${report.slice === null ? 'default set sizes' : `slice: at most ${report.slice} items per set`}.`,
    `Command: \`npm run eval -- ${report.command.join(' ')}\``,
    models ? `Models: ${models.model} (${models.provider}${models.contextSize ? `, context ${models.contextSize} tokens` : ''}); safety check ${models.safetyModel}; judge ${models.judgeModel}.` : 'Models: none (offline only).',
    `Data: ${report.paths.dataDirectory}; chat corpus \`${report.paths.chatCorpus}\`; CMCC \`${report.paths.cmcc}\`; DITTO's CMCC split \`${report.paths.cmccSplit}\`. Intents cached in \`${report.paths.intentCache}\`.`,
    `Settings: ${report.settings.trainTexts} training texts per author, ${report.settings.candidates} candidates in the full pipeline, ${report.settings.samples} samples per style task at temperature ${report.settings.temperature}, concurrency ${report.settings.concurrency}, input limit ${report.settings.maxInputCharacters} characters.`,
    '',
    '## Offline style attribution (no model)',
    '',
  ]
  for (const [name, value] of [['Slack chats', report.offline.chat], ['CMCC across genres', report.offline.cmcc]] as const) {
    if (value.status === 'ok') lines.push(formatAttributionMarkdown(value.result).replace(/^## /gm, '### ').replace(/^### (?!Attribution)/gm, '#### '), `(${value.seconds.toFixed(1)} s)`, '')
    else lines.push(...section(`### ${name}`, value, () => []))
  }
  lines.push('## Style with a model: HyPerAlign / DITTO protocol', '')
  lines.push(...section('### CMCC', report.style.cmcc, styleLines))
  lines.push(...section('### Slack chats', report.style.slack, styleLines))
  lines.push('## Safety: the request check (core deliberator)', '')
  lines.push(...section('### XSTest', report.safety.xstest, safetyLines))
  lines.push(...section('### JailbreakBench', report.safety.jailbreakbench, safetyLines))
  lines.push(...section('## Indirect prompt injection (BIPIA, Tensor Trust)', report.injection, injectionLines))
  const usage = Object.entries(report.usage)
  if (usage.length) {
    lines.push('## Model calls', '', ...table(['purpose', 'calls', 'failed', 'prompt tokens', 'completion tokens'], usage.map(([purpose, each]) => [purpose, each.calls, each.failures, each.promptTokens, each.completionTokens])), '')
  }
  if (report.notes.length) lines.push('## Notes', '', ...report.notes.map((note) => `- ${note}`), '')
  return lines.join('\n')
}
