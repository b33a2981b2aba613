// The style profile is additive and exact (add then remove restores it), bounded whatever the history length,
// JSON-serializable and validated on read.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import {
  addToStyleProfile,
  cloneStyleProfile,
  emptyStyleProfile,
  mergeStyleProfile,
  removeFromStyleProfile,
  styleProfileCells,
  styleProfileSchema,
} from '../src/core/style/style-profile.js'

const fixture = readFileSync(new URL('./fixtures/style/three-writers.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { user: string; text: string })
const texts = fixture.map((row) => row.text)

describe('style profile', () => {
  it('adding then removing every message returns exactly the empty profile', () => {
    const profile = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(profile, text)
    expect(profile.messages).toBe(texts.length)
    for (const text of [...texts].reverse()) removeFromStyleProfile(profile, text)
    expect(profile).toEqual(emptyStyleProfile())
  })

  it('an edit (remove old, add new) equals a profile built with the new text from the start', () => {
    const edited = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(edited, text)
    removeFromStyleProfile(edited, texts[3]!)
    addToStyleProfile(edited, 'an edited message, now with Capitals and a link https://example.org')
    const direct = emptyStyleProfile()
    texts.forEach((text, index) => addToStyleProfile(direct, index === 3 ? 'an edited message, now with Capitals and a link https://example.org' : text))
    expect(edited).toEqual(direct)
  })

  it('does not depend on the order messages arrive in', () => {
    const forward = emptyStyleProfile()
    const backward = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(forward, text)
    for (const text of [...texts].reverse()) addToStyleProfile(backward, text)
    expect(forward).toEqual(backward)
  })

  it('refuses to remove a message that was never added, and leaves the profile untouched', () => {
    const profile = emptyStyleProfile()
    addToStyleProfile(profile, 'hello there')
    const before = cloneStyleProfile(profile)
    expect(() => removeFromStyleProfile(profile, 'a message this profile never saw, with `code`')).toThrow(BotError)
    try {
      removeFromStyleProfile(profile, 'never seen')
    } catch (error) {
      expect((error as BotError).code).toBe('input_invalid')
    }
    expect(profile).toEqual(before)
    expect(() => removeFromStyleProfile(emptyStyleProfile(), 'hello there')).toThrow(BotError)
  })

  it('a workspace aggregate is the sum of member profiles, and subtracting a member is exact', () => {
    const members = ['U00FAKEUSER1', 'U00FAKEUSER2', 'U00FAKEUSER3'].map((user) => {
      const profile = emptyStyleProfile()
      for (const row of fixture.filter((each) => each.user === user)) addToStyleProfile(profile, row.text)
      return profile
    })
    const aggregate = emptyStyleProfile()
    for (const member of members) mergeStyleProfile(aggregate, member)
    const all = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(all, text)
    expect(aggregate).toEqual(all)
    mergeStyleProfile(aggregate, members[1]!, -1)
    const withoutSecond = emptyStyleProfile()
    mergeStyleProfile(withoutSecond, members[0]!)
    mergeStyleProfile(withoutSecond, members[2]!)
    expect(aggregate).toEqual(withoutSecond)
    expect(() => mergeStyleProfile(aggregate, members[1]!, -1)).toThrow(BotError)
  })

  it('stays the same number of cells however many messages it holds (bounded size)', () => {
    const profile = emptyStyleProfile()
    const emptyCells = JSON.stringify(profile).split(',').length
    for (let round = 0; round < 40; round++) for (const text of texts) addToStyleProfile(profile, `${text} ${round}`)
    expect(profile.messages).toBe(40 * texts.length)
    expect(JSON.stringify(profile).split(',').length).toBe(emptyCells)
    const cells = [profile.grams.flat(), profile.gramTotals, profile.wordCounts, profile.greetings, profile.signOffs, profile.functionWords, Object.values(profile.counters), [profile.messages]].flat().length
    expect(cells).toBe(styleProfileCells)
    // Counts are message counts, so with up to 10^5 messages each cell takes at most 6 characters.
    expect(styleProfileCells * 7).toBeLessThan(220_000)
  })

  it('round-trips through JSON and the schema; a value of the wrong shape fails validation', () => {
    const profile = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(profile, text)
    const parsed = styleProfileSchema.parse(JSON.parse(JSON.stringify(profile)))
    expect(parsed).toEqual(profile)
    expect(styleProfileSchema.safeParse({ ...profile, version: 99 }).success).toBe(false)
    expect(styleProfileSchema.safeParse({ ...profile, grams: profile.grams.slice(1) }).success).toBe(false)
    const negative = cloneStyleProfile(profile)
    negative.grams[2]![5] = -1
    expect(styleProfileSchema.safeParse(negative).success).toBe(false)
    const fractional = cloneStyleProfile(profile)
    fractional.functionWords[0] = 0.5
    expect(styleProfileSchema.safeParse(fractional).success).toBe(false)
    expect(styleProfileSchema.safeParse('not a profile').success).toBe(false)
  })

  it('never stores the text itself', () => {
    const profile = emptyStyleProfile()
    addToStyleProfile(profile, 'my secret password is hunter2')
    expect(JSON.stringify(profile)).not.toMatch(/secret|hunter2|password/)
  })
})
