// Forget means gone on disk too (DESIGN §4): after forget, opt-out and a retention sweep, the raw bytes of every
// SQLite file of the store (main file, -wal, -shm, -journal) hold none of the member's text, nor their id.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { actorFor, adminMember, createTestCore, enableWorkspace, memberA, memberB, message, workspace, type TestCore } from '../testing/support/test-core.js'

let directory: string
let test: TestCore
let now: number
beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'hyperalign-on-disk-'))
  now = Date.now()
  test = await createTestCore({ storeUrl: `sqlite://${join(directory, 'store.sqlite')}`, server: { handler: scriptedHandler({}) }, clock: () => now })
  await enableWorkspace(test.core)
  await test.core.setConsent(actorFor(memberA), memberA, true)
  await test.core.setConsent(actorFor(memberB), memberB, true)
})
afterEach(async () => {
  await test.close()
  rmSync(directory, { recursive: true, force: true })
})

/** Distinctive, long and many: 120 messages of ~170 characters, each carrying the marker. */
const marker = 'quokka-bismuth'
const distinctiveTexts = (tag: string) =>
  Array.from(
    { length: 120 },
    (_, index) =>
      `${marker}-${tag} ${index}: the lantern protocol keeps drifting past the heron marsh, so I rerouted the zeppelin ledger through vault ${index * 7} and told the ferry crew to wait`,
  )

/** Occurrences of each needle in the raw bytes of every file of the store's directory, by file. */
function rawHits(needles: string[]): Record<string, number> {
  const hits: Record<string, number> = {}
  for (const name of readdirSync(directory)) {
    const bytes = readFileSync(join(directory, name))
    for (const needle of needles) {
      const pattern = Buffer.from(needle, 'utf8')
      let count = 0
      for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + 1)) count += 1
      if (count > 0) hits[`${name} ${needle}`] = count
    }
  }
  return hits
}

async function observeMany(texts: string[], member = memberA) {
  for (const text of texts) expect((await test.core.observe(message(member, text))).status).toBe('stored')
}

describe('erasing leaves no bytes behind in the SQLite files', () => {
  it('after forget, no byte of the member’s text or user id is left in any SQLite file (main, -wal, -shm, journal)', async () => {
    await observeMany(distinctiveTexts('forget'))
    await observeMany(distinctiveTexts('other').map((text) => text.replace(marker, 'colleague')), memberB)
    await test.core.learn(actorFor(memberA), memberA)
    expect((await test.core.draft({ actor: actorFor(memberA), intent: `tell them ${marker} is rerouted` })).status).toBe('drafted')
    // The test means something only if the files held the text before.
    expect(Object.keys(rawHits([marker, memberA.userId])).length).toBeGreaterThan(0)

    await test.core.forget(actorFor(memberA), memberA)

    expect(rawHits([marker, memberA.userId])).toEqual({})
    // The other member is untouched.
    expect((await test.core.profile(actorFor(memberB), memberB)).historySize).toBe(120)
  })

  it('after opt-out, no byte of the member’s text or user id is left in any SQLite file', async () => {
    await observeMany(distinctiveTexts('optout'))
    await observeMany(distinctiveTexts('other').map((text) => text.replace(marker, 'colleague')), memberB)
    await test.core.learn(actorFor(memberA), memberA)
    expect(Object.keys(rawHits([marker, memberA.userId])).length).toBeGreaterThan(0)

    const outcome = await test.core.setConsent(actorFor(memberA), memberA, false)
    expect(outcome.erased?.messages).toBe(120)

    expect(rawHits([marker, memberA.userId])).toEqual({})
  })

  it('after a retention sweep, no byte of the expired messages is left in any SQLite file', async () => {
    await test.core.admin.setRetentionDays(actorFor(adminMember, true), workspace, 7)
    await observeMany(distinctiveTexts('expired'))
    await test.core.learn(actorFor(memberA), memberA)
    expect(Object.keys(rawHits([marker])).length).toBeGreaterThan(0)

    now += 8 * 86_400_000
    await observeMany(Array.from({ length: 30 }, (_, index) => `fresh message ${index} after the retention period`))
    expect(await test.lifecycle.sweep()).toMatchObject({ messagesRemoved: 120 })

    expect(rawHits([marker])).toEqual({})
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(30)
  })
})
