// The member's stored style record: sparse counts that score exactly as the dense profile (on real chats), a record
// of an older layout rebuilt from the history on every store, and the write-behind fold: a process stopped before it
// loses nothing and counts nothing twice, forget leaves nothing pending, nothing is stored before opt-in.
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { chatRowSchema, readJsonLines } from '../eval/chat-corpus.js'
import { memberKey } from '../src/core/identity/keys.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { decodeCompressedCounts, decodeSparseCounts, encodeCompressedCounts, encodeSparseCounts } from '../src/core/style/sparse-counts.js'
import { deflateRawSync } from 'node:zlib'
import { decodeStyleProfile, encodeStyleProfile, storedStyleProfileSchema } from '../src/core/style/stored-style-profile.js'
import { computeStyleCalibration, defaultStyleCalibration, rawStyleMatch } from '../src/core/style/style-calibration.js'
import { addToStyleProfile, emptyStyleProfile, mergeStyleProfile, type StyleProfile } from '../src/core/style/style-profile.js'
import { summarizeStyle } from '../src/core/style/summarize-style.js'
import { sqliteFilePath } from '../src/store/sqlite-backend.js'
import type { MemberRef } from '../src/core/types.js'
import { countingStore, type StoreRead } from '../testing/support/counting-store.js'
import { isolatedPostgresUrl, isolatedRedisUrl } from '../testing/support/isolated-databases.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { evaluationData, requires } from '../testing/support/test-prerequisites.js'
import { actorFor, createTestCore, dumpStore, enableWorkspace, memberA, memberB, message, type TestCore } from '../testing/support/test-core.js'

const chatFile = 'chat/slack-software-help.dev.jsonl'
const data = evaluationData([chatFile])
const opened: TestCore[] = []
afterAll(async () => {
  for (const each of opened) await each.close().catch(() => {})
})

const profileOf = (texts: string[]) => texts.reduce((profile, text) => addToStyleProfile(profile, text), emptyStyleProfile())
const roundTrip = (profile: StyleProfile) => decodeStyleProfile(storedStyleProfileSchema.parse(JSON.parse(JSON.stringify(encodeStyleProfile(profile)))))!
/** Distinct texts with habits that move the measured attributes (case, punctuation, greetings, length). */
const textsOf = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => (index % 3 === 0 ? `hey ${prefix} ${index}, the deploy is green!` : index % 3 === 1 ? `${prefix} number ${index} looks fine` : `Thanks — ${prefix} ${index} is merged. Cheers`))
const storedRecord = (test: TestCore, member: MemberRef) =>
  test.store.collection('style', z.object({ profile: storedStyleProfileSchema, covered: z.number(), from: z.number() })).get(memberKey(member))
const attributesOf = async (test: TestCore, member: MemberRef) => (await test.core.profile(actorFor(member), member)).attributes

