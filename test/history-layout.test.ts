// The history as one row per message: a store left by the earlier page layout is moved over at startup with nothing
// lost (rows, numbers, author index, counts); the style fold counts rows out as they leave the bound and deletes
// them only then, so a process stopped in between counts nothing twice; and the observe path's policy is reused for
// POLICY_CACHE_MS at most, while consent is checked on every message.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { afterEach, describe, expect, it } from 'vitest'
import { memberChildKey, memberKey, workspaceChildKey } from '../src/core/identity/keys.js'
import { addToStyleProfile, emptyStyleProfile } from '../src/core/style/style-profile.js'
import { summarizeStyle } from '../src/core/style/summarize-style.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'
import { failingStore } from '../testing/support/failing-store.js'
import { actorFor, createTestCore, enableWorkspace, memberA, message, workspace, type TestCore } from '../testing/support/test-core.js'

const cores: TestCore[] = []
const directories: string[] = []
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function sqliteUrl() {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-layout-'))
  directories.push(directory)
  return `sqlite://${join(directory, 'store.sqlite')}`
}

async function core(settings: Record<string, string>, options: { storeUrl?: string; wrapStore?: (store: Store) => Store; styleWriteBehind?: { flushIntervalMs: number } } = {}) {
  const test = await createTestCore({ settings, ...options })
  cores.push(test)
  return test
}

const rowsOf = async (store: Store) => {
  const rows: Record<string, { id: string; text: string; seq: number }> = {}
  for await (const entry of store.scan()) if (entry.collection === 'history' && /:row:\d+$/.test(entry.key)) rows[entry.key] = entry.value as { id: string; text: string; seq: number }
  return rows
}

