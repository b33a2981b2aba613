// Consent and privacy invariants (DESIGN §4): nothing stored before opt-in, opt-out and forget leave nothing
// behind (checked by scanning the whole store), admins cannot opt members in unless the consent mode allows it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actorFor, adminMember, createTestCore, dumpStore, enableWorkspace, memberA, memberB, message, workspace, type TestCore } from '../testing/support/test-core.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'

let test: TestCore
beforeEach(async () => {
  test = await createTestCore({ server: { handler: scriptedHandler({}) } })
  await enableWorkspace(test.core)
})
afterEach(() => test.close())

const otherWorkspace = { platform: 'slack' as const, workspaceId: 'T00FAKETEAM2' }
const textsOf = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix} message number ${index} about the deploy`)

describe('consent', () => {
  it('stores nothing about a member who has not opted in', async () => {
    const before = await dumpStore(test.store)
    for (const text of textsOf(5, 'unconsented')) {
      expect(await test.core.observe(message(memberA, text))).toEqual({ status: 'ignored', reason: 'not_opted_in' })
    }
    await expect(test.core.draft({ actor: actorFor(memberA), intent: 'say hi' })).rejects.toMatchObject({ code: 'consent_required' })
    const after = await dumpStore(test.store)
    expect(after).toEqual(before)
    expect(after.join('\n')).not.toContain(memberA.userId)
  })

  it('forget leaves nothing behind: a scan of the whole store finds no trace of the member', async () => {
    await test.core.setConsent(actorFor(memberA), memberA, true)
    await test.core.setConsent(actorFor(memberB), memberB, true)
    const secret = 'zebra-quartz-7781'
    for (const text of textsOf(30, `I write ${secret}`)) await test.core.observe(message(memberA, text))
    for (const text of textsOf(15, 'other member')) await test.core.observe(message(memberB, text))
    await test.core.learn(actorFor(memberA), memberA)
    const draft = await test.core.draft({ actor: actorFor(memberA), intent: `mention ${secret}` })
    expect(draft.status).toBe('drafted')
    expect((await dumpStore(test.store)).join('\n')).toContain(secret)

    const report = await test.core.forget(actorFor(memberA), memberA)
    expect(report.messages).toBe(30)
    expect(report.hypotheses).toBeGreaterThan(0)
    expect(report.drafts).toBe(1)

    const lines = await dumpStore(test.store)
    // The workspace's style population held the member's counts (the learning run stored it): dropped with them.
    expect(lines.filter((line) => line.startsWith('workspace-style'))).toEqual([])
    const remaining = lines.join('\n')
    expect(remaining).not.toContain(memberA.userId)
    expect(remaining).not.toContain(secret)
    expect(remaining).toContain(memberB.userId) // the other member is untouched
    expect((await test.core.profile(actorFor(memberB), memberB)).historySize).toBe(15)
  })

  it('opting out erases everything in the same step', async () => {
    await test.core.setConsent(actorFor(memberA), memberA, true)
    for (const text of textsOf(3, 'hello')) await test.core.observe(message(memberA, text))
    const outcome = await test.core.setConsent(actorFor(memberA), memberA, false)
    expect(outcome.erased?.messages).toBe(3)
    expect((await dumpStore(test.store)).join('\n')).not.toContain(memberA.userId)
    expect(await test.core.observe(message(memberA, 'after opt-out'))).toEqual({ status: 'ignored', reason: 'not_opted_in' })
  })

  it('an admin cannot opt a member in under member consent mode, but can opt anyone out', async () => {
    const admin = actorFor(adminMember, true)
    await expect(test.core.setConsent(admin, memberA, true)).rejects.toMatchObject({ code: 'not_permitted' })
    await test.core.setConsent(actorFor(memberA), memberA, true)
    const outcome = await test.core.setConsent(admin, memberA, false)
    expect(outcome.record.optedIn).toBe(false)
    expect((await test.core.profile(actorFor(memberA), memberA)).optedIn).toBe(false)
  })

  it('in admin consent mode an admin opt-in is recorded as such and the member is told privately', async () => {
    const admin = actorFor(adminMember, true)
    await test.core.admin.setConsentMode(admin, workspace, 'admin')
    const outcome = await test.core.setConsent(admin, memberA, true)
    expect(outcome.record).toMatchObject({ optedIn: true, via: 'admin', by: adminMember })
    expect(outcome.notifyMember).toMatch(/admin opted you in/)
    expect(outcome.notifyMember).toMatch(/opt out/)
    // The member can always opt out.
    await test.core.setConsent(actorFor(memberA), memberA, false)
    expect((await test.core.profile(actorFor(memberA), memberA)).optedIn).toBe(false)
  })

  it('a member cannot change another member’s consent or read their profile', async () => {
    await test.core.setConsent(actorFor(memberB), memberB, true)
    await expect(test.core.setConsent(actorFor(memberA), memberB, false)).rejects.toMatchObject({ code: 'not_permitted' })
    await expect(test.core.profile(actorFor(memberA), memberB)).rejects.toMatchObject({ code: 'not_permitted' })
    // Not even an admin reads a member's hypotheses.
    await expect(test.core.profile(actorFor(adminMember, true), memberB)).rejects.toMatchObject({ code: 'not_permitted' })
  })

  it('tenants never meet: the same user id in another workspace is another member', async () => {
    await enableWorkspace(test.core, otherWorkspace)
    const twin = { ...otherWorkspace, userId: memberA.userId }
    await test.core.setConsent(actorFor(memberA), memberA, true)
    await test.core.observe(message(memberA, 'hello from team one'))
    expect(await test.core.observe(message(twin, 'hello from team two'))).toEqual({ status: 'ignored', reason: 'not_opted_in' })
    await test.core.setConsent(actorFor(twin), twin, true)
    await test.core.observe(message(twin, 'hello from team two'))
    await test.core.forget(actorFor(twin), twin)
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(1)
    // An admin of one workspace cannot administer the other.
    await expect(test.core.admin.counts(actorFor(adminMember, true), otherWorkspace)).rejects.toMatchObject({ code: 'not_permitted' })
  })

  it('an admin of one workspace cannot erase, opt out or read the posting permission of a member of another', async () => {
    const twin = { ...otherWorkspace, userId: memberA.userId }
    const foreignAdmin = actorFor(adminMember, true)
    await test.core.admin.setEnabled(actorFor({ ...otherWorkspace, userId: 'U00FAKEADMIN' }, true), otherWorkspace, true)
    await test.core.setConsent(actorFor(twin), twin, true)
    await test.core.admin.setLearningChannels(actorFor({ ...otherWorkspace, userId: 'U00FAKEADMIN' }, true), otherWorkspace, ['*'])
    await test.core.observe(message(twin, 'TWIN-TEXT in team two'))
    await expect(test.core.forget(foreignAdmin, twin)).rejects.toMatchObject({ code: 'not_permitted' })
    await expect(test.core.setConsent(foreignAdmin, twin, false)).rejects.toMatchObject({ code: 'not_permitted' })
    await expect(test.core.credential(foreignAdmin, twin)).rejects.toMatchObject({ code: 'not_permitted' })
    await expect(test.core.removeCredential(foreignAdmin, twin)).rejects.toMatchObject({ code: 'not_permitted' })
    expect((await test.core.profile(actorFor(twin), twin)).historySize).toBe(1)
  })

  it('says who may administer a workspace: its admins, never a member or another workspace’s admin', async () => {
    expect(await test.core.permissions(actorFor(adminMember, true), workspace)).toEqual({ administer: true })
    expect(await test.core.permissions(actorFor(memberA), workspace)).toEqual({ administer: false })
    expect(await test.core.permissions(actorFor(adminMember, true), otherWorkspace)).toEqual({ administer: false })
    // What it says is what the admin calls then do.
    await expect(test.core.admin.policy(actorFor(memberA), workspace)).rejects.toMatchObject({ code: 'not_permitted' })
    expect((await test.core.admin.policy(actorFor(adminMember, true), workspace)).enabled).toBe(true)
  })
})