describe('sparse style counts', () => {
  it('score, calibrate and summarise exactly as the dense profile on real chats', requires(data), () => {
    const rows = readJsonLines(`${data.directory}/${chatFile}`, chatRowSchema, 'chat corpus').slice(0, 6000)
    const byMember = new Map<string, string[]>()
    for (const row of rows) {
      const text = normalizeMarkup(row.text, 'slack')
      if (text) byMember.set(row.user, [...(byMember.get(row.user) ?? []), text])
    }
    const members = [...byMember.values()].filter((texts) => texts.length >= 40).slice(0, 5)
    expect(members.length).toBeGreaterThanOrEqual(4)
    const trained = members.map((texts) => ({ profile: profileOf(texts.slice(0, -10)), heldOut: texts.slice(-10) }))
    const population = trained.reduce((total, each) => mergeStyleProfile(total, each.profile), emptyStyleProfile())
    const storedPopulation = roundTrip(population)
    expect(storedPopulation).toEqual(population)
    for (const [index, member] of trained.entries()) {
      const stored = roundTrip(member.profile)
      expect(stored).toEqual(member.profile)
      expect(summarizeStyle(stored)).toEqual(summarizeStyle(member.profile))
      const others = trained.filter((_, other) => other !== index).flatMap((each) => each.heldOut)
      for (const text of [...member.heldOut, ...others.slice(0, 20)]) {
        expect(rawStyleMatch(text, stored, storedPopulation)).toBe(rawStyleMatch(text, member.profile, population))
      }
      expect(rawStyleMatch(member.heldOut, stored, storedPopulation)).toBe(rawStyleMatch(member.heldOut, member.profile, population))
      expect(defaultStyleCalibration(stored, storedPopulation)).toEqual(defaultStyleCalibration(member.profile, population))
      const input = { ownTexts: member.heldOut, otherTexts: others.slice(0, 10), ownTextsIncluded: false, otherTextsIncluded: false }
      expect(computeStyleCalibration({ ...input, profile: stored, population: storedPopulation })).toEqual(computeStyleCalibration({ ...input, profile: member.profile, population }))
      // Sparse is the point: fewer bytes than the 30,056 dense cells.
      expect(JSON.stringify(encodeStyleProfile(member.profile)).length).toBeLessThan(JSON.stringify(member.profile).length)
    }
  })

  it('refuse an encoding that is not one: an index past the layout, a zero count, text that is not base64', () => {
    const counts = [0, 3, 0, 0, 200_000, 1]
    expect(decodeSparseCounts(encodeSparseCounts(counts), counts.length)).toEqual(counts)
    expect(encodeSparseCounts([0, 0, 0])).toBe('')
    expect(decodeSparseCounts('', 4)).toEqual([0, 0, 0, 0])
    expect(decodeSparseCounts(encodeSparseCounts(counts), 5)).toBeUndefined()
    expect(decodeSparseCounts(Buffer.from([0, 0]).toString('base64'), 4)).toBeUndefined()
    expect(decodeSparseCounts('not base64!', 4)).toBeUndefined()
    expect(decodeSparseCounts(Buffer.from([0, 0x80]).toString('base64'), 4)).toBeUndefined()
    const profile = profileOf(['hello there', 'ok'])
    const stored = encodeStyleProfile(profile)
    expect(decodeStyleProfile({ ...stored, grams: stored.grams.map((view, index) => (index === 0 ? encodeSparseCounts(new Array(5000).fill(1)) : view)) })).toBeUndefined()
    expect(decodeStyleProfile({ ...stored, counters: { words: 1 } })).toBeUndefined()
    // The dense layout of earlier versions does not pass for the sparse one.
    expect(storedStyleProfileSchema.safeParse(profile).success).toBe(false)
  })

  it('deflated: the same counts; refused when not an encoding of ours, however large it inflates', () => {
    const counts = [0, 3, 0, 0, 200_000, 1]
    expect(decodeCompressedCounts(encodeCompressedCounts(counts), counts.length)).toEqual(counts)
    expect(encodeCompressedCounts([0, 0, 0])).toBe('')
    expect(decodeCompressedCounts('', 4)).toEqual([0, 0, 0, 0])
    expect(decodeCompressedCounts(encodeCompressedCounts(counts), 5)).toBeUndefined()
    expect(decodeCompressedCounts(encodeSparseCounts(counts), counts.length)).toBeUndefined()
    expect(decodeCompressedCounts('not base64!', 4)).toBeUndefined()
    expect(decodeCompressedCounts(deflateRawSync(Buffer.from([0, 0])).toString('base64'), 4)).toBeUndefined()
    expect(decodeCompressedCounts(deflateRawSync(Buffer.alloc(10_000_000, 0x80)).toString('base64'), 4)).toBeUndefined()
  })

  it('a record of the undeflated layout (version 2) is read as the same profile; version 3 takes about half the bytes', requires(data), () => {
    const rows = readJsonLines(`${data.directory}/${chatFile}`, chatRowSchema, 'chat corpus').slice(0, 2000)
    const profile = profileOf(rows.map((row) => normalizeMarkup(row.text, 'slack')).filter((text) => text.trim()))
    const earlier = storedStyleProfileSchema.parse(JSON.parse(JSON.stringify(encodeStyleProfile(profile, 2))))
    expect(earlier.version).toBe(2)
    expect(decodeStyleProfile(earlier)).toEqual(profile)
    expect(roundTrip(profile)).toEqual(profile)
    expect(JSON.stringify(encodeStyleProfile(profile)).length).toBeLessThan(0.6 * JSON.stringify(earlier).length)
  })
})

