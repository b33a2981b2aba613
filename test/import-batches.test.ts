// Imports observe a batch at a time. Whatever the batching, the store must end as the live path leaves it (message by
// message), re-importing adds nothing, two importers on one shared store store each message once, and a process that
// stops mid-import loses no batch it reported done; importing the file again completes it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { storedProfileFromMessages } from '../src/core/records/member-style-store.js'
import type { ImportRequest, MemberRef, ObservedMessage } from '../src/core/types.js'
import type { Store } from '../src/store/store.js'
import { failingStore, InjectedStoreFailure, type StoreWrite } from '../testing/support/failing-store.js'
import { actorFor, createTestCore, enableWorkspace, workspace, type TestCore } from '../testing/support/test-core.js'

const cores: TestCore[] = []
const directories: string[] = []
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const now = Date.now()
const clock = () => now
/** Small batches, so a few hundred messages cross several. */
const importBatchSize = 100
// The stopped-import tests' batch: large enough that each of the three members passes the size from which style counts
// are stored (member-style-store.ts) by the second batch, so the fold after the last batch writes the style record.
const crashBatchSize = 3 * Math.ceil(storedProfileFromMessages / 2) + 3
const admin = actorFor({ ...workspace, userId: 'U00FAKEADMIN' }, true)
const sampleTexts = readFileSync('examples/sample-conversation.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { text: string }).text)
const userIds = ['U00IMPORT01', 'U00IMPORT02', 'U00IMPORT03']

/** `count` messages by three members, interleaved, with varied texts (and a few the observe path refuses). */
function exportOf(count: number): ObservedMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    kind: 'created' as const,
    workspace,
    userId: index % 97 === 5 ? 'U00NOTNAMED' : userIds[index % userIds.length]!,
    channelId: index % 2 ? 'C00GENERAL' : 'C00RANDOM',
    channelKind: 'public' as const,
    messageId: `${1_700_000_000 + index}.000100`,
    text: index % 101 === 7 ? '   ' : `${sampleTexts[index % sampleTexts.length]} (${index % 13})`,
    markup: 'slack' as const,
    timestamp: 1_700_000_000_000 + index * 1000,
  }))
}

const importRequest = (messages: ObservedMessage[], onProgress?: ImportRequest['onProgress']): ImportRequest => ({ actor: admin, messages, consentingUserIds: userIds, onProgress })

/**
 * What observing leaves in the store about members: history pages, the author index, style counts, learning state.
 * (Not the calibrations and example pools, which an import refreshes once it is complete and observing never writes.)
 */
async function observedState(store: Store) {
  const entries: Record<string, unknown> = {}
  for await (const entry of store.scan()) {
    if (!['history', 'message-owner', 'style', 'learning'].includes(entry.collection) || entry.key.endsWith(':calibration') || entry.key.endsWith(':pool') || entry.key === 'layout') continue
    entries[`${entry.collection} ${entry.key}`] = entry.value
  }
  return entries
}

async function core(settings: Record<string, string>, options: { storeUrl?: string; wrapStore?: (store: Store) => Store } = {}) {
  const test = await createTestCore({ settings, clock, ...options })
  cores.push(test)
  await enableWorkspace(test.core)
  return test
}

function sqliteUrl() {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-import-'))
  directories.push(directory)
  return `sqlite://${join(directory, 'store.sqlite')}`
}

const member = (userId: string): MemberRef => ({ ...workspace, userId })
// Small enough that the history drops pages during the import, as a long export does.
const settings = { HISTORY_MAX_MESSAGES: '150', IMPORT_BATCH_MESSAGES: String(importBatchSize) }

