// Benchmark of the observe path: messages per second through `core.observe` into a real store (members opted in
// first, attributes updated per message), next to raw writes of the same rows through the same Store API, with a
// breakdown of where the time goes per collection operation. Measures only; never changes the core.
import { memberChildKey, memberKey } from '../src/core/identity/keys.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { addToStyleProfile, emptyStyleProfile, styleProfileSchema } from '../src/core/style/style-profile.js'
import { decodeStyleProfile, encodeStyleProfile, storedStyleProfileSchema } from '../src/core/style/stored-style-profile.js'
import type { MemberRef, WorkspaceRef } from '../src/core/types.js'
import type { BotCore } from '../src/core/bot-core.js'
import type { Store, StoreKind } from '../src/store/store.js'
import { z } from 'zod'
import { createBenchCore, enableWorkspace, optIn, selfActor } from './bench-core.js'
import { benchStoreLocation, eraseWorkspace, uniqueBenchWorkspace } from './bench-store.js'
import type { CorpusMessage } from './chat-corpus.js'
import { withLegacyMemberRecords } from './legacy-member-records.js'
import { createTimedStore, type OperationTiming, type TimedStore } from './timed-store.js'

/**
 * `cpuMicroseconds`: the process's CPU time over the run (every thread: SQLite's statements run on libuv's pool).
 * Against the raw sets' it tells the process's own work from the time spent waiting on the store.
 */
export type ThroughputRun = { messages: number; stored: number; milliseconds: number; messagesPerSecond: number; cpuMicroseconds: number }

/** CPU microseconds per message of a run. */
export const cpuPerMessage = (run: ThroughputRun) => round(run.cpuMicroseconds / Math.max(1, run.messages), 1)

export type OperationShare = { collection: string; operation: string; calls: number; meanMs: number; shareOfTime: number }

export type ObserveThroughputReport = {
  benchmark: 'observe-throughput'
  store: StoreKind
  corpus: string
  members: number
  /**
   * One message at a time, as from one event stream; `legacy` is the same messages through the earlier member-record
   * layout (dense style record and learning state rewritten per message, see legacy-member-records.ts).
   */
  sequential: { observe: ThroughputRun; legacy: ThroughputRun; rawWrites: ThroughputRun; ratio: number; legacyRatio: number }
  /** `concurrency` messages in flight, as Slack and Discord deliver events. */
  concurrent: { concurrency: number; observe: ThroughputRun; legacy: ThroughputRun; rawWrites: ThroughputRun; ratio: number; legacyRatio: number }
  /** The same path for members whose style is calibrated (the stored style record then also holds the population). */
  afterLearning: { members: number; learnJobMs: { mean: number; max: number }; observe: ThroughputRun; ratioToBeforeLearning: number; breakdown: OperationShare[] }
  /** Where the sequential observe run spent its wall time, by store operation (includes (de)serialisation and validation). */
  breakdown: OperationShare[]
  /** In-process costs on the most active learned member's style record, to tell store round trips from (de)serialisation. */
  styleRecord: {
    bytes: number
    denseBytes: number
    messages: number
    addMessageMs: number
    jsonStringifyMs: number
    jsonParseMs: number
    /** JSON.parse, the schema check and decoding to the in-memory profile. */
    schemaParseMs: number
    storeGetMs: number
    storeSetMs: number
    denseStoreGetMs: number
    denseStoreSetMs: number
  }
}

export type ObserveThroughputOptions = {
  messages: CorpusMessage[]
  corpusLabel: string
  storeKind?: StoreKind
  storeUrls: { TEST_REDIS_URL: string; TEST_POSTGRES_URL: string }
  /** Messages replayed one at a time (the same count again with concurrency). */
  count: number
  concurrency?: number
  /** Members learned before the after-learning replay, and messages replayed for them. */
  learnedMembers?: number
  afterLearningCount?: number
}

