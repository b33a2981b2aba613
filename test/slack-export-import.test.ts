// Importing a real Slack export through the console: the project's own export fixture in Slack's layout (users,
// public and private channels, DMs, threads, edits, bots, joins, file comments, tombstones, rich text), read from a
// folder whose name has spaces and from the .zip Slack hands out, stored as Slack text and reported by kind.
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runConsoleScript } from '../testing/support/console-script.js'
import { copySlackExport, fixtureMembers, privateChannelId, slackExportFixture, slackExportName } from '../testing/support/slack-export-fixture.js'
import { createTestCore, dumpStore, type TestCore } from '../testing/support/test-core.js'
import { writeZip, zipEntriesOf } from '../testing/support/zip-writer.js'

let test: TestCore
afterEach(() => test?.close())

const historyLines = async () => (await dumpStore(test.store)).filter((line) => line.startsWith('history '))

describe('importing a Slack export', () => {
  it('reads an export folder whose name has spaces, quoted or not', async () => {
    test = await createTestCore()
    const escaped = slackExportFixture.replace(/ /g, '\\ ')
    const output = await runConsoleScript(test.core, [`import ${slackExportFixture}`, `import "${slackExportFixture}" maya`, `import '${slackExportFixture}'`, `import ${escaped}`, 'quit'])
    expect(output).not.toContain('No file or directory')
    expect(output).toContain('Stored 71;')
    // The same export again: nothing new, every message recognised as already imported.
    expect(output.match(/Stored 0; skipped 71 already imported/g)).toHaveLength(3)
  })

  it('stores the text of an export as Slack text: no user ids, links by their label, no escapes', async () => {
    test = await createTestCore()
    await runConsoleScript(test.core, [`admin channels *,${privateChannelId}`, `import ${slackExportFixture}`, 'quit'])
    const stored = (await historyLines()).join('\n')
    expect(stored).toContain('@someone can you look at the flaky test?')
    expect(stored).toContain('pushed a fix, ci run is green :tada:')
    expect(stored).toContain('tests & lint both pass now')
    expect(stored).toContain('@here deploy in 10 min')
    expect(stored).toContain('can someone review https://example.org/pulls/17')
    for (const raw of ['<@U', '<http', '<!here>', '<!channel>', '<!everyone>', '&amp;', '&lt;', '&gt;']) expect(stored).not.toContain(raw)
  })

  it('reports what it read, stored and skipped by kind, and keeps the comment of a file share', async () => {
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${slackExportFixture}`, 'quit'])
    expect(output).toContain(`Read 82 messages by 4 members from 3 channels (1 private) in the Slack export ${slackExportName}.`)
    expect(output).toContain('Not imported: 3 bot posts, 4 joins and other channel events, 1 deleted message (tombstone), 2 file shares without a comment.')
    expect(output).toContain('Direct messages are never imported: 2 conversations left unread.')
    expect(output).toContain(`Stored 71; skipped 9 in private channels not enabled for learning (#leads: \`admin channels *,${privateChannelId}\` allows it), 2 by members not named on import.`)
    expect(output).not.toMatch(/unreadable/)
    const stored = (await historyLines()).join('\n')
    expect(stored).toContain("here's the diagram from the whiteboard")
    expect(stored).toContain('love it!! 🎨')
    expect(stored).toContain('new layout attached, thoughts??')
    expect(stored).not.toContain('uploaded a file')
    expect(stored).not.toContain('has joined the channel')
    expect(stored).not.toContain('This message was deleted')
    expect(stored).not.toContain('Deploy #42')
    expect(stored).toContain('answering anyway: yes it ships friday') // a reply under a tombstone is still the member's
    expect(stored).toContain('all flaky tests fixed!!') // a thread reply sent to the channel too
    expect(stored).toContain('the release notes are up, have a look') // the edited text, as the export holds it
  })

  it('reads the .zip Slack gives you, with files at its root or in one folder', async () => {
    const copy = copySlackExport()
    const atRoot = join(dirname(copy), `${slackExportName}.zip`)
    writeFileSync(atRoot, writeZip(zipEntriesOf(copy).map((entry, index) => ({ ...entry, method: index % 2 ? 'stored' : 'deflate' }))))
    const nested = join(dirname(copy), 'nested export.zip')
    writeFileSync(nested, writeZip(zipEntriesOf(copy, dirname(copy))))
    const large = join(dirname(copy), 'zip64.zip')
    writeFileSync(large, writeZip(zipEntriesOf(copy), { zip64: true }))
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${atRoot}`, `import ${nested}`, `import ${large}`, 'quit'])
    expect(output).not.toMatch(/unreadable|⚠/)
    expect(output.match(/Read 82 messages by 4 members from 3 channels \(1 private\) in the Slack export/g)).toHaveLength(3)
    expect(output).toContain('Stored 71;')
    expect(output.match(/Stored 0; skipped 71 already imported/g)).toHaveLength(2)
    rmSync(dirname(copy), { recursive: true, force: true })
  })

  it('says what is wrong with a zip that is damaged or not an export', async () => {
    const copy = copySlackExport()
    const truncated = join(dirname(copy), 'truncated.zip')
    writeFileSync(truncated, writeZip(zipEntriesOf(copy)).subarray(0, 2000))
    const notExport = join(dirname(copy), 'photos.zip')
    writeFileSync(notExport, writeZip([{ name: 'holiday.txt', data: Buffer.from('not an export') }]))
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${truncated}`, `import ${notExport}`, 'quit'])
    expect(output).toContain('truncated.zip is not a readable zip file (no central directory; is the download complete?)')
    expect(output).toContain('photos.zip is not a Slack export: it has no channels.json.')
    rmSync(dirname(copy), { recursive: true, force: true })
  })

  it('names each malformed file in a clear line and imports the rest of the export', async () => {
    const copy = copySlackExport()
    writeFileSync(join(copy, 'general', '2026-01-15.json'), '{"messages": []}')
    writeFileSync(join(copy, 'engineering', '2026-01-14.json'), '[{"type": "message", "text": "unterminated')
    writeFileSync(join(copy, 'users.json'), '{"members": "none"}')
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${copy}`, 'quit'])
    expect(output).toContain('⚠ general/2026-01-15.json is not a list of messages (a JSON array); skipped.')
    expect(output).toMatch(/⚠ engineering\/2026-01-14\.json is not valid JSON \(.+\); skipped\./)
    expect(output).toContain('⚠ users.json is not a list of users ([{ "id", "name" }, …]); members are listed by id.')
    expect(output).not.toContain('Unexpected error')
    expect(output).toMatch(/Stored [1-9]\d*;/)

    writeFileSync(join(copy, 'channels.json'), '{"channels": "general"}')
    const second = await runConsoleScript(test.core, [`import ${copy}`, 'quit'])
    expect(second).toContain('⚠ channels.json is not a list of channels ([{ "id", "name" }, …]); its channels are not imported.')
    expect(second).toContain('⚠ Folders engineering, general are not listed in channels.json or groups.json, so not imported')
    expect(second).not.toMatch(/invalid_type|expected array/)

    writeFileSync(join(copy, 'channels.json'), JSON.stringify([{ id: 'C00FAKECHAN1', name: 'general' }, { id: 'C00FAKECHAN2', name: 42 }]))
    const third = await runConsoleScript(test.core, [`import ${copy}`, 'quit'])
    expect(third).toContain('⚠ channels.json: entry 2 is not a channel ({ "id", "name" }); skipped.')
    expect(third).toContain('Read 35 messages by 4 members from 2 channels (1 private)')
    rmSync(dirname(copy), { recursive: true, force: true })
  })

  it('lists members by their export names and selects them by display name, real name or username', async () => {
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [
      `import ${slackExportFixture} maya,Tom Baker`,
      'members',
      'as maya',
      'profile',
      'as Priya Raman',
      'as tom.baker',
      'profile',
      'quit',
    ])
    expect(output).toContain('Importing 82 messages; opting in 2 member(s)')
    expect(output).toMatch(/U00FAKEUSER1\s+maya · Maya Lin · @maya\.lin\s+opted in, 26 messages kept/)
    expect(output).toMatch(/U00FAKEUSER3\s+Priya Raman · @priya\s+not opted in/)
    expect(output).toMatch(/U00FAKEUSER4\s+sam · Sam Old · @sam\.old \(deactivated\)\s+not opted in/)
    expect(output).toContain(`You are now maya (${fixtureMembers.maya}).`)
    expect(output).toContain(`${fixtureMembers.maya}: opted in (import`)
    expect(output).toContain(`You are now Priya Raman (${fixtureMembers.priya}).`)
    expect(output).toContain(`You are now Tom B (${fixtureMembers.tom}).`)
    expect(output).toMatch(/U00FAKEUSER2: opted in \(import[^\n]*\nHistory: 21 messages/)
  })

  it('imports private channels (groups.json) only where learning is enabled for them, and never direct messages', async () => {
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${slackExportFixture}`, `admin channels *,${privateChannelId}`, `import ${slackExportFixture}`, 'quit'])
    expect(output).toContain(`9 in private channels not enabled for learning (#leads: \`admin channels *,${privateChannelId}\` allows it)`)
    expect(output).toContain('Stored 9; skipped 71 already imported, 2 by members not named on import.')
    const stored = await historyLines()
    const leads = stored.filter((line) => line.includes(privateChannelId))
    expect(leads).toHaveLength(9) // a row per message
    expect(leads.join('\n')).toContain('"channelKind":"private"')
    const everything = (await dumpStore(test.store)).join('\n')
    expect(everything).not.toContain('interviewing elsewhere')
    expect(everything).not.toContain('surprise party')
  })

  it('reads rich-text blocks as Slack renders them; the text field is only the fallback', async () => {
    const { slackMessageText } = await import('../adapters/slack/slack-message-text.js')
    // Slack's documented rich_text layout: sections, lists, quotes, preformatted text and every inline element.
    const message = {
      type: 'message',
      user: 'U00FAKEUSER1',
      ts: '1768550000.000100',
      text: 'This message contains rich text.',
      blocks: [
        {
          type: 'rich_text',
          block_id: 'b1',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Hi ' },
                { type: 'user', user_id: 'U00FAKEUSER2' },
                { type: 'text', text: ' and ' },
                { type: 'usergroup', usergroup_id: 'S00FAKEGROUP' },
                { type: 'text', text: ', ' },
                { type: 'broadcast', range: 'here' },
                { type: 'text', text: ' see ' },
                { type: 'channel', channel_id: 'C00FAKECHAN2' },
                { type: 'text', text: ' and ' },
                { type: 'link', url: 'https://example.org/spec', text: 'the spec' },
                { type: 'text', text: ' or ' },
                { type: 'link', url: 'https://example.org/raw' },
                { type: 'text', text: ' by ' },
                { type: 'date', timestamp: 1768600000, format: '{date_short}', fallback: 'Jan 16' },
                { type: 'text', text: ' ' },
                { type: 'emoji', name: 'wave', unicode: '1f44b' },
                { type: 'text', text: ' ' },
                { type: 'text', text: 'bold', style: { bold: true } },
                { type: 'text', text: ' ' },
                { type: 'text', text: 'x < y & z', style: { code: true } },
                { type: 'text', text: '\n' },
              ],
            },
            { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'first' }] }, { type: 'rich_text_section', elements: [{ type: 'text', text: 'second' }] }] },
            { type: 'rich_text_list', style: 'bullet', indent: 1, elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'nested' }] }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted line' }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'npm test' }] },
          ],
        },
      ],
    }
    expect(slackMessageText(message)).toBe(
      'Hi <@U00FAKEUSER2> and <!subteam^S00FAKEGROUP>, <!here> see <#C00FAKECHAN2> and <https://example.org/spec|the spec> or <https://example.org/raw> by <!date^1768600000^{date_short}|Jan 16> :wave: *bold* `x &lt; y &amp; z`\n' +
        '1. first\n2. second\n    • nested\n&gt; quoted line\n```npm test```',
    )
    // Blocks that are not rich text (an app's section) leave the text field as what the member sees.
    expect(slackMessageText({ text: 'fallback *text*', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'app layout' } }] })).toBe('fallback *text*')
    expect(slackMessageText({ text: 'plain', blocks: 'not blocks' })).toBe('plain')

    test = await createTestCore()
    await runConsoleScript(test.core, [`import ${slackExportFixture}`, 'quit'])
    const stored = (await historyLines()).join('\n')
    expect(stored).toContain('*shipped* the new dashboard!! :rocket:')
    expect(stored).not.toContain('This message contains rich text.')
    expect(stored).toContain('@someone the checklist for friday:\\n• run the migrations\\n• flip the flag')
  })
})
