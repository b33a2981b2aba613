// /hyperalign-admin on Discord: admins (Manage Server, as Discord computed it) change policy and member opt-ins;
// everyone else is refused server-side even when they send the admin interaction directly.
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkspacePolicy } from '../src/core/types.js'
import { startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { adminPermissions, fakeIds, fakeUsers, memberPermissions } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction, type SlashOption } from '../testing/fakes/fake-discord-interactions.js'
import { directChannelIdFor } from '../testing/fakes/fake-discord-rest.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const adminCommand = (options: SlashOption[], user = fakeUsers.admin, permissions = adminPermissions, resolved?: unknown) =>
  makeSlashInteraction({ name: 'hyperalign-admin', user, permissions, options, ...(resolved ? { resolved } : {}) })

async function policy(bot: DiscordTestBot): Promise<WorkspacePolicy> {
  return bot.testCore.core.admin.policy({ member: bot.member(fakeIds.admin), isPlatformAdmin: true }, { platform: 'discord', workspaceId: fakeIds.guild })
}

async function run(bot: DiscordTestBot, interaction: ReturnType<typeof adminCommand>) {
  await bot.interact(interaction)
  return bot.waitForEdit(interaction)
}

const channelResolved = { channels: { [fakeIds.publicChannel]: { id: fakeIds.publicChannel, type: 0, name: 'general', permissions: memberPermissions } } }
const userResolved = (user: typeof fakeUsers.bob) => ({ users: { [user.id]: user }, members: { [user.id]: { roles: [], joined_at: '2024-01-01T00:00:00.000Z', permissions: memberPermissions, flags: 0 } } })

describe('Discord admin commands', () => {
  it('a member without Manage Server cannot run admin actions even with a forged interaction', async () => {
    harness = await startDiscordTestBot()
    const forged = [
      [{ name: 'enable', type: 1, options: [{ name: 'enabled', type: 5, value: true }] }],
      [{ name: 'learning', type: 2, options: [{ name: 'allow', type: 1, options: [{ name: 'channel', type: 7, value: fakeIds.publicChannel }] }] }],
      [{ name: 'consent-mode', type: 1, options: [{ name: 'mode', type: 3, value: 'admin' }] }],
      [{ name: 'member', type: 1, options: [{ name: 'user', type: 6, value: fakeIds.memberAlice }, { name: 'opted-in', type: 5, value: true }] }],
      [{ name: 'audit', type: 1, options: [] }],
    ] satisfies SlashOption[][]
    for (const options of forged) {
      const resolved = { ...channelResolved, ...userResolved(fakeUsers.alice) }
      const edit = await run(harness, adminCommand(options, fakeUsers.bob, memberPermissions, resolved))
      expect(edit.content).toBe('Only a workspace admin can do that.')
    }
    expect(await policy(harness)).toMatchObject({ enabled: false, learningChannels: [], consentMode: 'member' })
    const profile = await harness.testCore.core.profile(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice))
    expect(profile.optedIn).toBe(false)
  })

  it('an admin switches the bot on, allows a channel and sets retention, and sees status and counts', async () => {
    harness = await startDiscordTestBot()
    const on = await run(harness, adminCommand([{ name: 'enable', type: 1, options: [{ name: 'enabled', type: 5, value: true }] }]))
    expect(on.embeds![0]!.title).toBe('hyperalign is on in this server')
    const allowed = await run(harness, adminCommand([{ name: 'learning', type: 2, options: [{ name: 'allow', type: 1, options: [{ name: 'channel', type: 7, value: fakeIds.publicChannel }] }] }], fakeUsers.admin, adminPermissions, channelResolved))
    expect(allowed.embeds![0]!.fields!.find((field) => field.name === 'Learning channels')!.value).toBe(`<#${fakeIds.publicChannel}>`)
    await run(harness, adminCommand([{ name: 'retention', type: 1, options: [{ name: 'days', type: 4, value: 30 }] }]))
    expect(await policy(harness)).toMatchObject({ enabled: true, learningChannels: [fakeIds.publicChannel], retentionDays: 30 })
    const status = await run(harness, adminCommand([{ name: 'status', type: 1, options: [] }]))
    expect(status.embeds![0]!.fields!.map((field) => field.name)).toEqual(expect.arrayContaining(['Drafts', 'Opted-in members', 'Refusals']))
  })

  it('in the admin consent mode an admin opts a member in and the member is told by DM; any admin can opt them out', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await run(harness, adminCommand([{ name: 'consent-mode', type: 1, options: [{ name: 'mode', type: 3, value: 'admin' }] }]))
    const optIn = await run(harness, adminCommand([{ name: 'member', type: 1, options: [{ name: 'user', type: 6, value: fakeIds.memberBob }, { name: 'opted-in', type: 5, value: true }] }], fakeUsers.admin, adminPermissions, userResolved(fakeUsers.bob)))
    expect(optIn.content).toMatch(/is now opted in\.\nThey were told by DM\./)
    const [notice] = harness.fake.rest.sentTo(directChannelIdFor(fakeIds.memberBob))
    expect(notice!.content).toMatch(/A workspace admin opted you in/)
    const members = await run(harness, adminCommand([{ name: 'members', type: 1, options: [] }]))
    expect(members.embeds![0]!.description).toContain(`<@${fakeIds.memberBob}>`)
    expect(members.embeds![0]!.description).toContain('(by an admin)')
    const optOut = await run(harness, adminCommand([{ name: 'member', type: 1, options: [{ name: 'user', type: 6, value: fakeIds.memberBob }, { name: 'opted-in', type: 5, value: false }] }], fakeUsers.admin, adminPermissions, userResolved(fakeUsers.bob)))
    expect(optOut.content).toMatch(/is now opted out/)
  })

  it('in the member consent mode an admin cannot opt someone in', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const edit = await run(harness, adminCommand([{ name: 'member', type: 1, options: [{ name: 'user', type: 6, value: fakeIds.memberBob }, { name: 'opted-in', type: 5, value: true }] }], fakeUsers.admin, adminPermissions, userResolved(fakeUsers.bob)))
    expect(edit.content).toMatch(/members opt in themselves/)
    expect(harness.fake.rest.sentTo(directChannelIdFor(fakeIds.memberBob))).toHaveLength(0)
  })

  it('the audit log shows refusals with their rule ids, not what was asked', async () => {
    harness = await startDiscordTestBot({ model: { refuse: (kind) => (kind === 'safety_request' ? ['H3'] : undefined) } })
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const draft = makeSlashInteraction({ name: 'draft', user: fakeUsers.alice, options: [{ name: 'intent', type: 3, value: 'AUDIT-MARKER insult the new hire' }] })
    await harness.interact(draft)
    await harness.waitForEdit(draft)
    const audit = await run(harness, adminCommand([{ name: 'audit', type: 1, options: [{ name: 'limit', type: 4, value: 5 }] }]))
    expect(audit.embeds![0]!.description).toMatch(/refus.*\[H3\]/)
    expect(audit.embeds![0]!.description).not.toContain('AUDIT-MARKER')
  })
})
