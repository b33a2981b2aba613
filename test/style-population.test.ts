// The workspace's style population, kept once per workspace: a member's calibration record holds two numbers, not a
// copy of the colleagues' counts; drafts are scored against the population plus the member's own growth, exactly;
// erasing a member drops their counts from it (and from copies an earlier version left in others' records); a
// record of an earlier or broken layout is rewritten or counts as missing, never a crash.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { memberChildKey, workspaceKey } from '../src/core/identity/keys.js'
import { encodeStyleProfile } from '../src/core/style/stored-style-profile.js'
import { calibratedStyleMatch, rawStyleMatch, styleCalibrationSchema } from '../src/core/style/style-calibration.js'
import { addToStyleProfile, emptyStyleProfile, mergeStyleProfile, type StyleProfile } from '../src/core/style/style-profile.js'
import type { MemberRef } from '../src/core/types.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { actorFor, adminMember, createTestCore, dumpStore, enableWorkspace, memberA, memberB, message, workspace, type TestCore } from '../testing/support/test-core.js'

const memberC: MemberRef = { ...workspace, userId: 'U00FAKEUSER3' }
const textsOf: Record<string, string[]> = {
  [memberA.userId]: Array.from({ length: 30 }, (_, index) => `hey team, deploy ${index} is green!! 🚀 cheers`),
  [memberB.userId]: Array.from({ length: 30 }, (_, index) => `Dear all, item ${index} has been reviewed. Kind regards.`),
  [memberC.userId]: Array.from({ length: 30 }, (_, index) => `ok so ${index}... not sure tbh, lmk`),
}
const probes = ['hey team, all green!! 🚀', 'Dear all, the report has been reviewed.', 'ok not sure tbh']
const profileOf = (texts: string[]) => texts.reduce((profile, text) => addToStyleProfile(profile, text), emptyStyleProfile())
const sumOf = (profiles: StyleProfile[]) => profiles.reduce((total, each) => mergeStyleProfile(total, each), emptyStyleProfile())

let test: TestCore
let now: number
beforeEach(async () => {
  now = Date.now()
  test = await createTestCore({ server: { handler: scriptedHandler({}) }, clock: () => now })
  await enableWorkspace(test.core)
  for (const member of [memberA, memberB, memberC]) {
    await test.core.setConsent(actorFor(member), member, true)
    for (const text of textsOf[member.userId]!) await test.core.observe(message(member, text))
  }
  for (const member of [memberA, memberB, memberC]) await test.core.learn(actorFor(member), member)
})
afterEach(() => test.close())

const calibrations = () => test.store.collection('style', z.object({ calibration: styleCalibrationSchema.optional(), others: z.unknown().optional() }))
const calibrationOf = async (member: MemberRef) => (await calibrations().get(memberChildKey(member, 'calibration')))!.calibration!
const scoresOf = async (member: MemberRef) => Promise.all(probes.map(async (text) => (await test.core.scoreStyle(actorFor(member), text)).styleMatch))
/** What the score must be: the member's counts against this population, with the member's stored calibration. */
const expectedScores = async (member: MemberRef, profile: StyleProfile, population: StyleProfile) => {
  const calibration = await calibrationOf(member)
  return probes.map((text) => calibratedStyleMatch(rawStyleMatch(text, profile, population), calibration))
}
const entries = async (collection: string) => (await dumpStore(test.store)).filter((line) => line.startsWith(`${collection} `))

describe('the workspace style population', () => {
  it('is kept once per workspace; a calibration record is two numbers; scores are exact, with the member’s growth', async () => {
    expect(await entries('workspace-style')).toHaveLength(1)
    for (const line of (await entries('style')).filter((each) => each.includes(':calibration '))) expect(line.length).toBeLessThan(400)
    const profiles = [memberA, memberB, memberC].map((member) => profileOf(textsOf[member.userId]!))
    expect((await scoresOf(memberA)).every((score) => typeof score === 'number')).toBe(true)
    expect(await scoresOf(memberA)).toEqual(await expectedScores(memberA, profiles[0]!, sumOf(profiles)))
    // Messages since the population was summed are the member's own, not "other members'".
    const more = ['hey team, deploy later is green!! 🚀', 'hey all, build done!! cheers']
    for (const text of more) await test.core.observe(message(memberA, text))
    const grown = profileOf([...textsOf[memberA.userId]!, ...more])
    expect(await scoresOf(memberA)).toEqual(await expectedScores(memberA, grown, sumOf([grown, profiles[1]!, profiles[2]!])))
  })

  it('forget drops the member’s counts from it: the others are scored against the rest only', async () => {
    await test.core.forget(actorFor(memberC), memberC)
    expect(await entries('workspace-style')).toEqual([])
    const [a, b] = [profileOf(textsOf[memberA.userId]!), profileOf(textsOf[memberB.userId]!)]
    expect(await scoresOf(memberA)).toEqual(await expectedScores(memberA, a, sumOf([a, b])))
    // Summed again on that read, without the forgotten member.
    const kept = await entries('workspace-style')
    expect(kept).toHaveLength(1)
    expect(kept.join('\n')).not.toContain(memberC.userId)
  })

  it('a retention sweep that removes messages drops the population that counted them; it is summed again without', async () => {
    await test.core.admin.setRetentionDays(actorFor(adminMember, true), workspace, 7)
    now += 8 * 86_400_000
    const fresh = Array.from({ length: 12 }, (_, index) => `hey team, fresh deploy ${index} is green!! 🚀`)
    for (const text of fresh) await test.core.observe(message(memberA, text))
    expect(await test.lifecycle.sweep()).toMatchObject({ messagesRemoved: 90 })
    expect(await entries('workspace-style')).toEqual([])
    const a = profileOf(fresh)
    expect(await scoresOf(memberA)).toEqual(await expectedScores(memberA, a, a))
  })

  it('a calibration record of the earlier layout keeps its calibration, loses its copy of the counts, never crashes', async () => {
    const [a, b, c] = [memberA, memberB, memberC].map((member) => profileOf(textsOf[member.userId]!))
    // As an earlier version wrote them: the other members' counts copied into each calibrated member's record.
    for (const [member, others] of [[memberA, sumOf([b!, c!])], [memberB, sumOf([a!, c!])]] as const) {
      const key = memberChildKey(member, 'calibration')
      await calibrations().set(key, { calibration: await calibrationOf(member), others: encodeStyleProfile(others) })
    }
    expect(await scoresOf(memberA)).toEqual(await expectedScores(memberA, a!, sumOf([a!, b!, c!])))
    expect((await calibrations().get(memberChildKey(memberA, 'calibration')))?.others).toBeUndefined()
    // B's copy holds C's counts: erasing C rewrites it, though B was not read meanwhile.
    await test.core.forget(actorFor(memberC), memberC)
    const record = await calibrations().get(memberChildKey(memberB, 'calibration'))
    expect(record?.others).toBeUndefined()
    expect(record?.calibration).toBeDefined()
  })

  it('a stored population of another layout or a broken encoding counts as missing and is summed again', async () => {
    const raw = test.store.collection('workspace-style', z.unknown())
    const expected = await scoresOf(memberA)
    for (const value of [
      { total: { messages: 3 }, at: 1 }, // the hourly cache of an earlier version
      { version: 1, messages: 90, grams: ['!!', '', '', '', '', '', ''], covered: {} },
      'garbage',
    ]) {
      await raw.set(workspaceKey(workspace), value)
      expect(await scoresOf(memberA)).toEqual(expected)
    }
  })
})