export async function runObserveThroughputBenchmark(options: ObserveThroughputOptions): Promise<ObserveThroughputReport> {
  const kind = options.storeKind ?? 'sqlite'
  const concurrency = options.concurrency ?? 8
  const location = benchStoreLocation(kind, options.storeUrls)
  const workspace = kind === 'sqlite' ? options.messages[0]?.workspace ?? uniqueBenchWorkspace('observe') : uniqueBenchWorkspace('observe')
  const messages = options.messages.map((message) => ({ ...message, workspace }))
  const sequentialSlice = messages.slice(0, options.count)
  const concurrentSlice = messages.slice(options.count, options.count * 2)
  const timedStore = { current: undefined as ReturnType<typeof createTimedStore> | undefined }
  // The style folds observe leaves pending run when each measured run ends, counted in its time (see `interleaved`):
  // a timer firing in the middle would charge them to whichever run happened to be going.
  const bench = await createBenchCore({ storeUrl: location.url, wrapStore: (store) => (timedStore.current = createTimedStore(store)).store, styleWriteBehind: { flushIntervalMs: 3_600_000 } })
  const flush = () => bench.lifecycle.flushStyle()
  // The baseline writes into the same store under a workspace of its own: a second store on the same PostgreSQL URL
  // would share (and, when closed, end) the connection pool of the first.
  const rawStore = bench.rawStore
  const rawWorkspace = uniqueBenchWorkspace('raw')
  // The earlier layout stores the same messages again, under a workspace of its own.
  const legacyWorkspace = uniqueBenchWorkspace('legacy')
  const legacyObserve = withLegacyMemberRecords(rawStore, (message) => bench.core.observe(message))
  const inLegacy = (message: CorpusMessage) => legacyObserve({ ...message, workspace: legacyWorkspace })
  try {
    for (const target of [workspace, legacyWorkspace]) {
      await enableWorkspace(bench.core, target)
      await optIn(bench.core, target, new Set(messages.map((message) => message.userId)))
    }
    const timings = timedStore.current!
    timings.reset()
    const observe = (message: CorpusMessage) => bench.core.observe(message)
    const raw = rawWriter(rawStore, rawWorkspace)
    // The raw baseline writes through the store as opened, not the timed one: the breakdown is observe's alone.
    const { first: sequential, second: rawSequential } = await interleaved(sequentialSlice, 1, observe, raw, flush)
    const breakdown = shares(timings.timings(), sequential.milliseconds)
    const legacySequential = await replay(sequentialSlice, 1, inLegacy, flush)
    const { first: concurrent, second: rawConcurrent } = await interleaved(concurrentSlice, concurrency, observe, raw, flush)
    const legacyConcurrent = await replay(concurrentSlice, concurrency, inLegacy, flush)

    const afterLearning = await measureAfterLearning(bench.core, timings, flush, workspace, messages.slice(0, options.count * 2), messages.slice(options.count * 2), options.learnedMembers ?? 10, options.afterLearningCount ?? 300)
    const styleRecord = await measureStyleRecord(bench.rawStore, { ...workspace, userId: afterLearning.largestMember }, messages)
    if (kind !== 'sqlite') {
      await eraseWorkspace(bench.rawStore, workspace)
      await eraseWorkspace(bench.rawStore, rawWorkspace)
      await eraseWorkspace(bench.rawStore, legacyWorkspace)
    }
    return {
      benchmark: 'observe-throughput',
      store: kind,
      corpus: options.corpusLabel,
      members: new Set(messages.slice(0, options.count * 2).map((message) => message.userId)).size,
      sequential: {
        observe: sequential,
        legacy: legacySequential,
        rawWrites: rawSequential,
        ratio: ratio(sequential.messagesPerSecond, rawSequential.messagesPerSecond),
        legacyRatio: ratio(legacySequential.messagesPerSecond, rawSequential.messagesPerSecond),
      },
      concurrent: {
        concurrency,
        observe: concurrent,
        legacy: legacyConcurrent,
        rawWrites: rawConcurrent,
        ratio: ratio(concurrent.messagesPerSecond, rawConcurrent.messagesPerSecond),
        legacyRatio: ratio(legacyConcurrent.messagesPerSecond, rawConcurrent.messagesPerSecond),
      },
      afterLearning: { members: afterLearning.members, learnJobMs: afterLearning.learnJobMs, observe: afterLearning.observe, breakdown: afterLearning.breakdown, ratioToBeforeLearning: ratio(afterLearning.observe.messagesPerSecond, sequential.messagesPerSecond) },
      breakdown,
      styleRecord,
    }
  } finally {
    await bench.close()
    location.dispose()
  }
}

/**
 * Two handlers over the same messages in alternating chunks, the order swapped every round, so the noise of a shared
 * machine falls on both alike. `after` (the first handler's pending work, done at the end as a coalescing timer would
 * do it once per interval) is counted in the first handler's time.
 */
export async function interleaved(
  messages: CorpusMessage[],
  concurrency: number,
  first: (message: CorpusMessage) => Promise<unknown>,
  second: (message: CorpusMessage) => Promise<unknown>,
  after: () => Promise<void>,
  rounds = 10,
): Promise<{ first: ThroughputRun; second: ThroughputRun }> {
  const size = Math.ceil(messages.length / rounds)
  const runs: { first: ThroughputRun[]; second: ThroughputRun[] } = { first: [], second: [] }
  for (let index = 0; index * size < messages.length; index++) {
    const chunk = messages.slice(index * size, (index + 1) * size)
    const order = index % 2 === 0 ? (['first', 'second'] as const) : (['second', 'first'] as const)
    for (const which of order) runs[which].push(await replay(chunk, concurrency, which === 'first' ? first : second))
  }
  const started = performance.now()
  const cpu = process.cpuUsage()
  await after()
  runs.first.push({ messages: 0, stored: 0, milliseconds: performance.now() - started, messagesPerSecond: 0, cpuMicroseconds: cpuMicroseconds(cpu) })
  const total = (parts: ThroughputRun[]): ThroughputRun => {
    const milliseconds = parts.reduce((sum, part) => sum + part.milliseconds, 0)
    const count = parts.reduce((sum, part) => sum + part.messages, 0)
    return { messages: count, stored: parts.reduce((sum, part) => sum + part.stored, 0), milliseconds: round(milliseconds, 1), messagesPerSecond: round((count / milliseconds) * 1000, 1), cpuMicroseconds: parts.reduce((sum, part) => sum + part.cpuMicroseconds, 0) }
  }
  return { first: total(runs.first), second: total(runs.second) }
}

/** Observes `messages` with up to `concurrency` in flight, in arrival order; `after` (pending work) is timed with them. */
export async function replay(messages: CorpusMessage[], concurrency: number, handle: (message: CorpusMessage) => Promise<unknown>, after?: () => Promise<void>): Promise<ThroughputRun> {
  let next = 0
  let stored = 0
  const started = performance.now()
  const cpu = process.cpuUsage()
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < messages.length) {
        const outcome = await handle(messages[next++]!)
        if (!outcome || (outcome as { status?: string }).status === 'stored') stored += 1
      }
    }),
  )
  await after?.()
  const milliseconds = performance.now() - started
  return { messages: messages.length, stored, milliseconds: round(milliseconds, 1), messagesPerSecond: round((messages.length / milliseconds) * 1000, 1), cpuMicroseconds: cpuMicroseconds(cpu) }
}

/** User and system CPU of the whole process since `since`, in microseconds. */
function cpuMicroseconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return used.user + used.system
}

const rawRowSchema = z.object({ id: z.string(), channelId: z.string(), channelKind: z.string(), text: z.string(), timestamp: z.number(), storedAt: z.number() })

/** The baseline: one `set` per message of the row the history keeps, into the history collection. */
function rawWriter(store: Store, workspace: WorkspaceRef) {
  const rows = store.collection('history', rawRowSchema)
  return async (message: CorpusMessage) => {
    const member: MemberRef = { ...workspace, userId: message.userId }
    const row = { id: message.messageId, channelId: message.channelId, channelKind: message.channelKind, text: normalizeMarkup(message.text, workspace.platform), timestamp: message.timestamp, storedAt: Date.now() }
    await rows.set(memberChildKey(member, 'raw', message.channelId, message.messageId), row)
    return undefined
  }
}

