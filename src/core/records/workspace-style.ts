// The workspace's style population: the sum of its opted-in members' style counts, which the style-match score
// compares a member against. Kept once per workspace (not a copy per calibrated member, which grew with the team:
// 70 KB per member for three 2,000-message colleagues), summed from the members' counts as they are whenever a
// learning run or an import calibrates, and dropped whenever a member is erased, so no one's counts outlive them in it.
import type { Store } from '../../store/store.js'
import type { ConsentService } from './consent-service.js'
import { workspaceKey } from '../identity/keys.js'
import type { MemberStyleStore } from './member-style-store.js'
import { emptyStyleProfile, mergeStyleProfile, type StyleProfile } from '../style/style-profile.js'
import { decodeStylePopulation, encodeStylePopulation, storedStylePopulationSchema, type StylePopulationCounts } from '../style/stored-style-population.js'
import type { WorkspaceRef } from '../types.js'

/** The population, whose counts are in it, and up to which history seq of each. */
export type StylePopulation = { total: StyleProfile; memberIds: ReadonlySet<string>; covered: ReadonlyMap<string, number> }

export type WorkspaceStyle = ReturnType<typeof createWorkspaceStyle>

const readBatch = 50

export function createWorkspaceStyle(dependencies: { store: Store; consent: ConsentService; style: Pick<MemberStyleStore, 'current'> }) {
  const { store, consent, style } = dependencies
  // The key once held an hourly cached total of an earlier version; such a value fails the schema and counts as missing.
  const records = store.collection('workspace-style', storedStylePopulationSchema)

  const sum = async (workspace: WorkspaceRef, options: { maxMembers: number; excludeUserId?: string }): Promise<StylePopulation> => {
    const members = (await consent.members(workspace))
      .map((each) => each.userId)
      .filter((userId) => userId !== options.excludeUserId)
      .sort()
      .slice(0, options.maxMembers)
    // Summed batch by batch, so at most one batch of profiles is held at a time.
    const total = emptyStyleProfile()
    const covered = new Map<string, number>()
    for (let start = 0; start < members.length; start += readBatch) {
      const batch = members.slice(start, start + readBatch)
      const records = await Promise.all(batch.map((userId) => style.current({ ...workspace, userId })))
      records.forEach((record, index) => {
        if (!record) return
        mergeStyleProfile(total, record.profile)
        covered.set(batch[index]!, record.covered)
      })
    }
    return { total, memberIds: new Set(covered.keys()), covered }
  }

  const fromCounts = (counts: StylePopulationCounts): StylePopulation => ({ ...counts, memberIds: new Set(counts.covered.keys()) })

  /** Sums the population now and stores it; the sum is what the caller gets even when it could not be kept. */
  const refresh = async (workspace: WorkspaceRef, options: { maxMembers: number }): Promise<StylePopulation> => {
    const population = await sum(workspace, options)
    if (!population.memberIds.size) {
      await records.delete(workspaceKey(workspace))
      return population
    }
    await records.set(workspaceKey(workspace), encodeStylePopulation(population))
    // A member erased while this sum was read may be in it, and their erase may have dropped the record before
    // this write: checked after the write (an erase removes the consent first), and then dropped again.
    const optedIn = new Set((await consent.members(workspace)).map((each) => each.userId))
    if ([...population.memberIds].some((userId) => !optedIn.has(userId))) await records.delete(workspaceKey(workspace))
    return population
  }

  return {
    /**
     * The summed counts of the workspace's opted-in members now, without `excludeUserId`, not stored. Beyond
     * `maxMembers` members the same stable selection (by id) stands for the rest, so a job's cost does not grow
     * with the team.
     */
    population: sum,
    /** `population` of everyone, stored as the workspace's population for scoring (learning runs and imports). */
    refresh,
    /** The stored population, or a fresh sum when none is stored (after an erase, or from an earlier version). */
    async current(workspace: WorkspaceRef, options: { maxMembers: number }): Promise<StylePopulation> {
      const stored = await records.get(workspaceKey(workspace))
      const counts = stored && decodeStylePopulation(stored)
      return counts ? fromCounts(counts) : refresh(workspace, options)
    },
    /** Drops the stored population (a member's counts are in it): part of erasing a member. */
    async drop(workspace: WorkspaceRef): Promise<void> {
      await records.delete(workspaceKey(workspace))
    },
  }
}