describe('the history layout', () => {
  it('moves a history of the earlier page layout to one row per message at startup, losing nothing', async () => {
    const url = sqliteUrl()
    const legacy = await openStore(url)
    const now = Date.now()
    const row = (index: number, seq?: number) => ({ id: `1700000000.${String(index).padStart(6, '0')}`, channelId: 'C00FAKECHAN1', channelKind: 'public', text: `legacy message number ${index}, kept as written`, timestamp: now - 100_000 + index, storedAt: now - 1000, ...(seq ? { seq } : {}) })
    // Two pages: the first from before rows were numbered, the second numbered 3 and 4; the index says 4 appended.
    const pages = [[row(1), row(2)], [row(3, 3), row(4, 4)]]
    const history = legacy.collection('history', z.any())
    const owners = legacy.collection('message-owner', z.any())
    await history.set(memberChildKey(memberA, 'meta'), { pages: pages.map((messages, number) => ({ number, size: messages.length })), nextPage: 2, count: 4, appended: 4 })
    for (const [number, messages] of pages.entries()) {
      await history.set(memberChildKey(memberA, 'page', number), { messages })
      for (const each of messages) await owners.set(workspaceChildKey(memberA, each.channelId, each.id), { userId: memberA.userId, page: number })
    }
    await legacy.collection('consent', z.any()).set(memberKey(memberA), { optedIn: true, at: now, by: memberA, via: 'self', policyVersion: '2026-11-v1' })
    await legacy.close()

    const test = await core({}, { storeUrl: url })
    await enableWorkspace(test.core)
    const rows = await rowsOf(test.store)
    // Numbered rows keep their numbers; the earlier ones get the next, after everything ever appended.
    expect(Object.values(rows).map((each) => [each.id, each.seq]).sort()).toEqual([
      [row(1).id, 5],
      [row(2).id, 6],
      [row(3).id, 3],
      [row(4).id, 4],
    ])
    const left = []
    for await (const entry of test.store.scan()) if (entry.collection === 'history' && /:(meta|page:\d+)$/.test(entry.key)) left.push(entry.key)
    expect(left).toEqual([])
    // The author index points at the rows: an edit and a deletion of migrated messages are mirrored.
    expect(await test.core.observe({ ...message(memberA, 'edited after the move'), kind: 'edited', messageId: row(2).id })).toEqual({ status: 'updated' })
    expect(await test.core.observe({ ...message(memberA, ''), kind: 'deleted', messageId: row(3).id })).toEqual({ status: 'deleted' })
    // A message already stored is a duplicate; a new one is numbered after every migrated row.
    expect(await test.core.observe({ ...message(memberA, 'again'), messageId: row(1).id })).toEqual({ status: 'ignored', reason: 'duplicate' })
    expect((await test.core.observe(message(memberA, 'the first message after the move'))).status).toBe('stored')
    const after = Object.values(await rowsOf(test.store))
    expect(after.map((each) => each.seq).sort()).toEqual([4, 5, 6, 7])
    expect(after.find((each) => each.id === row(2).id)?.text).toBe('edited after the move')
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(4)

    // A second startup finds nothing left to move.
    await test.close()
    cores.splice(cores.indexOf(test), 1)
    const again = await core({}, { storeUrl: url })
    expect(Object.values(await rowsOf(again.store)).length).toBe(4)
  })

  it('counts rows out of the style record as they leave the bound, and a process stopped before deleting them counts nothing twice', async () => {
    const url = sqliteUrl()
    const settings = { HISTORY_MAX_MESSAGES: '120' }
    const texts = Array.from({ length: 260 }, (_, index) => `message ${index}: ${index % 3 ? 'ok, will do' : 'Thanks!! See you tomorrow :)'} ${'x'.repeat(index % 7)}`)
    let stopped = false
    const crashing = await core(settings, { storeUrl: url, styleWriteBehind: { flushIntervalMs: 3_600_000 }, wrapStore: (store) => failingStore(store, (write) => (stopped ||= write.collection === 'history' && write.operation === 'deleteMany')) })
    await enableWorkspace(crashing.core)
    await crashing.core.setConsent(actorFor(memberA), memberA, true)
    // The fold after the 150th message stores the counts of the newest 120 and then stops before deleting the 30 older
    // (a failed fold is logged, not the message's failure: the message is stored).
    for (const text of texts.slice(0, 150)) expect((await crashing.core.observe(message(memberA, text))).status).toBe('stored')
    expect(stopped).toBe(true)
    expect(Object.keys(await rowsOf(crashing.store)).length).toBe(150)
    await crashing.close()
    cores.splice(cores.indexOf(crashing), 1)

    const restarted = await core(settings, { storeUrl: url })
    for (const text of texts.slice(150)) await restarted.core.observe(message(memberA, text))
    await restarted.lifecycle.flushStyle()
    const rows = Object.values(await rowsOf(restarted.store))
    // Only the newest 120 rows are left, and the stored counts are exactly theirs.
    expect(rows.map((each) => each.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, index) => 141 + index))
    const expected = rows.reduce((profile, each) => addToStyleProfile(profile, each.text), emptyStyleProfile())
    expect((await restarted.core.profile(actorFor(memberA), memberA)).attributes).toEqual(summarizeStyle(expected))
  })

  it('reuses a workspace policy for POLICY_CACHE_MS on the observe path, applies this process’s changes at once, and checks consent on every message', async () => {
    const url = sqliteUrl()
    const clockless = { POLICY_CACHE_MS: '60000' }
    const first = await core(clockless, { storeUrl: url })
    await enableWorkspace(first.core)
    await first.core.setConsent(actorFor(memberA), memberA, true)
    expect((await first.core.observe(message(memberA, 'stored while learning is on'))).status).toBe('stored')
    // Switched off through this process: at once.
    const admin = actorFor({ ...workspace, userId: 'U00FAKEADMIN' }, true)
    await first.core.admin.setEnabled(admin, workspace, false)
    expect(await first.core.observe(message(memberA, 'not stored'))).toEqual({ status: 'ignored', reason: 'bot_disabled' })
    await first.core.admin.setEnabled(admin, workspace, true)
    expect((await first.core.observe(message(memberA, 'stored again'))).status).toBe('stored')
    // Opted out: the very next message is refused, whatever the policy cache holds.
    await first.core.setConsent(actorFor(memberA), memberA, false)
    expect(await first.core.observe(message(memberA, 'after opting out'))).toEqual({ status: 'ignored', reason: 'not_opted_in' })
    expect(Object.keys(await rowsOf(first.store))).toEqual([])
  })

  it('applies a policy change made through another process within POLICY_CACHE_MS', async () => {
    const url = sqliteUrl()
    const settings = { POLICY_CACHE_MS: '300' }
    const [here, there] = [await core(settings, { storeUrl: url }), await core(settings, { storeUrl: url })]
    await enableWorkspace(here.core)
    await here.core.setConsent(actorFor(memberA), memberA, true)
    expect((await here.core.observe(message(memberA, 'read the policy once'))).status).toBe('stored')
    await there.core.admin.setEnabled(actorFor({ ...workspace, userId: 'U00FAKEADMIN' }, true), workspace, false)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await here.core.observe(message(memberA, 'after the other process switched it off'))).toEqual({ status: 'ignored', reason: 'bot_disabled' })
  })
})
