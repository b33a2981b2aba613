// The measured style at a glance, checked against values counted by hand on a small set of messages.
import { describe, expect, it } from 'vitest'
import { addToStyleProfile, emptyStyleProfile, removeFromStyleProfile } from '../src/core/style/style-profile.js'
import { summarizeStyle } from '../src/core/style/summarize-style.js'

const messages = [
  'hi all, quick question: does anyone know how to restart the build?', // 12 words, greeting, question
  "Hello! I don't think that's right.", // 6 words, two contractions, exclamation
  'see https://example.org for details', // link
  '- first item\n- second item', // list
  'use `npm test` thanks', // code, sign-off
  'It is done. Thanks', // an expanded form ("it is"), sign-off
  ':) ok', // emoticon
  'hey, build is green now',
  'hey, any news?',
]

describe('summarizeStyle', () => {
  const profile = emptyStyleProfile()
  for (const message of messages) addToStyleProfile(profile, message)
  const summary = summarizeStyle(profile)

  it('reports message length in words (mean, median, 90th percentile)', () => {
    expect(summary.messages).toBe(9)
    expect(summary.words).toEqual({ mean: 5, median: 4, p90: 12 })
    expect(summary.sentencesPerMessage).toBeCloseTo(12 / 9, 2)
  })

  it('reports casing, punctuation, emoji, code, link and list rates per message', () => {
    expect(summary.lowercaseStartRate).toBeCloseTo(5 / 9, 3)
    expect(summary.endsWithPunctuationRate).toBeCloseTo(3 / 9, 3)
    expect(summary.questionRate).toBeCloseTo(2 / 9, 3)
    expect(summary.exclamationRate).toBeCloseTo(1 / 9, 3)
    expect(summary.emojiRate).toBeCloseTo(1 / 9, 3)
    expect(summary.codeRate).toBeCloseTo(1 / 9, 3)
    expect(summary.linkRate).toBeCloseTo(1 / 9, 3)
    expect(summary.listRate).toBeCloseTo(1 / 9, 3)
  })

  it('reports contractions as a share of contractible forms (2 contracted, 1 written out)', () => {
    expect(summary.contractionRate).toBeCloseTo(2 / 3, 3)
  })

  it('lists greetings and sign-offs used at least twice, and the top function words', () => {
    expect(summary.greetings).toEqual(['hey'])
    expect(summary.signOffs).toEqual(['thanks'])
    expect(summary.topFunctionWords[0]).toBe('is')
    expect(summary.topFunctionWords).toContain('the')
  })

  it('is all zeros for an empty profile, and follows removals', () => {
    const empty = summarizeStyle(emptyStyleProfile())
    expect(empty.messages).toBe(0)
    expect(empty.words).toEqual({ mean: 0, median: 0, p90: 0 })
    expect(empty.greetings).toEqual([])
    const copy = emptyStyleProfile()
    for (const message of messages) addToStyleProfile(copy, message)
    removeFromStyleProfile(copy, 'hey, any news?')
    const after = summarizeStyle(copy)
    expect(after.messages).toBe(8)
    expect(after.questionRate).toBeCloseTo(1 / 8, 3)
    expect(after.greetings).toEqual([])
  })
})
