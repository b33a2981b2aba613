// A member's own platform credential, such as the Slack user token that lets the app post their drafts as them.
// The adapter seals the secret before it gets here; the core only keeps it under the member, so opt-out and
// "forget me" erase it with everything else.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey } from '../identity/keys.js'
import type { MemberCredential, MemberRef } from '../types.js'

const credentialSchema = z.object({
  kind: z.literal('slack_user_token'),
  sealed: z.string().min(1),
  scopes: z.array(z.string()),
  grantedAt: z.number(),
})

export type CredentialStore = ReturnType<typeof createCredentialStore>

export function createCredentialStore(store: Store) {
  const credentials = store.collection('credentials', credentialSchema)
  return {
    get: (member: MemberRef): Promise<MemberCredential | undefined> => credentials.get(memberKey(member)),
    set: (member: MemberRef, credential: MemberCredential) => credentials.set(memberKey(member), credential),
    delete: (member: MemberRef) => credentials.delete(memberKey(member)),
  }
}