const stores = {
  sqlite: async () => undefined,
  redis: async () => isolatedRedisUrl(13),
  postgres: async () => isolatedPostgresUrl('style_record'),
}

describe.each(Object.keys(stores) as (keyof typeof stores)[])('a style record of the earlier dense layout in a %s store', (kind) => {
  it('counts as missing: the profile is rebuilt from the history, never a crash, and stored sparse at the next fold', async () => {
    const test = await createTestCore({ storeUrl: await stores[kind](), server: { handler: scriptedHandler({}) }, styleWriteBehind: { flushIntervalMs: 3_600_000 } })
    opened.push(test)
    await test.store.clear()
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    const texts = textsOf(120, 'layout')
    for (const text of texts) await test.core.observe(message(memberA, text))
    // What an earlier version left: the dense profile of some of the messages, in the old record shape.
    await test.store.collection('style', z.unknown()).set(memberKey(memberA), { profile: profileOf(texts.slice(0, 7)) })
    expect(await attributesOf(test, memberA)).toEqual(summarizeStyle(profileOf(texts)))
    const more = textsOf(50, 'after')
    for (const text of more) await test.core.observe(message(memberA, text))
    await test.lifecycle.flushStyle()
    const record = await storedRecord(test, memberA)
    expect(record?.covered).toBe(170)
    expect(decodeStyleProfile(record!.profile)).toEqual(profileOf([...texts, ...more]))
    await test.store.clear()
  })

  it('a record of the undeflated layout is read as it is, and deflated by the next fold', async () => {
    const test = await createTestCore({ storeUrl: await stores[kind](), server: { handler: scriptedHandler({}) }, styleWriteBehind: { flushIntervalMs: 3_600_000 } })
    opened.push(test)
    await test.store.clear()
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    const texts = textsOf(150, 'undeflated')
    for (const text of texts) await test.core.observe(message(memberA, text))
    await test.lifecycle.flushStyle()
    const written = await storedRecord(test, memberA)
    expect(written?.profile.version).toBe(3)
    // As the previous version wrote it, but with the counts of 120 of the messages, so a rebuild would show.
    await test.store.collection('style', z.unknown()).set(memberKey(memberA), { profile: encodeStyleProfile(profileOf(texts.slice(0, 120)), 2), covered: written!.covered, from: written!.from })
    expect(await attributesOf(test, memberA)).toEqual(summarizeStyle(profileOf(texts.slice(0, 120))))
    const more = textsOf(3, 'later')
    for (const text of more) await test.core.observe(message(memberA, text))
    await test.lifecycle.flushStyle()
    const record = await storedRecord(test, memberA)
    expect(record?.profile.version).toBe(3)
    expect(decodeStyleProfile(record!.profile)).toEqual(profileOf([...texts.slice(0, 120), ...more]))
    await test.store.clear()
  })
})

