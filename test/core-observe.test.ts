// The observe path: filters (bots, DMs, disabled workspace, channels not enabled), markup normalisation, bounded
// history, mirrored edits and deletions, duplicate deliveries, incremental style counts, and no model call ever.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actorFor, adminMember, createTestCore, dumpStore, enableWorkspace, memberA, message, workspace, type TestCore } from '../testing/support/test-core.js'

let test: TestCore
beforeEach(async () => {
  test = await createTestCore({ settings: { HISTORY_MAX_MESSAGES: '60' } })
  await enableWorkspace(test.core)
  await test.core.setConsent(actorFor(memberA), memberA, true)
})
afterEach(() => test.close())

describe('observe', () => {
  it('drops bots, direct messages, disabled workspaces and channels without learning', async () => {
    expect(await test.core.observe(message(memberA, 'beep', { isBot: true }))).toEqual({ status: 'ignored', reason: 'bot' })
    expect(await test.core.observe(message(memberA, 'psst', { channelKind: 'direct' }))).toEqual({ status: 'ignored', reason: 'direct_message' })
    // `*` covers public channels only; a private channel must be listed by id.
    expect(await test.core.observe(message(memberA, 'secret', { channelKind: 'private', channelId: 'G00PRIVATE1' }))).toEqual({ status: 'ignored', reason: 'channel_not_enabled' })
    const admin = actorFor(adminMember, true)
    await test.core.admin.setLearningChannels(admin, workspace, ['C00ALLOWED1', 'G00PRIVATE1'])
    expect(await test.core.observe(message(memberA, 'elsewhere', { channelId: 'C00OTHER01' }))).toEqual({ status: 'ignored', reason: 'channel_not_enabled' })
    expect((await test.core.observe(message(memberA, 'private but allowed', { channelKind: 'private', channelId: 'G00PRIVATE1' }))).status).toBe('stored')
    await test.core.admin.setEnabled(admin, workspace, false)
    expect(await test.core.observe(message(memberA, 'off', { channelId: 'C00ALLOWED1' }))).toEqual({ status: 'ignored', reason: 'bot_disabled' })
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(1)
    expect(test.server.requests).toHaveLength(0)
  })

  it('answers which channels a member’s backfill may read: listed ones, every public one under *, never a direct message', async () => {
    const channels = [
      { channelId: 'C00PUBLIC01', channelKind: 'public' as const },
      { channelId: 'G00PRIVATE1', channelKind: 'private' as const },
      { channelId: 'G00PRIVATE2', channelKind: 'private' as const },
      { channelId: 'D00DIRECT01', channelKind: 'direct' as const },
    ]
    const admin = actorFor(adminMember, true)
    await test.core.admin.setLearningChannels(admin, workspace, ['*', 'G00PRIVATE2', 'D00DIRECT01'])
    expect(await test.core.backfillChannels(actorFor(memberA), channels)).toEqual(['C00PUBLIC01', 'G00PRIVATE2'])
    await test.core.admin.setLearningChannels(admin, workspace, ['G00PRIVATE1'])
    expect(await test.core.backfillChannels(actorFor(memberA), channels)).toEqual(['G00PRIVATE1'])
    // Before opt-in, and while the workspace is off, there is nothing to read.
    const newcomer = { ...memberA, userId: 'U00NEWCOMER' }
    expect(await test.core.backfillChannels(actorFor(newcomer), channels)).toEqual([])
    await test.core.admin.setEnabled(admin, workspace, false)
    expect(await test.core.backfillChannels(actorFor(memberA), channels)).toEqual([])
  })

  it('normalises platform markup before storing, keeping no user ids', async () => {
    await test.core.observe(message(memberA, 'hey <@U00FAKEUSER9> see <https://example.com/x|the doc> &amp; <#C00FAKECHAN2|general>'))
    const stored = (await dumpStore(test.store)).filter((line) => line.startsWith('history')).join('\n')
    expect(stored).toContain('the doc')
    expect(stored).toContain('#general')
    expect(stored).not.toContain('U00FAKEUSER9')
    expect(stored).not.toContain('&amp;')
  })

  it('processes a duplicated delivery once', async () => {
    const first = message(memberA, 'only once please')
    expect((await test.core.observe(first)).status).toBe('stored')
    expect(await test.core.observe(first)).toEqual({ status: 'ignored', reason: 'duplicate' })
    const concurrent = message(memberA, 'two processes, one event')
    const outcomes = await Promise.all([test.core.observe(concurrent), test.core.observe(concurrent)])
    expect(outcomes.filter((outcome) => outcome.status === 'stored')).toHaveLength(1)
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(2)
  })

  it('mirrors edits and deletions, in the history and in the measured style', async () => {
    const original = message(memberA, 'Hello there. This has punctuation.')
    await test.core.observe(original)
    const before = (await test.core.profile(actorFor(memberA), memberA)).attributes!
    expect(before.endsWithPunctuationRate).toBe(1)
    expect(await test.core.observe({ ...original, kind: 'edited', text: 'hello there no punctuation' })).toEqual({ status: 'updated' })
    const edited = (await test.core.profile(actorFor(memberA), memberA)).attributes!
    expect(edited.endsWithPunctuationRate).toBe(0)
    expect((await dumpStore(test.store)).join('\n')).not.toContain('This has punctuation')
    // A deletion arrives without an author; the core finds it.
    expect(await test.core.observe({ ...original, kind: 'deleted', userId: undefined, text: undefined })).toEqual({ status: 'deleted' })
    const profile = await test.core.profile(actorFor(memberA), memberA)
    expect(profile.historySize).toBe(0)
    expect(profile.attributes?.messages ?? 0).toBe(0)
    expect((await dumpStore(test.store)).join('\n')).not.toContain('hello there')
    expect(await test.core.observe({ ...original, kind: 'deleted' })).toEqual({ status: 'ignored', reason: 'unknown_message' })
  })

  it('keeps the history bounded and the style counts in step with it', async () => {
    for (let index = 0; index < 200; index++) await test.core.observe(message(memberA, `message ${index}`))
    const profile = await test.core.profile(actorFor(memberA), memberA)
    expect(profile.historySize).toBeLessThanOrEqual(60)
    expect(profile.historySize).toBeGreaterThanOrEqual(10)
    expect(profile.attributes!.messages).toBe(profile.historySize)
    const stored = (await dumpStore(test.store)).join('\n')
    expect(stored).not.toContain('"message 0"')
    expect(stored).toContain('message 199')
  })

  it('marks a member due for learning after enough new text, without calling the model', async () => {
    const due = await createTestCore({ settings: { LEARN_MIN_NEW_MESSAGES: '3' } })
    try {
      await enableWorkspace(due.core)
      await due.core.setConsent(actorFor(memberA), memberA, true)
      const outcomes = []
      for (let index = 0; index < 3; index++) outcomes.push(await due.core.observe(message(memberA, `text ${index}`)))
      expect(outcomes.map((outcome) => outcome.status === 'stored' && outcome.due)).toEqual([false, false, true])
      expect(due.server.requests).toHaveLength(0)
    } finally {
      await due.close()
    }
  })

  it('does not store a message longer than MAX_MESSAGE_CHARS (too long to learn from), live or imported; an edit past it removes the kept text', async () => {
    const bounded = await createTestCore({ settings: { MAX_MESSAGE_CHARS: '200' } })
    try {
      await enableWorkspace(bounded.core)
      await bounded.core.setConsent(actorFor(memberA), memberA, true)
      const atTheBound = 'a'.repeat(199) + '.'
      expect((await bounded.core.observe(message(memberA, atTheBound))).status).toBe('stored')
      expect(await bounded.core.observe(message(memberA, 'OVERSIZED ' + 'b'.repeat(191)))).toEqual({ status: 'ignored', reason: 'too_long' })
      // The bound is on the text as stored: platform markup is normalised first.
      const link = `see <https://example.com/${'c'.repeat(300)}|the runbook>`
      expect((await bounded.core.observe(message(memberA, link))).status).toBe('stored')
      // An edit past the bound: the kept version no longer stands for what they wrote, so it goes.
      const edited = message(memberA, 'EDITED-LATER a short message')
      await bounded.core.observe(edited)
      expect(await bounded.core.observe({ ...edited, kind: 'edited', text: 'EDITED-LONG ' + 'd'.repeat(300) })).toEqual({ status: 'deleted' })
      // The importer goes through the same path.
      const imported = await bounded.core.admin.importMessages({ actor: actorFor(adminMember, true), messages: [message(memberA, 'IMPORTED-OVERSIZED ' + 'e'.repeat(300))], consentingUserIds: [memberA.userId] })
      expect(imported).toMatchObject({ stored: 0, ignored: 1 })
      const profile = await bounded.core.profile(actorFor(memberA), memberA)
      expect(profile.historySize).toBe(2)
      expect(profile.attributes!.messages).toBe(2)
      expect((await dumpStore(bounded.store)).join('\n')).not.toMatch(/OVERSIZED|EDITED-LATER|EDITED-LONG/)
    } finally {
      await bounded.close()
    }
  })

  it('sweeps messages past retention from history and style', async () => {
    let now = Date.now()
    const clocked = await createTestCore({ clock: () => now })
    try {
      await enableWorkspace(clocked.core)
      await clocked.core.setConsent(actorFor(memberA), memberA, true)
      await clocked.core.admin.setRetentionDays(actorFor(adminMember, true), workspace, 7)
      await clocked.core.observe(message(memberA, 'old message'))
      now += 8 * 86_400_000
      await clocked.core.observe(message(memberA, 'new message'))
      expect(await clocked.lifecycle.sweep()).toEqual({ members: 1, messagesRemoved: 1 })
      const profile = await clocked.core.profile(actorFor(memberA), memberA)
      expect(profile.historySize).toBe(1)
      expect(profile.attributes!.messages).toBe(1)
      expect((await dumpStore(clocked.store)).join('\n')).not.toContain('old message')
    } finally {
      await clocked.close()
    }
  })
})
