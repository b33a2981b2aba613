// Our measured-style attribution: each candidate's texts are normalised and added to a style profile, the
// population is their sum, and a window is scored by the raw style-match score. Uses only the core's style API.
import type { Platform } from '../src/core/types.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { emptyStyleProfile, addToStyleProfile, mergeStyleProfile, styleContribution, type StyleContribution, type StyleProfile } from '../src/core/style/style-profile.js'
import { scoreWithTables, styleScoreTables } from '../src/core/style/style-score.js'
import type { AttributionMethod } from './attribution-protocol.js'

export type StyleMatchMethodOptions = { platform?: Platform; cache?: ContributionCache }

/** Normalises and measures each text once; attribution and calibration reuse the contributions. */
export class ContributionCache {
  private readonly cache = new Map<string, StyleContribution>()
  constructor(private readonly platform: Platform) {}
  get(text: string): StyleContribution {
    let contribution = this.cache.get(text)
    if (!contribution) this.cache.set(text, (contribution = styleContribution(normalizeMarkup(text, this.platform))))
    return contribution
  }
}

export function buildProfiles(trainTexts: string[][], cache: ContributionCache): { profiles: StyleProfile[]; population: StyleProfile } {
  const profiles = trainTexts.map((texts) => {
    const profile = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(profile, cache.get(text))
    return profile
  })
  const population = emptyStyleProfile()
  for (const profile of profiles) mergeStyleProfile(population, profile)
  return { profiles, population }
}

/** Concatenates the gram lists of several texts, so a window scores as one pooled text. */
export function windowGrams(texts: string[], cache: ContributionCache): number[][] {
  if (texts.length === 1) return cache.get(texts[0]!).grams
  const pooled: number[][] = []
  for (const text of texts) {
    cache.get(text).grams.forEach((buckets, view) => {
      const target = (pooled[view] ??= [])
      for (const bucket of buckets) target.push(bucket)
    })
  }
  return pooled
}

export function styleMatchMethod(options: StyleMatchMethodOptions = {}): AttributionMethod {
  const cache = options.cache ?? new ContributionCache(options.platform ?? 'slack')
  return {
    name: 'measured style (hashed n-gram log-likelihood ratio; character views per message)',
    train(trainTexts) {
      const { profiles, population } = buildProfiles(trainTexts, cache)
      const tables = profiles.map((profile) => styleScoreTables(profile, population))
      return (window) => {
        const grams = windowGrams(window, cache)
        return tables.map((table) => scoreWithTables(grams, table, window.length))
      }
    },
  }
}
