// Per-workspace policy (on/off, where learning is allowed, retention, consent mode, extra admins) and the one
// question every path asks: may this actor administer this workspace? Adapters only say what the platform knows.
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import type { Store } from '../../store/store.js'
import { workspaceKey } from '../identity/keys.js'
import type { Actor, ChannelKind, WorkspacePolicy, WorkspaceRef } from '../types.js'

export const workspacePolicySchema = z.object({
  enabled: z.boolean(),
  learningChannels: z.array(z.string()),
  retentionDays: z.number().int().positive(),
  consentMode: z.enum(['member', 'admin']),
  adminUserIds: z.array(z.string()),
  updatedAt: z.number(),
  updatedBy: z.string().optional(),
})

export type PolicyService = ReturnType<typeof createPolicyService>

export function createPolicyService(store: Store, defaults: { retentionDays: number; adminUserIds?: string[]; observeCacheMs?: number }) {
  const policies = store.collection('policy', workspacePolicySchema)
  /** Policies as the observe path last read them (bounded: dropped whole when full). */
  const cached = new Map<string, { policy: WorkspacePolicy; until: number }>()
  const cacheMs = defaults.observeCacheMs ?? 0

  const fallback = (): WorkspacePolicy => ({
    // A new workspace starts switched off: an admin turns the bot on and chooses where it may learn.
    enabled: false,
    learningChannels: [],
    retentionDays: defaults.retentionDays,
    consentMode: 'member',
    adminUserIds: [],
    updatedAt: 0,
  })

  const get = async (workspace: WorkspaceRef): Promise<WorkspacePolicy> => (await policies.get(workspaceKey(workspace))) ?? fallback()
  const isAdmin = (actor: Actor, policy: WorkspacePolicy): boolean =>
    actor.isPlatformAdmin || policy.adminUserIds.includes(actor.member.userId) || (defaults.adminUserIds ?? []).includes(actor.member.userId)

  return {
    get,
    /**
     * get() for the observe path, read at most once per `observeCacheMs` per workspace: the policy says where the
     * bot may learn, not whether a member agreed (consent is checked on every message, in the store's append step).
     * A change made through this process applies at once; one made through another process within that time.
     */
    async getForObserve(workspace: WorkspaceRef): Promise<WorkspacePolicy> {
      if (cacheMs <= 0) return get(workspace)
      const key = workspaceKey(workspace)
      const hit = cached.get(key)
      const now = Date.now()
      if (hit && hit.until > now) return hit.policy
      const policy = await get(workspace)
      if (cached.size >= 10_000) cached.clear()
      cached.set(key, { policy, until: now + cacheMs })
      return policy
    },
    async update(workspace: WorkspaceRef, actor: Actor, change: Partial<Omit<WorkspacePolicy, 'updatedAt' | 'updatedBy'>>) {
      const next: WorkspacePolicy = { ...(await get(workspace)), ...change, updatedAt: Date.now(), updatedBy: actor.member.userId }
      await policies.set(workspaceKey(workspace), next)
      cached.delete(workspaceKey(workspace))
      return next
    },
    isAdmin,
    async requireAdmin(actor: Actor, workspace: WorkspaceRef): Promise<WorkspacePolicy> {
      const policy = await get(workspace)
      if (!isAdmin(actor, policy)) {
        throw new BotError('not_permitted', 'Only a workspace admin can do that.')
      }
      return policy
    },
    async requireEnabled(workspace: WorkspaceRef): Promise<WorkspacePolicy> {
      const policy = await get(workspace)
      if (!policy.enabled) {
        throw new BotError('bot_disabled', 'hyperalign is switched off in this workspace. A workspace admin can switch it on.')
      }
      return policy
    },
    /** Learning is allowed in listed channels; `*` allows every public channel; direct messages never. */
    learnsFrom(policy: WorkspacePolicy, channelId: string, channelKind: ChannelKind): boolean {
      if (channelKind === 'direct') return false
      if (policy.learningChannels.includes(channelId)) return true
      return channelKind === 'public' && policy.learningChannels.includes('*')
    },
    async erase(workspace: WorkspaceRef) {
      cached.delete(workspaceKey(workspace))
      await policies.delete(workspaceKey(workspace))
    },
  }
}
