// Measures what a style profile costs on real messages: microseconds to add and to remove one message (the
// observe path), serialized bytes of the largest member's profile and of the population, and read validation time.
import type { Platform } from '../src/core/types.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import {
  addToStyleProfile,
  emptyStyleProfile,
  mergeStyleProfile,
  removeFromStyleProfile,
  styleProfileCells,
  styleProfileSchema,
} from '../src/core/style/style-profile.js'

export type ProfileCost = {
  cells: number
  messages: number
  addMicroseconds: number
  removeMicroseconds: number
  largestProfileMessages: number
  largestProfileBytes: number
  populationMessages: number
  populationBytes: number
  readMilliseconds: number
}

export function measureProfileCost(textsByMember: string[][], platform: Platform): ProfileCost {
  const normalized = textsByMember.map((texts) => texts.map((text) => normalizeMarkup(text, platform)).filter((text) => text.trim()))
  const messages = normalized.reduce((sum, texts) => sum + texts.length, 0)
  const profiles = normalized.map(() => emptyStyleProfile())
  let started = performance.now()
  normalized.forEach((texts, index) => {
    for (const text of texts) addToStyleProfile(profiles[index]!, text)
  })
  const addMicroseconds = ((performance.now() - started) * 1000) / Math.max(1, messages)
  const largest = profiles.reduce((best, profile) => (profile.messages > best.messages ? profile : best), profiles[0] ?? emptyStyleProfile())
  const largestJson = JSON.stringify(largest)
  const largestProfileMessages = largest.messages
  const population = emptyStyleProfile()
  for (const profile of profiles) mergeStyleProfile(population, profile)
  const populationBytes = JSON.stringify(population).length
  const readRounds = 20
  started = performance.now()
  for (let round = 0; round < readRounds; round++) styleProfileSchema.parse(JSON.parse(largestJson))
  const readMilliseconds = (performance.now() - started) / readRounds
  started = performance.now()
  normalized.forEach((texts, index) => {
    for (const text of texts) removeFromStyleProfile(profiles[index]!, text)
  })
  const removeMicroseconds = ((performance.now() - started) * 1000) / Math.max(1, messages)
  return {
    cells: styleProfileCells,
    messages,
    addMicroseconds,
    removeMicroseconds,
    largestProfileMessages,
    largestProfileBytes: largestJson.length,
    populationMessages: population.messages,
    populationBytes,
    readMilliseconds,
  }
}
