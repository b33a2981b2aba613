// The Slack app manifest a team creates the app from must declare what the code listens to: both commands, the
// message shortcut, the assistant pane, the events, the request URL path and the OAuth redirect for posting as the member.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commands, shortcutIds } from '../adapters/slack/action-ids.js'
import { slackEventsPath } from '../adapters/slack/create-slack-app.js'
import { oauthCallbackPath, userScope } from '../adapters/slack/user-posting.js'

const manifest = readFileSync('slack/manifest.yml', 'utf8')
/** The list items under a `key:` line, read by indentation (the manifest is plain YAML lists and maps). */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n')
  const start = lines.findIndex((line) => line.trim() === `${key}:`)
  if (start < 0) return []
  const indent = lines[start]!.search(/\S/)
  const items: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    if (line.search(/\S/) <= indent) break
    const item = /^\s*-\s+(.+)$/.exec(line)
    if (item) items.push(item[1]!.trim())
  }
  return items
}

describe('slack/manifest.yml', () => {
  it('declares every slash command and the message shortcut the app registers', () => {
    for (const command of Object.values(commands)) expect(manifest).toContain(`- command: ${command}\n`)
    for (const callbackId of Object.values(shortcutIds)) expect(manifest).toContain(`callback_id: ${callbackId}\n`)
  })

  it('subscribes to the events the app handles; direct messages only for the assistant pane, never to learn from', () => {
    expect(listUnder('bot_events').sort()).toEqual(['app_home_opened', 'assistant_thread_context_changed', 'assistant_thread_started', 'message.channels', 'message.groups', 'message.im'])
    // No group DMs, and no user-token events: the app's own DMs carry the pane and nothing else is read.
    expect(manifest).not.toMatch(/message\.mpim|user_events/)
  })

  it('declares the assistant pane: the assistant_view feature with a description, its scopes, and a DM members can type in', () => {
    const features = manifest.slice(manifest.indexOf('features:'), manifest.indexOf('oauth_config:'))
    expect(features).toMatch(/\n {2}assistant_view:\n {4}assistant_description: >-\n {6}Drafts messages in your own voice/)
    expect(listUnder('bot')).toEqual(expect.arrayContaining(['assistant:write', 'chat:write', 'im:history']))
    expect(features).toContain('messages_tab_read_only_enabled: false')
  })

  it('points every request URL at the events path and lists the OAuth redirect with the user scope', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((match) => match[1]!)
    expect(urls.length).toBeGreaterThanOrEqual(4)
    for (const url of urls) expect(new URL(url).pathname).toBe(slackEventsPath)
    expect(listUnder('redirect_urls').map((url) => new URL(url).pathname)).toEqual([oauthCallbackPath])
    expect(listUnder('user')).toEqual([userScope])
    expect(listUnder('bot')).toEqual(expect.arrayContaining(['commands', 'chat:write', 'channels:history', 'groups:history', 'users:read']))
  })
})
