// Which channel a draft may read as context when the platform does not say (Slack's assistant pane follows the
// member around): the core answers with the observe path's own rule, for opted-in members only.
import { afterEach, describe, expect, it } from 'vitest'
import { actorFor, adminMember, createTestCore, enableWorkspace, memberA, memberB, workspace, type TestCore } from '../testing/support/test-core.js'

let test: TestCore
afterEach(() => test?.close())

describe('mayReadAsContext', () => {
  it('allows only channels open for learning, for an opted-in member of a switched-on workspace, and never a direct message', async () => {
    test = await createTestCore()
    const { core } = test
    const actor = actorFor(memberA)
    const ask = (channelId: string, channelKind: 'public' | 'private' | 'direct') => core.mayReadAsContext(actor, { channelId, channelKind })

    await core.admin.setEnabled(actorFor(adminMember, true), workspace, true)
    await core.setConsent(actor, memberA, true)
    // Switched on, but learning nowhere yet.
    expect(await ask('C00FAKECHAN1', 'public')).toBe(false)

    await core.admin.setLearningChannels(actorFor(adminMember, true), workspace, ['*', 'G00FAKEPRIV1'])
    expect(await ask('C00FAKECHAN1', 'public')).toBe(true)
    expect(await ask('G00FAKEPRIV1', 'private')).toBe(true)
    expect(await ask('G00FAKEPRIV2', 'private')).toBe(false) // `*` never opens a private channel
    expect(await ask('D00FAKEDM001', 'direct')).toBe(false)
    expect(await core.mayReadAsContext(actorFor(memberB), { channelId: 'C00FAKECHAN1', channelKind: 'public' })).toBe(false) // not opted in

    await core.admin.setEnabled(actorFor(adminMember, true), workspace, false)
    expect(await ask('C00FAKECHAN1', 'public')).toBe(false)
  })

  it('reads no channel for a member who opted out', async () => {
    test = await createTestCore()
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    expect(await test.core.mayReadAsContext(actorFor(memberA), { channelId: 'C00FAKECHAN1', channelKind: 'public' })).toBe(true)
    await test.core.setConsent(actorFor(memberA), memberA, false)
    expect(await test.core.mayReadAsContext(actorFor(memberA), { channelId: 'C00FAKECHAN1', channelKind: 'public' })).toBe(false)
  })
})
