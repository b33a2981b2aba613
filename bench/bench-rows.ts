// Picks the headline figures of each part with their same-run baselines (rows), and renders the detail tables
// (where the observe path spends its time, cost per history size, the embedded model). Formatting only.
import { row, renderTable, type BenchRow } from './bench-table.js'
import type { CostReport, LearningCallsReport } from './cost-per-draft.js'
import type { DeliberationLatencyReport } from './deliberation-latency.js'
import type { DiscordDeferReport } from './discord-defer.js'
import type { LearningCostReport } from './learning-cost.js'
import { formatLocalDraftBenchTable, type LocalDraftBenchResult } from './local-drafts.js'
import { formatLocalModelBenchTable, type LocalModelBenchResult } from './local-model.js'
import type { ImportThroughputReport } from './import-throughput.js'
import { cpuPerMessage, type ObserveThroughputReport } from './observe-throughput.js'
import type { ScaleOutReport } from './scale-out.js'
import type { SlackAckReport } from './slack-ack.js'
import type { StorageFootprintReport } from './storage-footprint.js'

export type BenchParts = {
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

/** Model calls of the naive baseline: one prompt, no safety check. */
const naiveCallsPerDraft = 1

export function rowsFor(parts: BenchParts): BenchRow[] {
  const rows: BenchRow[] = []
  const { slack, discord, cost, memory, local } = parts
  if (slack) {
    const modelTime = 3 * slack.modelDelayMs
    rows.push(
      row('slack', `/draft ack p50, ${slack.concurrency} concurrent`, slack.adapter.p50Ms, 'ms', 'bare Bolt app, ack only', slack.bareBolt.p50Ms, 'lower'),
      row('slack', `/draft ack p99, ${slack.concurrency} concurrent`, slack.adapter.p99Ms, 'ms', 'bare Bolt app, ack only', slack.bareBolt.p99Ms, 'lower'),
      row('slack', 'draft delivered p50 (3 model calls)', slack.adapterDraft.p50Ms, 'ms', `3 × model delay ${slack.modelDelayMs} ms`, modelTime, 'lower'),
    )
  }
  if (discord) {
    rows.push(
      row('discord', `/ask deferral p50, ${discord.concurrency} concurrent`, discord.adapter.p50Ms, 'ms', 'bare discord.js client, defer only', discord.bareClient.p50Ms, 'lower'),
      row('discord', `/ask deferral p99, ${discord.concurrency} concurrent`, discord.adapter.p99Ms, 'ms', 'bare discord.js client, defer only', discord.bareClient.p99Ms, 'lower'),
      row('discord', `/ask deferral p50, ${discord.concurrency} concurrent`, discord.adapter.p50Ms, 'ms', `bare client, rounds ${seconds(discord.pauseMs)} apart as the adapter's`, discord.bareClientAfterPause.p50Ms, 'lower'),
      row('discord', `/ask deferral p99, ${discord.concurrency} concurrent`, discord.adapter.p99Ms, 'ms', `bare client, rounds ${seconds(discord.pauseMs)} apart as the adapter's`, discord.bareClientAfterPause.p99Ms, 'lower'),
      row('discord', 'answer delivered p50 (3 model calls)', discord.adapterAnswer.p50Ms, 'ms', `3 × model delay ${discord.modelDelayMs} ms`, 3 * discord.modelDelayMs, 'lower'),
    )
  }
  for (const observe of parts.observe ?? []) {
    const store = observe.store
    rows.push(
      row('observe', `observe, one at a time (${store})`, observe.sequential.observe.messagesPerSecond, 'msg/s', `raw set per message (${store})`, observe.sequential.rawWrites.messagesPerSecond, 'higher'),
      row('observe', `observe, ${observe.concurrent.concurrency} in flight (${store})`, observe.concurrent.observe.messagesPerSecond, 'msg/s', `raw set, ${observe.concurrent.concurrency} in flight (${store})`, observe.concurrent.rawWrites.messagesPerSecond, 'higher'),
      row('observe', `process CPU per message, ${observe.concurrent.concurrency} in flight (${store})`, cpuPerMessage(observe.concurrent.observe), 'µs', `raw set, ${observe.concurrent.concurrency} in flight (${store})`, cpuPerMessage(observe.concurrent.rawWrites), 'lower'),
      row('observe', `earlier record layout, one at a time (${store})`, observe.sequential.legacy.messagesPerSecond, 'msg/s', `raw set per message (${store})`, observe.sequential.rawWrites.messagesPerSecond, 'higher'),
      row('observe', `earlier record layout, ${observe.concurrent.concurrency} in flight (${store})`, observe.concurrent.legacy.messagesPerSecond, 'msg/s', `raw set, ${observe.concurrent.concurrency} in flight (${store})`, observe.concurrent.rawWrites.messagesPerSecond, 'higher'),
      row('observe', `observe after learning (${store})`, observe.afterLearning.observe.messagesPerSecond, 'msg/s', 'observe before learning', observe.sequential.observe.messagesPerSecond, 'higher'),
      row('observe', `style record read, sparse ${kilobytes(observe.styleRecord.bytes)} (${store})`, observe.styleRecord.storeGetMs, 'ms', `the same counts dense, ${kilobytes(observe.styleRecord.denseBytes)}`, observe.styleRecord.denseStoreGetMs, 'lower'),
      row('observe', `style record write, sparse ${kilobytes(observe.styleRecord.bytes)} (${store})`, observe.styleRecord.storeSetMs, 'ms', `the same counts dense, ${kilobytes(observe.styleRecord.denseBytes)}`, observe.styleRecord.denseStoreSetMs, 'lower'),
    )
  }
  const imported = parts.import
  if (imported) {
    const lines = imported.lines.toLocaleString('en-US')
    const { streaming, wholeFile } = imported
    rows.push(
      row('import', `import, ${lines}-line JSONL export, streamed (sqlite, read + store)`, streaming.messagesPerSecond, 'msg/s', 'the same, whole file read first', wholeFile.messagesPerSecond, 'higher'),
      row('import', `import, streamed`, streaming.messagesPerSecond, 'msg/s', `per-message observe path, first ${imported.perMessage.messages.toLocaleString('en-US')} messages`, imported.perMessage.messagesPerSecond, 'higher'),
      row('import', `peak RSS during the import, streamed (${imported.members} members)`, streaming.rss.peakMb, 'MB', 'the same, whole file read first', wholeFile.rss.peakMb, 'lower'),
    )
  }
  if (cost) {
    for (const size of cost.perDraft.sizes) {
      const label = `${size.historySize.toLocaleString('en-US')} msgs`
      rows.push(
        row('cost', `draft prompt tokens, all calls (${label})`, size.draft.promptTokens, 'tok', `naive: last ${size.naiveDraft.messagesInPrompt} msgs in prompt`, size.naiveDraft.promptTokens, 'lower'),
        row('cost', `draft compose-call prompt tokens (${label})`, size.draft.composePromptTokens, 'tok', `naive: last ${size.naiveDraft.messagesInPrompt} msgs in prompt`, size.naiveDraft.promptTokens, 'lower'),
        row('cost', `draft prompt characters sent (${label})`, size.draft.promptCharacters, 'chars', `naive: last ${size.naiveDraft.messagesInPrompt} msgs in prompt`, size.naiveDraft.promptCharacters, 'lower'),
        row('cost', `answer prompt tokens, all calls (${label})`, size.answer.promptTokens, 'tok', `naive: last ${size.naiveAnswer.messagesInPrompt} msgs in prompt`, size.naiveAnswer.promptTokens, 'lower'),
      )
    }
    const first = cost.perDraft.sizes[0]
    if (first) {
      rows.push(
        row('cost', 'model calls per draft', first.draft.calls, 'calls', 'naive: one call, no safety check', naiveCallsPerDraft, 'lower'),
        row('cost', 'model calls per draft, DRAFT_CANDIDATES=3', first.draftBestOfThree.calls, 'calls', 'naive: one call, no safety check', naiveCallsPerDraft, 'lower'),
        row('cost', 'model calls per answer', first.answer.calls, 'calls', 'naive: one call, no safety check', naiveCallsPerDraft, 'lower'),
        row('cost', 'safety prompt tokens per draft, both checks (spec per stage, analysis first)', first.draft.safety.promptTokens, 'tok', 'before the split: whole spec in both checks', first.draft.safety.beforeSplitPromptTokens, 'lower'),
      )
    }
    const learning = cost.learning
    rows.push(
      row('cost', `learning calls per 100 msgs (every ${learning.settings.minNewMessages} new, ≥${learning.settings.minIntervalMinutes} min apart)`, learning.perHundredMessages, 'calls', `count-only trigger (every ${learning.settings.minNewMessages} new)`, learning.countOnly.perHundredMessages, 'lower'),
    )
  }
  if (parts.learning) {
    const { off, on, onWithEdits, settings } = parts.learning
    const tokens = (cost: typeof off) => cost.promptTokens + cost.completionTokens
    const check = `check on (LEARNING_VERIFY_MESSAGES=${settings.verifyMessages})`
    rows.push(
      row('learning', `model calls per learning run, ${check}`, on.calls, 'calls', 'check off (=0, as before)', off.calls, 'lower'),
      row('learning', `tokens per learning run, ${check}`, tokens(on), 'tok', 'check off (=0, as before)', tokens(off), 'lower'),
      row('learning', `tokens per learning run, ${check}, ${settings.editPairs} edited drafts in the prompt`, tokens(onWithEdits), 'tok', 'check off (=0, as before)', tokens(off), 'lower'),
    )
  }
  const safety = parts.safety
  if (safety) {
    const delay = `× model delay ${safety.modelDelayMs} ms`
    const { overlapped, sequential } = safety.multiples
    rows.push(
      row('safety', `draft delivered p50 (${delay})`, overlapped.draft, '×', 'sequential: check, compose, check', sequential.draft, 'lower'),
      row('safety', `draft delivered p50, DRAFT_CANDIDATES=3 (${delay})`, overlapped.draftBestOfThree, '×', 'sequential: check, 3 candidates, check', sequential.draftBestOfThree, 'lower'),
      row('safety', `answer delivered p50 (${delay})`, overlapped.answer, '×', 'sequential: check, compose, check', sequential.answer, 'lower'),
    )
  }
  if (memory) {
    rows.push(
      row('memory', `bytes stored per member (${memory.messagesPerMember} msgs)`, memory.bytesPerMember.total, 'B', 'raw message rows of the member', memory.rawMessageBytesPerMember, 'lower'),
      row('memory', `bytes derived from the messages per member (${memory.messagesPerMember} msgs)`, memory.derivedBytesPerMember, 'B', '64 KB bound', 65_536, 'lower'),
      row('memory', `bytes derived from the messages, the calibrated member (${memory.messagesPerMember} msgs)`, memory.calibratedMember.derivedBytes, 'B', '64 KB bound', 65_536, 'lower'),
      row('memory', `the same, previous layout (counts not deflated, colleagues' counts copied into the calibration record)`, memory.calibratedMember.previousLayoutDerivedBytes, 'B', '64 KB bound', 65_536, 'lower'),
      row('memory', `workspace style population, stored once (${memory.members.toLocaleString('en-US')} members)`, memory.workspaceStyleBytes, 'B', 'previous layout: one copy per calibrated member, all calibrated', memory.members * memory.calibratedMember.previousLayoutCopyBytes, 'lower'),
      row('memory', `RSS after loading ${memory.members.toLocaleString('en-US')} members (after GC)`, memory.rss.afterGcMb, 'MB', 'RSS before loading', memory.rss.beforeMb, 'lower'),
      row('memory', `peak RSS while loading ${memory.members.toLocaleString('en-US')} members`, memory.rss.peakDuringLoadMb, 'MB', 'RSS before loading', memory.rss.beforeMb, 'lower'),
      row('memory', `one learning job with ${memory.members.toLocaleString('en-US')} members loaded`, memory.learnJobMs.withAllMembers, 'ms', 'the same job with 1 member loaded', memory.learnJobMs.withOneMember, 'lower'),
      row('memory', `heap used after loading ${memory.members.toLocaleString('en-US')} members (after GC)`, memory.heapUsed.afterGcMb, 'MB', 'heap used before loading', memory.heapUsed.beforeMb, 'lower'),
    )
  }
  if (local && local.rows.length) {
    const [baseline, ...others] = local.rows
    const threads = (count: number) => `${count} thread${count === 1 ? '' : 's'}`
    for (const other of others.length ? others : [baseline!]) {
      rows.push(
        row('local', `${local.model} plain tok/s, ${threads(other.threads)}`, other.plainTokensPerSecond, 'tok/s', threads(baseline!.threads), baseline!.plainTokensPerSecond, 'higher'),
        row('local', `${local.model} grammar tok/s, ${threads(other.threads)}`, other.grammarTokensPerSecond, 'tok/s', threads(baseline!.threads), baseline!.grammarTokensPerSecond, 'higher'),
        row('local', `${local.model} load, ${threads(other.threads)}`, other.loadMs, 'ms', threads(baseline!.threads), baseline!.loadMs, 'lower'),
      )
    }
  }
  const cold = parts.localDrafts?.designs.find((each) => each.design === 'cold')
  for (const warm of parts.localDrafts?.designs.filter((each) => each.design === 'warm') ?? []) {
    if (!cold) break
    const where = `${parts.localDrafts!.model}, ${warm.drafts} drafts by different members, ${warm.sequences} sequence${warm.sequences === 1 ? '' : 's'}`
    const baseline = `cold: every sequence cleared after every call, ${cold.sequences} sequence${cold.sequences === 1 ? '' : 's'}`
    rows.push(
      row('local', `prompt tokens llama.cpp evaluates per draft, warm safety prompt (${where})`, warm.promptTokensPerDraft, 'tokens', baseline, cold.promptTokensPerDraft, 'lower'),
      row('local', `wall time per draft, warm safety prompt (${where})`, warm.msPerDraft, 'ms', baseline, cold.msPerDraft, 'lower'),
    )
  }
  const scale = parts.scale
  if (scale) {
    rows.push(
      row('scale', 'store round trips per model call, budget accounting (reserve + settle)', scale.roundTrips.perCallNew, 'trips', 'lease ledger: budget read + read-modify-write under leases', scale.roundTrips.perCallLeaseBaseline, 'lower'),
      row('scale', 'store round trips per model call, no budget set (settle only)', scale.roundTrips.perCallNewWithoutBudget, 'trips', 'lease ledger: budget read + read-modify-write under leases', scale.roundTrips.perCallLeaseBaseline, 'lower'),
      row('scale', `learning jobs/minute, 2 workers on one Redis (model ${scale.modelDelayMs} ms)`, scale.learning.twoWorkers.jobsPerMinute, 'jobs/min', '1 worker', scale.learning.oneWorker.jobsPerMinute, 'higher'),
      row('scale', `Slack /draft ack p99, 2 processes behind the proxy, ${scale.slackAck.concurrency} concurrent`, scale.slackAck.twoProcesses.p99Ms, 'ms', '1 process behind the proxy', scale.slackAck.oneProcess.p99Ms, 'lower'),
      row('scale', `Slack /draft ack p50, 2 processes behind the proxy, ${scale.slackAck.concurrency} concurrent`, scale.slackAck.twoProcesses.p50Ms, 'ms', '1 process behind the proxy', scale.slackAck.oneProcess.p50Ms, 'lower'),
    )
  }
  return rows
}

export function renderDetails(parts: BenchParts): string {
  const sections: string[] = []
  for (const observe of parts.observe ?? []) {
    const top = (list: ObserveThroughputReport['breakdown']) => list.slice(0, 8).map((each) => [`${each.collection} ${each.operation}`, each.calls, each.meanMs, `${Math.round(each.shareOfTime * 100)}%`])
    const record = observe.styleRecord
    sections.push(
      `## Where the observe path spends its time (${observe.store}, ${observe.sequential.observe.messages} messages, ${observe.members} members, one at a time)`,
      '',
      renderTable(['store operation', 'calls', 'mean ms', 'share of wall time'], top(observe.breakdown), ['left', 'right', 'right', 'right']),
      '',
      `After learning ${observe.afterLearning.members} members (learning job mean ${observe.afterLearning.learnJobMs.mean} ms, max ${observe.afterLearning.learnJobMs.max} ms), ${observe.afterLearning.observe.messages} of their messages:`,
      '',
      renderTable(['store operation', 'calls', 'mean ms', 'share of wall time'], top(observe.afterLearning.breakdown), ['left', 'right', 'right', 'right']),
      '',
      `Style record of the most active learned member: ${record.bytes.toLocaleString('en-US')} bytes sparse, ${record.denseBytes.toLocaleString('en-US')} dense (${record.messages} messages). In process: add one message ${record.addMessageMs} ms, ` +
        `JSON.stringify ${record.jsonStringifyMs} ms, JSON.parse ${record.jsonParseMs} ms, parse + schema check + decode ${record.schemaParseMs} ms; through the store: get ${record.storeGetMs} ms, set ${record.storeSetMs} ms (dense: get ${record.denseStoreGetMs} ms, set ${record.denseStoreSetMs} ms).`,
    )
  }
  if (parts.import) {
    const { streaming, wholeFile } = parts.import
    const describe = (run: typeof streaming, how: string) =>
      `${how}: read ${run.readMs} ms before the import, stored ${run.stored.toLocaleString('en-US')} of ${run.messages.toLocaleString('en-US')} messages in ${run.importMs} ms, then calibrated every member in ${run.calibrationMs} ms; RSS ${run.rss.beforeMb} MB at the start, ${run.rss.peakMb} MB at the peak.`
    sections.push(
      '',
      `## Import (${parts.import.lines.toLocaleString('en-US')} lines, ${parts.import.members} members)`,
      '',
      describe(streaming, 'Streamed (each import in a process of its own)'),
      describe(wholeFile, 'Whole file read first'),
      '',
      'Progress as the console prints it (streamed):',
      '',
      '```text',
      ...streaming.progress,
      '```',
    )
  }
  if (parts.cost) {
    const sizes = parts.cost.perDraft.sizes
    sections.push(
      '',
      `## Cost per draft and answer (${parts.cost.perDraft.tokenRule})`,
      '',
      renderTable(
        ['history', 'kept', 'draft calls', 'draft prompt tok', 'compose prompt tok', 'safety-check prompt tok', 'safety-check completion tok', 'draft completion tok', 'best-of-3 calls', 'best-of-3 prompt tok', 'answer prompt tok', 'answer completion tok', 'naive draft prompt tok', 'counts agree'],
        sizes.map((size) => [size.historySize, size.historyStored, size.draft.calls, size.draft.promptTokens, size.draft.composePromptTokens, size.draft.safety.promptTokens, size.draft.safety.completionTokens, size.draft.completionTokens, size.draftBestOfThree.calls, size.draftBestOfThree.promptTokens, size.answer.promptTokens, size.answer.completionTokens, size.naiveDraft.promptTokens, size.tokenCountsAgree ? 'yes' : 'NO']),
        ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
      ),
      '',
      `Learning: ${parts.cost.learning.learnCalls} learning calls for ${parts.cost.learning.messages} messages from ${parts.cost.learning.members} members replayed on their own timestamps ` +
        `(${parts.cost.learning.promptTokensPerCall} prompt tokens per call); ${parts.cost.learning.countOnly.learnCalls} with a count-only trigger.`,
    )
  }
  if (parts.learning) {
    const report = parts.learning
    const kinds = (cost: typeof report.off) => Object.entries(cost.callsByKind).map(([kind, count]) => `${kind} ${count}`).join(', ')
    sections.push(
      '',
      `## One learning run (${report.messages} messages of one member; ${report.tokenRule})`,
      '',
      renderTable(
        ['run', 'calls', 'calls by kind', 'messages checked', 'prompt tok', 'completion tok'],
        [
          ['check off (LEARNING_VERIFY_MESSAGES=0)', report.off.calls, kinds(report.off), report.off.checkedMessages, report.off.promptTokens, report.off.completionTokens],
          [`check on (${report.settings.verifyMessages} messages, cap ${report.settings.verifyRunTokens} tok)`, report.on.calls, kinds(report.on), report.on.checkedMessages, report.on.promptTokens, report.on.completionTokens],
          [`check on, ${report.settings.editPairs} edited drafts`, report.onWithEdits.calls, kinds(report.onWithEdits), report.onWithEdits.checkedMessages, report.onWithEdits.promptTokens, report.onWithEdits.completionTokens],
        ],
        ['left', 'right', 'left', 'right', 'right', 'right'],
      ),
    )
  }
  if (parts.memory) {
    const memory = parts.memory
    sections.push(
      '',
      `## Storage per member (${memory.members} members × ${memory.messagesPerMember} messages, loaded at ${memory.load.messagesPerSecond} msg/s with ${memory.load.concurrency} in flight)`,
      '',
      renderTable(['collection', 'bytes per member'], Object.entries(memory.bytesPerMember.byCollection).sort((left, right) => right[1] - left[1]), ['left', 'right']),
      '',
      `SQLite file and log: ${memory.fileBytesPerMember.toLocaleString('en-US')} bytes per member; workspace-level entries ${memory.workspaceBytes.toLocaleString('en-US')} bytes in total (of which the style population ${memory.workspaceStyleBytes.toLocaleString('en-US')}). ` +
        `RSS before loading ${memory.rss.beforeMb} MB, peak while loading ${memory.rss.peakDuringLoadMb} MB, right after loading ${memory.rss.afterMb} MB, after GC ${memory.rss.afterGcMb} MB.`,
      '',
      `One learning job: ${memory.learnJobMs.withOneMember} ms with 1 member loaded, ${memory.learnJobMs.withAllMembers} ms with ${memory.members} (longest store operations: ` +
        memory.learnJobMs.breakdown.map((each) => `${each.collection} ${each.operation} ×${each.calls} ${each.totalMs} ms`).join(', ') +
        ').',
    )
  }
  if (parts.local || parts.localDrafts) sections.push('', '## Embedded model')
  if (parts.local) sections.push('', formatLocalModelBenchTable(parts.local))
  if (parts.localDrafts) sections.push('', formatLocalDraftBenchTable(parts.localDrafts))
  return sections.join('\n').trim()
}

const kilobytes = (bytes: number) => `${Math.round(bytes / 1024)} KB`
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits
