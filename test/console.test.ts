// The console adapter end to end: a script of commands on stdin against a real core (SQLite, the openai SDK and
// the fake model), as a newcomer would type them after `npm start`.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { runConsoleApp } from '../adapters/console/console-app.js'
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { createTestCore, dumpStore, type TestCore } from '../testing/support/test-core.js'

let test: TestCore
afterEach(() => test?.close())

async function runScript(lines: string[]): Promise<string> {
  const input = new PassThrough()
  const output = new PassThrough()
  let text = ''
  output.on('data', (chunk) => (text += chunk))
  input.end(lines.join('\n') + '\n')
  await runConsoleApp({ core: test.core, input, output, samplePath: 'examples/sample-conversation.jsonl', modelDescription: 'fake' })
  return text
}

describe('console', () => {
  it('imports the sample, learns a member, drafts in their voice and forgets them', async () => {
    test = await createTestCore({ server: { handler: scriptedHandler({ text: () => 'ok merged, watching the dashboards' }) } })
    const output = await runScript([
      'import examples/sample-conversation.jsonl maya,tom',
      'members',
      'as maya',
      'learn',
      'draft tell the team the deploy is done',
      'score yeah ok looking now',
      'ask how do I undo a commit?',
      'forget',
      'y',
      'profile',
      'quit',
    ])
    expect(output).toContain('Importing 93 messages; opting in 2 member(s)')
    expect(output).toMatch(/imported 93 of 93 messages/)
    expect(output).toMatch(/priya\s+not opted in/)
    expect(output).toMatch(/History: 35 messages/)
    expect(output).toContain('Writes short lower-case messages')
    expect(output).toMatch(/─── draft \(only you see this\) ───\nok merged, watching the dashboards/)
    expect(output).toMatch(/style match: (0|1)\.\d\d/)
    expect(output).toMatch(/style match \d\.\d\d/)
    expect(output).toContain('Erased 35 messages')
    expect(output).toContain('maya: not opted in')
    const stored = (await dumpStore(test.store)).join('\n')
    expect(stored).not.toContain('"maya"')
    expect(stored).not.toContain('v1:console:local:maya')
    expect(stored).not.toContain('priya') // never named on import, so never stored
  })

  it('reads a JSONL chat file as Slack text unless a line says its markup is plain', async () => {
    test = await createTestCore()
    const directory = mkdtempSync(join(tmpdir(), 'hyperalign-console-'))
    const lines = [
      { user: 'ana', ts: '1', text: '<@U00FAKEUSER2> see <https://example.org/runbook|the runbook> &amp; ping <!here>' },
      { user: 'ana', ts: '2', text: 'literal <@U00FAKEUSER2> &amp; stays', markup: 'plain' },
    ]
    writeFileSync(join(directory, 'chat.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n') + '\n')
    await runScript([`import ${join(directory, 'chat.jsonl')}`, 'quit'])
    const stored = (await dumpStore(test.store)).filter((line) => line.startsWith('history ')).join('\n')
    expect(stored).toContain('@someone see the runbook & ping @here')
    expect(stored).toContain('literal <@U00FAKEUSER2> &amp; stays')
  })

  it('explains bad input and keeps going', async () => {
    test = await createTestCore()
    const directory = mkdtempSync(join(tmpdir(), 'hyperalign-console-'))
    writeFileSync(join(directory, 'broken.jsonl'), '{"user":"ana","ts":"1","text":"hello"}\nnot json\n')
    const output = await runScript(['draft hello', 'as ana', 'draft hello', `import ${join(directory, 'broken.jsonl')}`, 'import missing.jsonl', 'admin mode sometimes', 'frobnicate', 'quit'])
    expect(output).toContain('Choose who you are first')
    expect(output).toContain('needs your opt-in first')
    expect(output).toContain('Not imported: 1 unreadable line.')
    expect(output).toContain('No file or directory at missing.jsonl')
    expect(output).toContain('Usage: admin mode <member|admin>')
    expect(output).toContain('Unknown command “frobnicate”')
  })
})
