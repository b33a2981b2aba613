// The workspace's style population: the sum of its opted-in members' style counts, which the style-match score
// compares a member against. Summing every member is O(members), so the sum is cached for an hour and dropped
// whenever a member is erased (their counts must not outlive them).
import { z } from 'zod'
import type { Store } from '../store/store.js'
import type { ConsentService } from './consent-service.js'
import { workspaceKey } from './keys.js'
import { sumProfiles, type MemberStyleStore } from './member-style.js'
import { styleProfileSchema, type StyleProfile } from './style/style-profile.js'
import type { WorkspaceRef } from './types.js'

const cachedTotalSchema = z.object({ total: styleProfileSchema, members: z.number().int(), builtAt: z.number() })

export const workspaceStyleCacheMs = 3_600_000

export type WorkspaceStyle = ReturnType<typeof createWorkspaceStyle>

export function createWorkspaceStyle(dependencies: { store: Store; consent: ConsentService; style: MemberStyleStore; clock: () => number }) {
  const { store, consent, style, clock } = dependencies
  const cache = store.collection('workspace-style', cachedTotalSchema)
  return {
    /** The summed counts of every opted-in member (cached for an hour). */
    async total(workspace: WorkspaceRef): Promise<StyleProfile> {
      const cached = await cache.get(workspaceKey(workspace))
      if (cached && clock() - cached.builtAt < workspaceStyleCacheMs) return cached.total
      const members = await consent.members(workspace)
      const profiles: StyleProfile[] = []
      for (const member of members) {
        const record = await style.get({ ...workspace, userId: member.userId })
        if (record) profiles.push(record.profile)
      }
      const total = sumProfiles(profiles)
      await cache.set(workspaceKey(workspace), { total, members: profiles.length, builtAt: clock() }, workspaceStyleCacheMs)
      return total
    },
    async invalidate(workspace: WorkspaceRef): Promise<void> {
      await cache.delete(workspaceKey(workspace))
    },
  }
}
