// The style-match score and its per-member calibration: own writing scores above other members' writing, the
// calibrated value is monotone in [0, 1], leave-one-out is exact, and the closed-form default behaves.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  calibratedStyleMatch,
  computeStyleCalibration,
  defaultStyleCalibration,
  rawStyleMatch,
  styleCalibrationSchema,
} from '../src/core/style/style-calibration.js'
import { addToStyleProfile, emptyStyleProfile, mergeStyleProfile, styleContribution, type StyleProfile } from '../src/core/style/style-profile.js'
import { rawStyleScore, scoreWithTables, styleScoreTables, styleViewWeights } from '../src/core/style/style-score.js'

const rows = readFileSync(new URL('./fixtures/style/three-writers.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { user: string; text: string })
const users = ['U00FAKEUSER1', 'U00FAKEUSER2', 'U00FAKEUSER3']
const textsOf = (user: string) => rows.filter((row) => row.user === user).map((row) => row.text)
const train = Object.fromEntries(users.map((user) => [user, textsOf(user).slice(0, 20)]))
const heldOut = Object.fromEntries(users.map((user) => [user, textsOf(user).slice(20)]))

function profileOf(texts: string[]): StyleProfile {
  const profile = emptyStyleProfile()
  for (const text of texts) addToStyleProfile(profile, text)
  return profile
}

const profiles = Object.fromEntries(users.map((user) => [user, profileOf(train[user]!)]))
const population = emptyStyleProfile()
for (const user of users) mergeStyleProfile(population, profiles[user]!)
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length

describe('style-match calibration', () => {
  const casual = 'U00FAKEUSER1'
  const formal = 'U00FAKEUSER2'
  const calibration = computeStyleCalibration({
    profile: profiles[casual]!,
    population,
    ownTexts: train[casual]!,
    otherTexts: [...train[formal]!, ...train.U00FAKEUSER3!],
  })!

  it('measures a ceiling above the floor from own held-out and other members\' messages', () => {
    expect(styleCalibrationSchema.parse(calibration)).toEqual(calibration)
    expect(calibration.ceilingBasis).toBe('measured')
    expect(calibration.floorBasis).toBe('measured')
    expect(calibration.ownSamples).toBe(20)
    expect(calibration.otherSamples).toBe(40)
    expect(calibration.ceiling).toBeGreaterThan(calibration.floor)
  })

  it("scores the member's own unseen messages higher than another writer's", () => {
    const score = (text: string) => calibratedStyleMatch(rawStyleMatch(text, profiles[casual]!, population), calibration)
    const own = heldOut[casual]!.map(score)
    const other = heldOut[formal]!.map(score)
    expect(mean(own)).toBeGreaterThan(0.5)
    expect(mean(other)).toBeLessThan(0.25)
    expect(score('lol yeah idk, restart it :)')).toBeGreaterThan(score('Good morning. I would appreciate your feedback on the proposal.'))
    // And the other way round, against the formal writer's profile.
    const formalCalibration = computeStyleCalibration({ profile: profiles[formal]!, population, ownTexts: train[formal]!, otherTexts: train[casual]! })!
    const formalScore = (text: string) => calibratedStyleMatch(rawStyleMatch(text, profiles[formal]!, population), formalCalibration)
    expect(mean(heldOut[formal]!.map(formalScore))).toBeGreaterThan(mean(heldOut[casual]!.map(formalScore)))
  })

  it('maps raw scores monotonically into [0, 1]: floor -> 0, ceiling -> 1, clamped outside', () => {
    const { floor, ceiling } = calibration
    expect(calibratedStyleMatch(floor, calibration)).toBe(0)
    expect(calibratedStyleMatch(ceiling, calibration)).toBe(1)
    expect(calibratedStyleMatch(floor - 10, calibration)).toBe(0)
    expect(calibratedStyleMatch(ceiling + 10, calibration)).toBe(1)
    let previous = -1
    for (let step = 0; step <= 20; step++) {
      const value = calibratedStyleMatch(floor - 0.1 + ((ceiling - floor + 0.2) * step) / 20, calibration)
      expect(value).toBeGreaterThanOrEqual(previous)
      previous = value
    }
    expect(calibratedStyleMatch(0, { ...calibration, ceiling: 1, floor: 1 })).toBe(0.5)
  })

  it('holds a message out exactly: scoring it against profiles built without it gives the same number', () => {
    const text = train[casual]![7]!
    const full = rawStyleScore(styleContribution(text).grams, profiles[casual]!, population, { fromProfile: true, fromPopulation: true })
    const without = profileOf(train[casual]!.filter((_, index) => index !== 7))
    const populationWithout = emptyStyleProfile()
    for (const user of users) mergeStyleProfile(populationWithout, user === casual ? without : profiles[user]!)
    expect(full).toBeCloseTo(rawStyleMatch(text, without, populationWithout), 12)
  })

  it('scores the same with prebuilt tables as straight from the counts', () => {
    const tables = styleScoreTables(profiles[formal]!, population)
    for (const text of heldOut[formal]!.slice(0, 5)) {
      const grams = styleContribution(text).grams
      expect(scoreWithTables(grams, tables)).toBeCloseTo(rawStyleScore(grams, profiles[formal]!, population), 12)
    }
  })

  it('has a closed-form default close to the measured one, and none without another member', () => {
    const estimate = defaultStyleCalibration(profiles[casual]!, population)!
    expect(estimate.ceilingBasis).toBe('estimated')
    expect(estimate.ceiling).toBeGreaterThan(estimate.floor)
    const fallback = computeStyleCalibration({ profile: profiles[casual]!, population, ownTexts: [], otherTexts: [] })
    expect(fallback).toEqual(estimate)
    expect(defaultStyleCalibration(profiles[casual]!, profiles[casual]!)).toBeUndefined()
    expect(computeStyleCalibration({ profile: profiles[casual]!, population: profiles[casual]!, ownTexts: train[casual]!, otherTexts: [] })).toBeUndefined()
  })

  it('scores a window of several messages with the character views counted once for the window', () => {
    const window = heldOut[casual]!.slice(0, 2)
    const tables = styleScoreTables(profiles[casual]!, population)
    const grams = window.map((text) => styleContribution(text).grams).reduce((all, each) => all.map((buckets, view) => [...buckets, ...each[view]!]))
    expect(rawStyleMatch(window, profiles[casual]!, population)).toBeCloseTo(scoreWithTables(grams, tables, 2), 12)
    expect(rawStyleMatch(window, profiles[casual]!, population)).not.toBeCloseTo(scoreWithTables(grams, tables, 1), 6)
    // A single message is scored with every view at full weight, so drafts and calibration are unaffected.
    expect(styleViewWeights(1).every((weight) => weight === 1)).toBe(true)
    expect(rawStyleMatch(window[0]!, profiles[casual]!, population)).toBeCloseTo(scoreWithTables(styleContribution(window[0]!).grams, tables, 1), 12)
  })
})
