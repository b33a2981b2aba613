// The workspace's style population: the sum of its opted-in members' style counts, which the style-match score
// compares a member against. Summed from the counts as they are when asked (a cached sum went stale during an
// import and calibrated members against a fraction of it), from a bounded number of fixed-size profiles.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import type { ConsentService } from './consent-service.js'
import { workspaceKey } from '../identity/keys.js'
import type { MemberStyleStore } from './member-style-store.js'
import { emptyStyleProfile, mergeStyleProfile, type StyleProfile } from '../style/style-profile.js'
import type { WorkspaceRef } from '../types.js'

/** The population and whose counts are in it. */
export type StylePopulation = { total: StyleProfile; memberIds: ReadonlySet<string> }

export type WorkspaceStyle = ReturnType<typeof createWorkspaceStyle>

const readBatch = 50

export function createWorkspaceStyle(dependencies: { store: Store; consent: ConsentService; style: MemberStyleStore }) {
  const { store, consent, style } = dependencies
  // Earlier versions cached the total here for an hour; nothing is written to it any more.
  const legacyCache = store.collection('workspace-style', z.unknown())
  return {
    /**
     * The summed counts of the workspace's opted-in members now, without `excludeUserId`. Beyond `maxMembers`
     * members the same stable selection (by id) stands for the rest, so a job's cost does not grow with the team.
     */
    async population(workspace: WorkspaceRef, options: { maxMembers: number; excludeUserId?: string }): Promise<StylePopulation> {
      const members = (await consent.members(workspace))
        .map((each) => each.userId)
        .filter((userId) => userId !== options.excludeUserId)
        .sort()
        .slice(0, options.maxMembers)
      // Summed batch by batch, so at most one batch of profiles is held at a time.
      const total = emptyStyleProfile()
      const memberIds = new Set<string>()
      for (let start = 0; start < members.length; start += readBatch) {
        const batch = members.slice(start, start + readBatch)
        const records = await Promise.all(batch.map((userId) => style.get({ ...workspace, userId })))
        records.forEach((record, index) => {
          if (!record) return
          mergeStyleProfile(total, record.profile)
          memberIds.add(batch[index]!)
        })
      }
      return { total, memberIds }
    },
    /** Drops a total cached by an earlier version, which may still hold an erased member's counts. */
    async dropLegacyCache(workspace: WorkspaceRef): Promise<void> {
      await legacyCache.delete(workspaceKey(workspace))
    },
  }
}
