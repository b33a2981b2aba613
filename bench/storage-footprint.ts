// Benchmark of scale: bytes stored per member (every collection scanned, each entry's JSON attributed to its member)
// and process RSS after loading many members through the real observe path, next to the raw message bytes and the
// RSS before loading, in the same process. Measures only; never changes the core.
import { existsSync, statSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { memberChildKey, memberKey } from '../src/core/identity/keys.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { decodeStyleProfile, encodeStyleProfile, storedStyleProfileSchema } from '../src/core/style/stored-style-profile.js'
import type { Store } from '../src/store/store.js'
import { z } from 'zod'
import { addToStyleProfile, emptyStyleProfile } from '../src/core/style/style-profile.js'
import type { MemberRef } from '../src/core/types.js'
import type { BotCore } from '../src/core/bot-core.js'
import { sqliteFilePath } from '../src/store/sqlite-backend.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { createBenchCore, enableWorkspace, optIn, selfActor } from './bench-core.js'
import { benchStoreLocation, uniqueBenchWorkspace } from './bench-store.js'
import { messagesFor, type CorpusMessage } from './chat-corpus.js'
import { createTimedStore, type TimedStore } from './timed-store.js'
import { ratio, round } from './observe-throughput.js'

export type StorageFootprintReport = {
  benchmark: 'storage-footprint'
  store: 'sqlite'
  members: number
  messagesPerMember: number
  textSource: string
  load: { milliseconds: number; messagesPerSecond: number; concurrency: number }
  /** Mean JSON bytes of everything stored about one member, in total and by collection. */
  bytesPerMember: { total: number; byCollection: Record<string, number> }
  /** Of those, everything but the message rows and their index: what is derived from the messages. */
  derivedBytesPerMember: number
  /**
   * The same for the one member whose learning job ran (the others are never calibrated here), and what it was in
   * the previous layout: n-gram counts not deflated, and a calibration record that also held a copy of the other
   * members' counts (encoded as that version did, from the same messages).
   */
  calibratedMember: { derivedBytes: number; previousLayoutDerivedBytes: number; previousLayoutCopyBytes: number; byCollection: Record<string, number> }
  /** The workspace's style population, stored once for all members (part of `workspaceBytes`). */
  workspaceStyleBytes: number
  /** Mean JSON bytes of the member's messages as raw rows (what any store of the messages needs). */
  rawMessageBytesPerMember: number
  bytesRatio: number
  /** Entries not about one member (policy, counters, audit), in total. */
  workspaceBytes: number
  /** Size of the SQLite file and its write-ahead log per member. */
  fileBytesPerMember: number
  rss: { beforeMb: number; peakDuringLoadMb: number; afterMb: number; afterGcMb: number; ratio: number }
  /**
   * One member's learning job (fake model) with only that member's messages loaded, and with every member's; the
   * store operations that took longest in the second.
   */
  learnJobMs: { withOneMember: number; withAllMembers: number; ratio: number; breakdown: { collection: string; operation: string; calls: number; totalMs: number }[] }
  heapUsed: { beforeMb: number; afterGcMb: number }
}

export type StorageFootprintOptions = { members: number; messagesPerMember: number; texts: string[]; textSource: string; concurrency?: number }

/** The collections that hold the messages themselves (rows and the platform-message index). */
const messageCollections = new Set(['history', 'message-owner'])

const megabytes = (bytes: number) => round(bytes / 1_048_576, 1)

export async function runStorageFootprintBenchmark(options: StorageFootprintOptions): Promise<StorageFootprintReport> {
  const concurrency = options.concurrency ?? 8
  const location = benchStoreLocation('sqlite', { TEST_REDIS_URL: '', TEST_POSTGRES_URL: '' })
  const workspace = uniqueBenchWorkspace('memory')
  const timedStore = { current: undefined as TimedStore | undefined }
  const bench = await createBenchCore({ storeUrl: location.url, server: { handler: scriptedHandler({}) }, wrapStore: (store) => (timedStore.current = createTimedStore(store)).store })
  try {
    const members: MemberRef[] = Array.from({ length: options.members }, (_, index) => ({ ...workspace, userId: `U00BENCHM${String(index + 1).padStart(5, '0')}` }))
    // Each member gets its own window of the texts, so members differ the way real ones do.
    const perMember = members.map((member, index) => {
      const offset = (index * options.messagesPerMember) % Math.max(1, options.texts.length)
      const texts = Array.from({ length: options.messagesPerMember }, (_, each) => options.texts[(offset + each) % options.texts.length]!)
      return messagesFor({ workspace, userId: member.userId }, texts, options.messagesPerMember, { idPrefix: `m${index + 1}` })
    })
    collectGarbage()
    const before = process.memoryUsage()
    await enableWorkspace(bench.core, workspace)
    await optIn(bench.core, workspace, members.map((member) => member.userId))
    // A learning job reads every opted-in member's style record (the population its score is calibrated against):
    // timed with one member's data loaded, and again with every member's.
    const first = members[0]!
    for (const message of perMember[0]!) await bench.core.observe(message)
    const learnWithOne = await timeLearn(bench.core, first)
    const peak = samplePeakRss()
    const started = performance.now()
    let next = 1
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < perMember.length) for (const message of perMember[next++]!) await bench.core.observe(message)
      }),
    )
    const milliseconds = performance.now() - started
    const peakRss = peak.stop()
    const after = process.memoryUsage()
    collectGarbage()
    const afterGc = process.memoryUsage()
    timedStore.current!.reset()
    const learnWithAll = await timeLearn(bench.core, first)
    const learnBreakdown = timedStore.current!.timings().slice(0, 5).map((each) => ({ collection: each.collection, operation: each.operation, calls: each.calls, totalMs: round(each.totalMs, 0) }))

    // Style counts are written behind the history: measured as they are once every fold has run.
    await bench.lifecycle.flushStyle()
    const bytes = await attributeBytes(bench.rawStore.scan(), members)
    const calibrated = await attributeBytes(bench.rawStore.scan(), [first])
    const workspaceStyleBytes = await collectionBytes(bench.rawStore.scan(), 'workspace-style')
    const previousCopyBytes = previousCalibrationCopyBytes(perMember.slice(1).flat(), await collectionBytes(bench.rawStore.scan(), 'style', memberChildKey(first, 'calibration')))
    const previousProfileBytes = await previousStyleRecordExtraBytes(bench.rawStore, first)
    const calibratedDerived = derivedBytes(calibrated.perMember.byCollection)
    const rawBytes = perMember.reduce((sum, messages) => sum + rawRowBytes(messages), 0) / Math.max(1, members.length)
    const file = sqliteFilePath(location.url)
    const fileBytes = [file, `${file}-wal`].reduce((sum, path) => sum + (existsSync(path) ? statSync(path).size : 0), 0)
    const total = options.members * options.messagesPerMember
    return {
      benchmark: 'storage-footprint',
      store: 'sqlite',
      members: options.members,
      messagesPerMember: options.messagesPerMember,
      textSource: options.textSource,
      load: { milliseconds: round(milliseconds, 0), messagesPerSecond: round(((total - options.messagesPerMember) / milliseconds) * 1000, 1), concurrency },
      learnJobMs: { withOneMember: round(learnWithOne, 0), withAllMembers: round(learnWithAll, 0), ratio: ratio(learnWithAll, learnWithOne), breakdown: learnBreakdown },
      bytesPerMember: bytes.perMember,
      derivedBytesPerMember: derivedBytes(bytes.perMember.byCollection),
      calibratedMember: { derivedBytes: calibratedDerived, previousLayoutDerivedBytes: calibratedDerived + previousProfileBytes + previousCopyBytes, previousLayoutCopyBytes: previousCopyBytes, byCollection: calibrated.perMember.byCollection },
      workspaceStyleBytes,
      rawMessageBytesPerMember: round(rawBytes, 0),
      bytesRatio: ratio(bytes.perMember.total, rawBytes),
      workspaceBytes: bytes.workspace,
      fileBytesPerMember: round(fileBytes / Math.max(1, options.members), 0),
      rss: { beforeMb: megabytes(before.rss), peakDuringLoadMb: megabytes(peakRss), afterMb: megabytes(after.rss), afterGcMb: megabytes(afterGc.rss), ratio: ratio(afterGc.rss, before.rss) },
      heapUsed: { beforeMb: megabytes(before.heapUsed), afterGcMb: megabytes(afterGc.heapUsed) },
    }
  } finally {
    await bench.close()
    location.dispose()
  }
}