/** Learns the members with the most messages observed so far who write again later (timing each job), then replays their next messages. */
async function measureAfterLearning(core: BotCore, timings: TimedStore, flush: () => Promise<void>, workspace: WorkspaceRef, observed: CorpusMessage[], rest: CorpusMessage[], memberCount: number, count: number) {
  const later = new Set(rest.map((message) => message.userId))
  const active = new Map<string, number>()
  for (const message of observed) if (later.has(message.userId)) active.set(message.userId, (active.get(message.userId) ?? 0) + 1)
  const chosen = new Set([...active.entries()].sort((left, right) => right[1] - left[1]).slice(0, memberCount).map(([userId]) => userId))
  const durations: number[] = []
  for (const userId of chosen) {
    const member = { ...workspace, userId }
    const started = performance.now()
    try {
      await core.learn(selfActor(member), member)
    } catch {
      // A member with no history yet has nothing to learn from; only the timing of real jobs counts.
      continue
    }
    durations.push(performance.now() - started)
  }
  const slice = rest.filter((message) => chosen.has(message.userId)).slice(0, count)
  timings.reset()
  const observe = await replay(slice, 1, (message) => core.observe(message), flush)
  const mean = durations.length ? durations.reduce((sum, each) => sum + each, 0) / durations.length : 0
  return {
    members: durations.length,
    learnJobMs: { mean: round(mean, 1), max: round(Math.max(0, ...durations), 1) },
    observe,
    breakdown: shares(timings.timings(), observe.milliseconds),
    /** The most active learned member: the style record a busy, calibrated member reads and writes per message. */
    largestMember: [...chosen][0] ?? '',
  }
}

/**
 * Store round trip vs in-process (de)serialisation and validation, on one member's style record as stored now
 * (sparse; rebuilt here from their messages when too few were observed for one to be stored) and in the earlier
 * dense layout, side by side.
 */
async function measureStyleRecord(store: Store, member: MemberRef, messages: CorpusMessage[]) {
  const styles = store.collection('style', styleRecordShape)
  const dense = store.collection('style', z.object({ profile: styleProfileSchema }))
  const texts = messages.filter((message) => message.userId === member.userId).map((message) => normalizeMarkup(message.text, member.platform))
  const stored = await styles.get(memberKey(member))
  const profile = (stored && decodeStyleProfile(stored.profile)) ?? texts.reduce((each, text) => addToStyleProfile(each, text), emptyStyleProfile())
  const record = { profile: encodeStyleProfile(profile), covered: stored?.covered ?? 0 }
  const denseRecord = { profile }
  const text = JSON.stringify(record)
  const scratch = structuredClone(profile)
  const sample = texts.slice(0, 200)
  const addMessageMs = time(sample.length || 1, (index) => addToStyleProfile(scratch, sample[index % Math.max(1, sample.length)] ?? 'hello'))
  const probeKey = memberChildKey(member, 'bench-probe')
  const storeSetMs = await timeAsync(20, () => styles.set(probeKey, record))
  const storeGetMs = await timeAsync(20, () => styles.get(probeKey))
  const denseStoreSetMs = await timeAsync(20, () => dense.set(probeKey, denseRecord))
  const denseStoreGetMs = await timeAsync(20, () => dense.get(probeKey))
  await styles.delete(probeKey)
  return {
    bytes: Buffer.byteLength(text),
    denseBytes: Buffer.byteLength(JSON.stringify(denseRecord)),
    messages: profile.messages,
    addMessageMs,
    jsonStringifyMs: time(20, () => JSON.stringify(record)),
    jsonParseMs: time(20, () => JSON.parse(text)),
    schemaParseMs: time(20, () => decodeStyleProfile(styleRecordShape.parse(JSON.parse(text)).profile)),
    storeGetMs,
    storeSetMs,
    denseStoreGetMs,
    denseStoreSetMs,
  }
}

const styleRecordShape = z.object({ profile: storedStyleProfileSchema, covered: z.number() })

/** Each operation's share of the run's wall time; the rest is in-process work between store calls. */
function shares(timings: OperationTiming[], wallMs: number): OperationShare[] {
  const total = wallMs || 1
  return timings.map((each) => ({ collection: each.collection, operation: each.operation, calls: each.calls, meanMs: round(each.totalMs / each.calls, 3), shareOfTime: round(each.totalMs / total, 3) }))
}

function time(repeats: number, work: (index: number) => unknown): number {
  work(0)
  const started = performance.now()
  for (let index = 0; index < repeats; index++) work(index)
  return round((performance.now() - started) / repeats, 3)
}

async function timeAsync(repeats: number, work: () => Promise<unknown>): Promise<number> {
  await work()
  const started = performance.now()
  for (let index = 0; index < repeats; index++) await work()
  return round((performance.now() - started) / repeats, 3)
}

export function ratio(value: number, baseline: number): number {
  return baseline ? round(value / baseline, 3) : 0
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
