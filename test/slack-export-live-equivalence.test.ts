// The same messages, two ways in: the project's Slack export fixture imported through the console, and the same
// messages sent as signed Slack events to the real Bolt app. Both stores must end up with the same measured style.
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { memberKey } from '../src/core/identity/keys.js'
import type { MemberRef } from '../src/core/types.js'
import { startSlackTestApp, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { eventCallback } from '../testing/fakes/fake-slack-payloads.js'
import { runConsoleScript } from '../testing/support/console-script.js'
import { exportedMessages, fixtureMembers, privateChannelId, slackExportFixture } from '../testing/support/slack-export-fixture.js'
import { createTestCore, type TestCore } from '../testing/support/test-core.js'

let imported: TestCore | undefined
let live: SlackTestApp | undefined
afterEach(async () => {
  await imported?.close()
  await live?.close()
  imported = live = undefined
})

const learners = [fixtureMembers.maya, fixtureMembers.tom, fixtureMembers.priya]

async function measured(test: TestCore, member: MemberRef) {
  const profile = await test.core.profile({ member, isPlatformAdmin: false }, member)
  const counts = await test.store.collection('style', z.unknown()).get(memberKey(member))
  return { historySize: profile.historySize, attributes: profile.attributes, counts }
}

describe('a Slack export imported on the console and the same messages as live Slack events', () => {
  it('produce the same measured style for every member', async () => {
    imported = await createTestCore()
    const output = await runConsoleScript(imported.core, [`admin channels *,${privateChannelId}`, `import ${slackExportFixture}`, 'quit'])
    expect(output).toContain('Stored 80;')

    live = await startSlackTestApp()
    await live.enable(['*', privateChannelId])
    for (const userId of learners) await live.optIn(userId)
    const events = exportedMessages()
    for (const { channelId, channelType, message } of events) await live.send(eventCallback({ ...message, channel: channelId, channel_type: channelType }))
    const handled = () => live!.logs.filter((line) => ['slack_message_observed', 'slack_message_skipped', 'slack_observe_failed'].includes(line.event)).length
    await expect.poll(handled, { timeout: 20_000 }).toBe(events.length)
    expect(live.logs.filter((line) => line.event === 'slack_observe_failed')).toEqual([])

    for (const userId of learners) {
      const fromImport = await measured(imported, { platform: 'console', workspaceId: 'local', userId })
      const fromEvents = await measured(live.testCore, live.member(userId))
      expect(fromImport.historySize).toBeGreaterThan(20)
      expect(fromImport.attributes, userId).toEqual(fromEvents.attributes)
      expect(fromImport.historySize, userId).toBe(fromEvents.historySize)
      expect(fromImport.counts, userId).toEqual(fromEvents.counts)
    }
  })
})