const derivedBytes = (byCollection: Record<string, number>) => round(Object.entries(byCollection).reduce((sum, [name, size]) => sum + (messageCollections.has(name) ? 0 : size), 0), 0)

/** JSON bytes of one collection's entries (or of the one entry `key`). */
async function collectionBytes(entries: AsyncIterable<{ collection: string; key: string; value: unknown }>, collection: string, key?: string): Promise<number> {
  let bytes = 0
  for await (const entry of entries) if (entry.collection === collection && (key === undefined || entry.key === key)) bytes += Buffer.byteLength(JSON.stringify(entry.value) ?? '')
  return bytes
}

/**
 * How many more bytes the member's calibration record took in the previous layout: the other members' counts
 * (`encodeStyleProfile` of their summed profiles, version 2, here rebuilt from their messages) beside the calibration.
 */
function previousCalibrationCopyBytes(othersMessages: CorpusMessage[], calibrationRecordBytes: number): number {
  if (!calibrationRecordBytes) return 0
  const others = emptyStyleProfile()
  for (const message of othersMessages) {
    const text = normalizeMarkup(message.text, message.workspace.platform)
    if (text.trim()) addToStyleProfile(others, text)
  }
  return Buffer.byteLength(`,"others":${JSON.stringify(encodeStyleProfile(others, 2))}`)
}

