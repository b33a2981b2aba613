// The same Slack messages, two ways in: as live events to the real Bolt app, and read back by a member's backfill
// (conversations.history on the fake Web API). One translation serves both, so both stores learn the same text.
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { actionIds } from '../adapters/slack/action-ids.js'
import { memberKey } from '../src/core/identity/keys.js'
import type { MemberRef } from '../src/core/types.js'
import { startSlackTestApp, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { blockAction, eventCallback } from '../testing/fakes/fake-slack-payloads.js'
import type { SlackMessageFixture } from '../testing/fakes/fake-slack-web-api.js'
import { exportedMessages, fixtureMembers, privateChannelId } from '../testing/support/slack-export-fixture.js'

let live: SlackTestApp | undefined
let backfilled: SlackTestApp | undefined
afterEach(async () => {
  await live?.close()
  await backfilled?.close()
  live = backfilled = undefined
})

const learners = [fixtureMembers.maya, fixtureMembers.tom, fixtureMembers.priya]

async function measured(app: SlackTestApp, member: MemberRef) {
  const profile = await app.testCore.core.profile({ member, isPlatformAdmin: false }, member)
  const counts = await app.testCore.store.collection('style', z.unknown()).get(memberKey(member))
  return { historySize: profile.historySize, attributes: profile.attributes, counts }
}

async function started(): Promise<SlackTestApp> {
  const app = await startSlackTestApp({ settings: { SLACK_BACKFILL_MAX_MESSAGES: '1000' } })
  app.slack.addUser({ id: fixtureMembers.priya, name: 'priya' })
  await app.enable(['*', privateChannelId])
  for (const userId of learners) await app.optIn(userId)
  return app
}

describe('a member’s Slack backfill and the same messages as live Slack events', () => {
  it('learn the same text for every member: rich text as written, file shares, file comments and thread broadcasts', async () => {
    // Channels only: direct messages are never learned from, live or backfilled.
    const events = exportedMessages().filter((each) => each.channelType === 'channel' || each.channelType === 'group')
    expect(events.map((each) => each.message.subtype)).toEqual(expect.arrayContaining(['file_share', 'file_comment', 'thread_broadcast']))

    live = await started()
    for (const { channelId, channelType, message } of events) await live.send(eventCallback({ ...message, channel: channelId, channel_type: channelType }))
    const handled = () => live!.logs.filter((line) => ['slack_message_observed', 'slack_message_skipped', 'slack_observe_failed'].includes(line.event)).length
    await expect.poll(handled, { timeout: 20_000 }).toBe(events.length)

    backfilled = await started()
    for (const channelId of new Set(events.map((each) => each.channelId))) {
      const inChannel = events.filter((each) => each.channelId === channelId)
      const newestFirst = inChannel.map((each) => each.message as SlackMessageFixture).reverse()
      backfilled.slack.addChannel({ id: channelId, name: channelId.toLowerCase(), is_member: true, is_private: inChannel[0]!.channelType === 'group' }, newestFirst)
    }
    for (const userId of learners) {
      await backfilled.send(blockAction({ actionId: actionIds.backfill, value: 'reply', userId, responseUrl: backfilled.slack.responseUrl(`backfill-${userId}`) }))
      await backfilled.waitForResponse(`backfill-${userId}`)
      await backfilled.app.idle()
    }

    for (const userId of learners) {
      const fromEvents = await measured(live, live.member(userId))
      const fromBackfill = await measured(backfilled, backfilled.member(userId))
      expect(fromEvents.historySize, userId).toBeGreaterThan(5)
      expect(fromBackfill.historySize, userId).toBe(fromEvents.historySize)
      expect(fromBackfill.attributes, userId).toEqual(fromEvents.attributes)
      expect(fromBackfill.counts, userId).toEqual(fromEvents.counts)
    }
  })
})