describe('imports in batches', () => {
  it('leave the store as observing each message live does, over batches and past the history bound', { timeout: 300_000 }, async () => {
    const messages = exportOf(importBatchSize * 5 + 37)
    const imported = await core(settings)
    const report = await imported.core.admin.importMessages(importRequest(messages))

    const live = await core(settings)
    for (const userId of userIds) await live.core.setConsent(actorFor(member(userId)), member(userId), true)
    const outcomes = []
    for (const each of messages) outcomes.push(await live.core.observe(each))
    // The live path stores style counts behind the history; an import folds them once, after its last batch.
    await live.lifecycle.flushStyle()

    expect(report.stored).toBe(outcomes.filter((outcome) => outcome.status === 'stored').length)
    const notNamed = messages.filter((each) => each.userId === 'U00NOTNAMED')
    expect(report.ignoredBy).toEqual({ not_opted_in: notNamed.length, empty: messages.filter((each) => !each.text!.trim() && !notNamed.includes(each)).length })
    expect(Object.keys(await observedState(imported.store)).length).toBeGreaterThan(20)
    expect(await observedState(imported.store)).toEqual(await observedState(live.store))
  })

  it('add nothing when the same file is imported again', async () => {
    const messages = exportOf(importBatchSize * 3 + 50)
    const test = await core(settings)
    const first = await test.core.admin.importMessages(importRequest(messages))
    const before = await observedState(test.store)
    const again = await test.core.admin.importMessages(importRequest(messages))
    expect(again.stored).toBe(0)
    expect(again.ignoredBy.duplicate).toBe(first.stored)
    expect(await observedState(test.store)).toEqual(before)
  })

  it('store each message once when two processes import the same file into one shared store at once', async () => {
    const messages = exportOf(importBatchSize * 4 + 20)
    const { TEST_REDIS_URL } = loadConfig()
    const [left, right] = [await core(settings, { storeUrl: TEST_REDIS_URL }), await core(settings, { storeUrl: TEST_REDIS_URL })]
    await left!.store.clear()
    await enableWorkspace(left!.core)
    const reports = await Promise.all([left!.core.admin.importMessages(importRequest(messages)), right!.core.admin.importMessages(importRequest(messages))])
    const shared = await observedState(left!.store)
    await left!.store.clear()

    const alone = await core(settings)
    const single = await alone.core.admin.importMessages(importRequest(messages))
    expect(reports[0]!.stored + reports[1]!.stored).toBe(single.stored)
    expect(shared).toEqual(await observedState(alone.store))
  })

  // Each stage stops in the second batch (the first one reported), but the style count: it is written once, after the
  // last batch (all three reported).
  it.each<[string, (write: StoreWrite) => boolean, number, number]>([
    ['claiming the batch', (write) => write.collection === 'message-owner' && write.operation === 'setManyIfAbsent', 2, 1],
    ['writing the rows', (write) => write.collection === 'history' && write.operation === 'setMany', 2, 1],
    ['indexing the appended messages', (write) => write.collection === 'message-owner' && write.operation === 'setMany', 2, 1],
    ['counting the style', (write) => write.collection === 'style' && write.operation === 'set', 3, 3],
    ['updating the learning state', (write) => write.collection === 'learning' && write.operation === 'set', 2, 1],
  ])('lose no reported batch when the process stops while %s, and complete on a second import', async (_stage, stage, stopBatch, reportedBatches) => {
    const messages = exportOf(crashBatchSize * 3)
    const url = sqliteUrl()
    // Stops at the chosen write once the chosen batch has taken its claims.
    let batches = 0
    let stopped = false
    // Under the history bound, so everything reported must still be there.
    const crashing = await core({ IMPORT_BATCH_MESSAGES: String(crashBatchSize) }, {
      storeUrl: url,
      wrapStore: (store) =>
        failingStore(store, (write) => {
          if (write.collection === 'message-owner' && write.operation === 'setManyIfAbsent') batches += 1
          stopped ||= batches === stopBatch && stage(write)
          return stopped
        }),
    })
    let reported = 0
    await expect(crashing.core.admin.importMessages(importRequest(messages, (done, _total, what) => what === 'messages' && (reported = done)))).rejects.toThrow(InjectedStoreFailure)
    expect(reported).toBe(crashBatchSize * reportedBatches)
    await crashing.close()
    cores.splice(cores.indexOf(crashing), 1)

    const restarted = await core({ IMPORT_BATCH_MESSAGES: String(crashBatchSize) }, { storeUrl: url })
    const appended = new Set<string>()
    for await (const entry of restarted.store.scan()) {
      if (entry.collection === 'message-owner' && ((entry.value as { seq?: number }).seq ?? 0) >= 1) appended.add(entry.key)
    }
    const reportedBatch = messages.slice(0, reported).filter((each) => !each.userId!.startsWith('U00NOT') && each.text?.trim())
    expect(reportedBatch.filter((each) => ![...appended].some((key) => key.endsWith(encodeURIComponent(each.messageId))))).toEqual([])

    const second = await restarted.core.admin.importMessages(importRequest(messages))
    // Stopped in the fold, every message was stored: the second import only folds the counts.
    if (reported < messages.length) expect(second.stored).toBeGreaterThan(0)
    else expect(second.stored).toBe(0)
    const clean = await core({ IMPORT_BATCH_MESSAGES: String(crashBatchSize) })
    await clean.core.admin.importMessages(importRequest(messages))
    // A batch stopped after taking its numbers leaves a gap in them (numbers are never reused, so a live message can
    // take one meanwhile without a lock): the same messages and counts, numbered from a little further on.
    expect(renumbered(await observedState(restarted.store))).toEqual(renumbered(await observedState(clean.store)))
  })
})

/** The observed state without the rows' numbers: rows by message, author entries and style counts without ranges. */
function renumbered(state: Record<string, unknown>) {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(state)) {
    if (key.startsWith('history ') && /:row:\d+$/.test(key)) {
      const { seq: _seq, ...row } = value as { seq: number; channelId: string; id: string }
      result[`history row ${row.channelId} ${row.id}`] = row
    } else if (key.startsWith('message-owner ')) {
      const { seq, ...owner } = value as { seq?: number }
      result[key] = { ...owner, appended: (seq ?? 0) > 0 }
    } else if (key.startsWith('style ')) {
      const { covered: _covered, from: _from, ...counts } = value as { covered: number; from: number }
      result[key] = counts
    } else result[key] = value
  }
  return result
}
