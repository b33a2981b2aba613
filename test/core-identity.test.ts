// The identity codec: store keys built from a MemberRef read back into the same MemberRef, and nothing that is not
// exactly a member's key is ever taken for one (a child key, another version, an unknown platform).
import { describe, expect, it } from 'vitest'
import { memberChildKey, memberKey, parseMemberKey, workspaceChildKey, workspaceKey } from '../src/core/identity/keys.js'
import { memberRefSchema, type MemberRef } from '../src/core/identity/member-ref.js'

const members: MemberRef[] = [
  { platform: 'slack', workspaceId: 'T00FAKETEAM1', userId: 'U00FAKEUSER1' },
  { platform: 'discord', workspaceId: '100000000000000001', userId: '200000000000000002' },
  // Ids a platform or an import may hand over: colons, percent signs, slashes and spaces stay inside their part.
  { platform: 'console', workspaceId: 'local:team/a b', userId: 'ana%3A:x' },
]

describe('identity codec', () => {
  it('parses a member key back into the member it was built from, ids with colons and percent signs included', () => {
    for (const member of members) expect(parseMemberKey(memberKey(member))).toEqual(member)
  })

  it('reads nothing but a member key as a member: workspace and child keys, other versions, unknown platforms, broken escapes', () => {
    const [member] = members
    for (const key of [
      workspaceKey(member!),
      memberChildKey(member!, 'draft', 'd1'),
      workspaceChildKey(member!, 'delivery', 'x'),
      memberKey(member!).replace(/^v1:/, 'v2:'),
      'v1:teams:T00FAKETEAM1:U00FAKEUSER1',
      'v1:slack:T00FAKETEAM1:%E0%A4%A',
      'v1:slack::U00FAKEUSER1',
    ]) {
      expect(parseMemberKey(key), key).toBeUndefined()
    }
  })

  it('one schema for a member reference: a stored reference of the wrong shape does not pass', () => {
    expect(memberRefSchema.safeParse(members[0]).success).toBe(true)
    expect(memberRefSchema.safeParse({ platform: 'teams', workspaceId: 'T1', userId: 'U1' }).success).toBe(false)
    expect(memberRefSchema.safeParse({ platform: 'slack', workspaceId: 'T1' }).success).toBe(false)
  })
})
