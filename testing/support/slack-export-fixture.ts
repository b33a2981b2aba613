// The Slack export fixture the project wrote for its tests (Slack's layout: users.json, channels.json, groups.json,
// dms.json, mpims.json, one folder per conversation, a JSON array per day), and helpers to copy or replay it.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const slackExportName = 'Acme Slack export Jan 14 2026 - Jan 16 2026'
export const slackExportFixture = join('test', 'fixtures', 'slack-export', slackExportName)

export const fixtureMembers = { maya: 'U00FAKEUSER1', tom: 'U00FAKEUSER2', priya: 'U00FAKEUSER3', sam: 'U00FAKEUSER4' } as const
export const privateChannelId = 'G00FAKEPRIV1'

/** A copy of the fixture in a fresh temporary directory (same folder name, spaces included), to break or zip. */
export function copySlackExport(): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'hyperalign-export-')), slackExportName)
  cpSync(slackExportFixture, copy, { recursive: true })
  return copy
}

export type ExportedMessage = { channelId: string; channelType: 'channel' | 'group' | 'im' | 'mpim'; message: Record<string, unknown> }

/** Every message of the fixture with the conversation it was in, oldest first: what live events would have carried. */
export function exportedMessages(directory = slackExportFixture): ExportedMessage[] {
  const lists: [string, ExportedMessage['channelType']][] = [['channels.json', 'channel'], ['groups.json', 'group'], ['dms.json', 'im'], ['mpims.json', 'mpim']]
  const found: ExportedMessage[] = []
  for (const [file, channelType] of lists) {
    if (!existsSync(join(directory, file))) continue
    for (const conversation of JSON.parse(readFileSync(join(directory, file), 'utf8')) as { id: string; name?: string }[]) {
      const folder = join(directory, channelType === 'im' ? conversation.id : conversation.name!)
      if (!existsSync(folder)) continue
      for (const day of readdirSync(folder).sort()) {
        for (const message of JSON.parse(readFileSync(join(folder, day), 'utf8')) as Record<string, unknown>[]) found.push({ channelId: conversation.id, channelType, message })
      }
    }
  }
  return found.sort((a, b) => Number(a.message.ts) - Number(b.message.ts))
}
