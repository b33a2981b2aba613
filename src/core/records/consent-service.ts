// Consent records: who opted in, when, by whose act and under which policy text. The absence of a record means
// "not opted in"; an opt-out erases the record along with everything else, so nothing about the member remains.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey, workspaceKey } from '../identity/keys.js'
import { memberRefSchema } from '../identity/member-ref.js'
import type { ConsentRecord, MemberRef, WorkspaceRef } from '../types.js'

/** Bump when the statement members agree to changes; records keep the version they saw. */
export const policyVersion = '2026-11-v1'

export const consentStatement =
  'hyperalign keeps the messages you write in channels where an admin allowed learning, measures your writing style, ' +
  'and infers short statements about how you communicate, so it can draft messages in your voice and answer you the way ' +
  'you prefer. Only you see what it learned about you; admins see counts. Messages are kept for the retention period your ' +
  'admin set. You can correct or delete anything it learned, and opt out at any time, which erases everything.'

const consentRecordSchema = z.object({
  optedIn: z.literal(true),
  at: z.number(),
  by: memberRefSchema,
  via: z.enum(['self', 'admin', 'import']),
  policyVersion: z.string(),
})

export type ConsentService = ReturnType<typeof createConsentService>

export function createConsentService(store: Store) {
  const records = store.collection('consent', consentRecordSchema)
  return {
    async get(member: MemberRef): Promise<ConsentRecord | undefined> {
      return records.get(memberKey(member))
    },
    async isOptedIn(member: MemberRef): Promise<boolean> {
      return (await records.get(memberKey(member)))?.optedIn === true
    },
    async grant(member: MemberRef, by: MemberRef, via: ConsentRecord['via'], at: number): Promise<ConsentRecord> {
      const record = { optedIn: true as const, at, by, via, policyVersion }
      await records.set(memberKey(member), record)
      return record
    },
    async erase(member: MemberRef): Promise<number> {
      return (await records.delete(memberKey(member))) ? 1 : 0
    },
    /** Opted-in members of a workspace (user ids with their records). */
    async members(workspace: WorkspaceRef): Promise<{ userId: string; record: ConsentRecord }[]> {
      const prefix = workspaceKey(workspace) + ':'
      const keys: string[] = []
      for await (const key of records.keys(prefix)) keys.push(key)
      const values = await records.getMany(keys)
      return keys.flatMap((key, index) => {
        const record = values[index]
        const rest = key.slice(prefix.length)
        // Only direct children (`…:<user>`), not deeper keys.
        return record && !rest.includes(':') ? [{ userId: decodeURIComponent(rest), record }] : []
      })
    },
  }
}
