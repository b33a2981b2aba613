// Two Discord shards as two real processes (the project's shard manager, discord.js's ShardingManager, spawning
// app/main.ts twice) over one Redis store: each identifies with its shard, each guild is served by exactly one of
// them, and an admin change made through one shard is seen by the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../src/store/open-store.js'
import { fakeBotToken, startFakeDiscord, type FakeDiscord } from '../testing/fakes/fake-discord-harness.js'
import { shardForGuild } from '../testing/fakes/fake-discord-gateway.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { adminPermissions, fakeIds, fakeUsers, makeGuild, makeTextChannel } from '../testing/fakes/fake-discord-payloads.js'
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { startAppProcess, type AppProcess } from '../testing/support/app-process.js'
import { isolatedRedisUrl } from '../testing/support/isolated-databases.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'

const storeUrl = isolatedRedisUrl(8)
// One guild on each of two shards: the shard is (guild id >> 22) % 2.
const guildA = fakeIds.guild
const guildB = String(BigInt(fakeIds.guild) + (1n << 22n))
const channelB = '910000000000000021'

let discord: FakeDiscord
let model: FakeOpenAiServer
let manager: AppProcess
beforeAll(async () => {
  const store = await openStore(storeUrl)
  await store.clear()
  await store.close()
  discord = await startFakeDiscord({ guilds: [makeGuild(), makeGuild({ id: guildB, name: 'Other Guild', channels: [makeTextChannel(channelB, 'general', { guildId: guildB })] })] })
  model = await startFakeOpenAiServer({ handler: scriptedHandler({}) })
  manager = startAppProcess('app/discord-shards.ts', { STORE_URL: storeUrl, ...discord.environment, LLM_BASE_URL: model.url, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', LEARNING_MODE: 'off' }, ['--shards', '2'])
  await manager.waitFor((line) => line.event === 'discord_ready' && JSON.stringify(line.shards) === '[0]', 90_000)
  await manager.waitFor((line) => line.event === 'discord_ready' && JSON.stringify(line.shards) === '[1]', 90_000)
}, 120_000)
afterAll(async () => {
  await manager?.stop()
  await discord?.close()
  await model?.close()
})

const adminCommand = (guildId: string, options: unknown[]) =>
  makeSlashInteraction({ name: 'hyperalign-admin', guildId, channel: makeTextChannel(guildId === guildA ? fakeIds.publicChannel : channelB, 'general', { guildId }), user: fakeUsers.admin, permissions: adminPermissions, options: options as never })

async function reply(interaction: { id: string; token: string }) {
  await discord.rest.waitForCall((call) => call.method === 'POST' && call.path === `/interactions/${interaction.id}/${interaction.token}/callback`)
  const edit = await discord.rest.waitForCall((call) => call.method === 'PATCH' && call.path.endsWith(`/${interaction.token}/messages/@original`))
  return JSON.stringify(edit.body)
}

describe('Discord shards as processes', () => {
  it('identifies once per shard, and serves each guild from exactly one shard', () => {
    expect(discord.gateway.identifies.map((identify) => identify.shard).sort()).toEqual([[0, 2], [1, 2]])
    expect(shardForGuild(guildA, 2)).not.toBe(shardForGuild(guildB, 2))
    const ready = manager.lines.filter((line) => line.event === 'discord_ready')
    expect(ready.map((line) => [line.shards, line.guilds]).sort()).toEqual([[[0], 1], [[1], 1]])
  })

  it('sees an admin change made through one shard from the other shard', async () => {
    const enable = adminCommand(guildA, [{ name: 'enable', type: 1, options: [{ name: 'enabled', type: 5, value: true }] }])
    await discord.gateway.dispatch('INTERACTION_CREATE', enable)
    expect(await reply(enable)).toContain('hyperalign is on in this server')
    // After a resharding the guild's interactions reach the other process; it reads the policy from the store.
    const status = adminCommand(guildA, [{ name: 'status', type: 1 }])
    await discord.gateway.dispatchToShard(1 - shardForGuild(guildA, 2), 'INTERACTION_CREATE', status)
    expect(await reply(status)).toContain('hyperalign is on in this server')
    // The other guild was not touched.
    const otherStatus = adminCommand(guildB, [{ name: 'status', type: 1 }])
    await discord.gateway.dispatch('INTERACTION_CREATE', otherStatus)
    expect(await reply(otherStatus)).toContain('hyperalign is off in this server')
  }, 60_000)
})
