// The workspace's audit log: safety refusals (decision, rule ids, the check's analysis), failed checks, consent and
// policy changes. Admins read it; entries about a member are erased with the member. Never stores the drafted text.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { workspaceChildKey, workspaceKey } from '../identity/keys.js'
import type { AuditEntry, WorkspaceRef } from '../types.js'

const auditEntrySchema = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.enum(['refusal', 'check_failed', 'consent', 'policy', 'forget', 'import']),
  memberUserId: z.string().optional(),
  actorUserId: z.string().optional(),
  decision: z.enum(['comply', 'safe_complete', 'refuse']).optional(),
  ruleIds: z.array(z.string()).optional(),
  reason: z.string(),
})

export type AuditLog = ReturnType<typeof createAuditLog>

export function createAuditLog(store: Store, clock: () => number) {
  const entries = store.collection('audit', auditEntrySchema)
  const prefix = (workspace: WorkspaceRef) => workspaceKey(workspace) + ':'

  const list = async (workspace: WorkspaceRef): Promise<{ key: string; entry: AuditEntry }[]> => {
    const keys: string[] = []
    for await (const key of entries.keys(prefix(workspace))) keys.push(key)
    const values = await entries.getMany(keys)
    return keys.flatMap((key, index) => (values[index] ? [{ key, entry: values[index]! }] : []))
  }

  return {
    async record(workspace: WorkspaceRef, entry: Omit<AuditEntry, 'id' | 'at'>, retentionDays: number): Promise<AuditEntry> {
      const at = clock()
      const full: AuditEntry = { id: randomUUID(), at, ...entry, reason: entry.reason.slice(0, 500) }
      // Zero-padded time first, so keys sort by time.
      await entries.set(workspaceChildKey(workspace, String(at).padStart(15, '0'), full.id), full, retentionDays * 86_400_000)
      return full
    },
    async recent(workspace: WorkspaceRef, limit = 50): Promise<AuditEntry[]> {
      const all = await list(workspace)
      return all
        .map((each) => each.entry)
        .sort((a, b) => b.at - a.at)
        .slice(0, limit)
    },
    /** Deletes every entry that names the member, as subject or as actor. */
    async eraseMember(workspace: WorkspaceRef, userId: string): Promise<number> {
      const doomed = (await list(workspace)).filter((each) => each.entry.memberUserId === userId || each.entry.actorUserId === userId)
      await entries.deleteMany(doomed.map((each) => each.key))
      return doomed.length
    },
  }
}