/** How many more bytes the member's style record took in the previous layout, whose n-gram counts were not deflated. */
async function previousStyleRecordExtraBytes(store: Store, member: MemberRef): Promise<number> {
  const record = await store.collection('style', z.object({ profile: storedStyleProfileSchema, covered: z.number() })).get(memberKey(member))
  const profile = record && decodeStyleProfile(record.profile)
  if (!record || !profile) return 0
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value))
  return size({ ...record, profile: encodeStyleProfile(profile, 2) }) - size(record)
}

/** JSON bytes of every entry, attributed to a member by its key (or, for the message index, by its value). */
export async function attributeBytes(entries: AsyncIterable<{ collection: string; key: string; value: unknown }>, members: MemberRef[]) {
  const keys = new Map(members.map((member) => [memberKey(member), member.userId]))
  const userIds = new Set(keys.values())
  const byCollection: Record<string, number> = {}
  let workspace = 0
  for await (const entry of entries) {
    const size = Buffer.byteLength(JSON.stringify(entry.value) ?? '')
    const owner = ownerOf(entry.key, entry.value, keys, userIds)
    if (owner === undefined) {
      workspace += size
      continue
    }
    byCollection[entry.collection] = (byCollection[entry.collection] ?? 0) + size
  }
  const count = Math.max(1, members.length)
  const perCollection = Object.fromEntries(Object.entries(byCollection).map(([name, size]) => [name, round(size / count, 0)]))
  const total = Object.values(byCollection).reduce((sum, size) => sum + size, 0)
  return { perMember: { total: round(total / count, 0), byCollection: perCollection }, workspace }
}

/** Member keys start with `v1:<platform>:<workspace>:<user>`; the message index names its author in the value. */
function ownerOf(key: string, value: unknown, members: Map<string, string>, userIds: Set<string>): string | undefined {
  const candidate = key.split(':').slice(0, 4).join(':')
  if (members.has(candidate)) return members.get(candidate)
  const userId = (value as { userId?: unknown } | undefined)?.userId
  return typeof userId === 'string' && userIds.has(userId) ? userId : undefined
}

async function timeLearn(core: BotCore, member: MemberRef): Promise<number> {
  const started = performance.now()
  await core.learn(selfActor(member), member)
  return performance.now() - started
}

function rawRowBytes(messages: CorpusMessage[]): number {
  return messages.reduce((sum, message) => {
    const row = { id: message.messageId, channelId: message.channelId, channelKind: message.channelKind, text: normalizeMarkup(message.text, message.workspace.platform), timestamp: message.timestamp, storedAt: message.timestamp }
    return sum + Buffer.byteLength(JSON.stringify(row))
  }, 0)
}

/** Samples resident memory while loading; the figure after loading alone would hide the high-water mark. */
function samplePeakRss() {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 50)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

let gc: (() => void) | undefined
/** A full collection before reading memory, so figures compare live data, not garbage awaiting collection. */
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as () => void
  }
  gc()
}