describe('write-behind style counts', () => {
  it('a process stopped before its fold loses nothing and counts nothing twice', async () => {
    const first = await createTestCore({ server: { handler: scriptedHandler({}) }, styleWriteBehind: { flushIntervalMs: 3_600_000 } })
    await enableWorkspace(first.core)
    await first.core.setConsent(actorFor(memberA), memberA, true)
    const sent = textsOf(130, 'crash').map((text) => message(memberA, text))
    for (const each of sent) await first.core.observe(each)
    // Rows 1-100 are folded (every 50 rows); 101-130 wait. One covered and one waiting row are edited, one waiting
    // row is deleted, so the next reader must apply each exactly once.
    await first.core.observe({ ...sent[9]!, kind: 'edited', text: 'edited while covered' })
    await first.core.observe({ ...sent[124]!, kind: 'edited', text: 'edited while waiting' })
    await first.core.observe({ ...sent[119]!, kind: 'deleted', text: undefined })
    expect((await storedRecord(first, memberA))?.covered).toBe(100)
    // The process dies: its connection goes, its lifecycle never closes, so nothing pending is folded.
    const storeUrl = first.config.STORE_URL
    await first.store.close()
    await first.server.close()

    const second = await createTestCore({ storeUrl, server: { handler: scriptedHandler({}) } })
    opened.push(second)
    const expected = sent.map((each, index) => (index === 9 ? 'edited while covered' : index === 124 ? 'edited while waiting' : each.text)).filter((_, index) => index !== 119)
    expect(await attributesOf(second, memberA)).toEqual(summarizeStyle(profileOf(expected)))
    const later = textsOf(20, 'restarted')
    for (const text of later) await second.core.observe(message(memberA, text))
    await second.lifecycle.flushStyle()
    const record = await storedRecord(second, memberA)
    expect(record?.covered).toBe(150)
    expect(decodeStyleProfile(record!.profile)).toEqual(profileOf([...expected, ...later]))
    // Folding again (another process, a timer) changes nothing.
    await second.lifecycle.flushStyle()
    expect(await storedRecord(second, memberA)).toEqual(record)
    rmSync(dirname(sqliteFilePath(storeUrl)), { recursive: true, force: true })
  })

  it('forget leaves no pending fold that could bring the counts back', async () => {
    const test = await createTestCore({ server: { handler: scriptedHandler({}) }, styleWriteBehind: { flushIntervalMs: 3_600_000 } })
    opened.push(test)
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    await test.core.setConsent(actorFor(memberB), memberB, true)
    for (const text of textsOf(130, 'forgotten')) await test.core.observe(message(memberA, text))
    for (const text of textsOf(3, 'kept')) await test.core.observe(message(memberB, text))
    await test.core.forget(actorFor(memberA), memberA)
    await test.lifecycle.flushStyle()
    await test.lifecycle.close()
    const remaining = (await dumpStore(test.store)).join('\n')
    expect(remaining).not.toContain(memberA.userId)
    expect(remaining).not.toContain('forgotten')
    expect(remaining).toContain('kept')
  })

  it('observing a message reads neither the style record nor the learning record (until a fold is due)', async () => {
    let reads: StoreRead[] = []
    const test = await createTestCore({
      server: { handler: scriptedHandler({}) },
      styleWriteBehind: { flushIntervalMs: 3_600_000 },
      wrapStore(store) {
        const counting = countingStore(store)
        reads = counting.reads
        return counting.store
      },
    })
    opened.push(test)
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    for (const text of textsOf(5, 'warm')) await test.core.observe(message(memberA, text))
    reads.length = 0
    for (const text of textsOf(40, 'hot path')) await test.core.observe(message(memberA, text))
    expect(reads.filter((read) => read.collection === 'style' || read.collection === 'learning')).toEqual([])
    expect((await test.core.profile(actorFor(memberA), memberA)).learning.newMessagesSinceLearn).toBe(45)
  })

  it('stores nothing about a member before opt-in, folded or not', async () => {
    const test = await createTestCore({ server: { handler: scriptedHandler({}) } })
    opened.push(test)
    await enableWorkspace(test.core)
    const before = await dumpStore(test.store)
    for (const text of textsOf(120, 'unconsented')) await test.core.observe(message(memberA, text))
    await test.lifecycle.flushStyle()
    expect(await dumpStore(test.store)).toEqual(before)
  })
})
