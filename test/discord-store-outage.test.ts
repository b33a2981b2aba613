// Nothing lost when the store is down, on Discord (which never redelivers): the real discord.js client on the fake
// gateway, the real core on Redis behind a TCP proxy that the test cuts mid-run. Messages sent during the outage
// wait in memory and are stored once the store is back; past the bound they are dropped and counted in the admin
// status; a member who opted out meanwhile (in another process) is not stored; forget erases what waits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/open-store.js'
import { startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { adminPermissions, fakeIds, fakeUsers, makeMessage } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { startTcpProxy, type TcpProxy } from '../testing/support/tcp-proxy.js'
import { createTestCore, type TestCore } from '../testing/support/test-core.js'

// Its own Redis database, so no other test file's clear() races this one.
const redisUrl = new URL(loadConfig().TEST_REDIS_URL)
const directUrl = `redis://${redisUrl.host}/12`

let proxy: TcpProxy
let harness: DiscordTestBot | undefined
let otherProcess: TestCore | undefined
beforeEach(async () => {
  const cleaner = await openStore(directUrl)
  await cleaner.clear()
  await cleaner.close()
  proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
})
afterEach(async () => {
  await proxy.restore()
  await harness?.close()
  await otherProcess?.close()
  harness = undefined
  otherProcess = undefined
  await proxy.close()
})

/** The bot on Redis through the proxy; replays wait for the test unless `retryDelays` says otherwise. */
const startBot = (settings: Record<string, string> = {}, retryDelays = { firstMs: 600_000, maxMs: 600_000 }) =>
  startDiscordTestBot({ storeUrl: `redis://127.0.0.1:${proxy.port}/12`, settings, retryDelays })

const inGeneral = (author: typeof fakeUsers.alice, content: string) => makeMessage({ author, channelId: fakeIds.publicChannel, content })
const historySize = async (bot: DiscordTestBot, userId: string) => (await bot.testCore.core.profile(bot.actor(userId), bot.member(userId))).historySize

/** The counts an admin sees in `/hyperalign-admin status`, by field name. */
async function statusFields(bot: DiscordTestBot): Promise<Record<string, string>> {
  const interaction = makeSlashInteraction({ name: 'hyperalign-admin', user: fakeUsers.admin, permissions: adminPermissions, options: [{ name: 'status', type: 1, options: [] }] })
  await bot.interact(interaction)
  const edit = await bot.waitForEdit(interaction, (body) => Boolean(body.embeds?.length))
  return Object.fromEntries((edit.embeds![0]!.fields ?? []).map((field) => [field.name, field.value]))
}

async function sendAll(bot: DiscordTestBot, messages: ReturnType<typeof inGeneral>[]) {
  const before = bot.observed.length
  for (const message of messages) await bot.sendMessage(message)
  return (await bot.waitForObserved(before + messages.length)).slice(before).map((entry) => entry.outcome)
}

describe('Discord while the store is down', () => {
  it('messages sent during an outage are stored once the store is back; past the bound they are dropped and counted; a member who opted out meanwhile is not stored', async () => {
    harness = await startBot({ RETRY_QUEUE_MAX_MESSAGES: '5' })
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    await harness.optIn(fakeIds.memberBob)
    expect(await sendAll(harness, [inGeneral(fakeUsers.alice, 'ALICE-BEFORE the outage')])).toEqual([{ status: 'stored', due: false }])

    await proxy.cut()
    const waiting = [
      inGeneral(fakeUsers.alice, 'ALICE-DURING-1 is the build green'),
      inGeneral(fakeUsers.alice, 'ALICE-DURING-2 restarting the runner'),
      inGeneral(fakeUsers.bob, 'BOB-DURING-1 lunch anyone'),
      inGeneral(fakeUsers.alice, 'ALICE-DURING-3 ok it is back'),
      inGeneral(fakeUsers.bob, 'BOB-DURING-2 never mind'),
    ]
    expect(await sendAll(harness, waiting)).toEqual(Array(5).fill({ status: 'queued' }))
    const pastTheBound = [inGeneral(fakeUsers.alice, 'ALICE-DROPPED-1 one more'), inGeneral(fakeUsers.alice, 'ALICE-DROPPED-2 and another')]
    expect(await sendAll(harness, pastTheBound)).toEqual(Array(2).fill({ status: 'dropped', reason: 'retry_queue_full' }))

    // Bob opts out in another process that still reaches the store.
    otherProcess = await createTestCore({ storeUrl: directUrl })
    await otherProcess.core.setConsent(harness.actor(fakeIds.memberBob), harness.member(fakeIds.memberBob), false)

    await proxy.restore()
    expect(await statusFields(harness)).toMatchObject({ 'Waiting for the store': '5', 'Lost while the store was down': '2' })
    expect(await harness.testCore.lifecycle.retryWaitingMessages()).toEqual({ stored: 3, ignored: 2, dropped: 0, waiting: 0 })

    expect(await historySize(harness, fakeIds.memberAlice)).toBe(4)
    expect(await historySize(harness, fakeIds.memberBob)).toBe(0)
    const stored = await harness.storeText()
    for (const marker of ['ALICE-BEFORE', 'ALICE-DURING-1', 'ALICE-DURING-2', 'ALICE-DURING-3']) expect(stored).toContain(marker)
    expect(stored).not.toMatch(/ALICE-DROPPED|BOB-DURING/)
    expect(stored).not.toContain(fakeIds.memberBob)
    expect(await statusFields(harness)).toMatchObject({ 'Waiting for the store': '0', 'Lost while the store was down': '2' })
  })

  it('forget erases the member’s messages waiting for the store; nothing of theirs is stored when it is back', async () => {
    harness = await startBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    await harness.optIn(fakeIds.memberBob)

    await proxy.cut()
    const outcomes = await sendAll(harness, [inGeneral(fakeUsers.alice, 'ALICE-WAITING-1 first'), inGeneral(fakeUsers.bob, 'BOB-WAITING-1 hello'), inGeneral(fakeUsers.alice, 'ALICE-WAITING-2 second')])
    expect(outcomes).toEqual(Array(3).fill({ status: 'queued' }))
    await proxy.restore()

    const report = await harness.testCore.core.forget(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice))
    expect(report.messages).toBe(2)
    expect(await statusFields(harness)).toMatchObject({ 'Waiting for the store': '1', 'Lost while the store was down': '0' })
    expect(await harness.testCore.lifecycle.retryWaitingMessages()).toEqual({ stored: 1, ignored: 0, dropped: 0, waiting: 0 })
    const stored = await harness.storeText()
    expect(stored).toContain('BOB-WAITING-1')
    expect(stored).not.toContain('ALICE-WAITING')
    expect(stored).not.toContain(fakeIds.memberAlice)
  })

  it('replays on its own once the store is back, edits and deletions included, in the order they happened', async () => {
    harness = await startBot({}, { firstMs: 100, maxMs: 400 })
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)

    await proxy.cut()
    const edited = inGeneral(fakeUsers.alice, 'ORIGINAL-TEXT sent while the store was down')
    const doomed = inGeneral(fakeUsers.alice, 'DOOMED-TEXT deleted while the store was down')
    expect(await sendAll(harness, [edited, doomed])).toEqual([{ status: 'queued' }, { status: 'queued' }])
    await harness.fake.gateway.dispatch('MESSAGE_UPDATE', { ...edited, content: 'EDITED-TEXT while the store was down', edited_timestamp: new Date().toISOString() })
    await harness.fake.gateway.dispatch('MESSAGE_DELETE', { id: doomed.id, channel_id: doomed.channel_id, guild_id: fakeIds.guild })
    expect((await harness.waitForObserved(4)).slice(2).map((entry) => entry.outcome)).toEqual([{ status: 'queued' }, { status: 'queued' }])
    await proxy.restore()

    const deadline = Date.now() + 20_000
    while ((await statusFields(harness))['Waiting for the store'] !== '0') {
      if (Date.now() > deadline) throw new Error('the waiting messages were never replayed')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(1)
    const stored = await harness.storeText()
    expect(stored).toContain('EDITED-TEXT')
    expect(stored).not.toMatch(/ORIGINAL-TEXT|DOOMED-TEXT/)
  })
})
