// A JSONL import streams: the reader keeps counts and members, never the file's messages; the import takes the
// messages a batch at a time as they are read, reporting progress (stored, rate) per batch; malformed lines are counted
// and named by line number without stopping the rest.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readJsonlFile } from '../adapters/console/read-jsonl-file.js'
import type { ObservedMessage } from '../src/core/types.js'
import { runConsoleScript } from '../testing/support/console-script.js'
import { actorFor, adminMember, createTestCore, enableWorkspace, workspace, type TestCore } from '../testing/support/test-core.js'

let test: TestCore | undefined
const directories: string[] = []
afterEach(async () => {
  await test?.close()
  test = undefined
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const scratch = () => {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-streaming-'))
  directories.push(directory)
  return directory
}

const line = (index: number, user = `member${index % 3}`) =>
  JSON.stringify({ user, ts: String(1_768_400_000 + index), text: `message number ${index} from ${user}, written the way ${user} writes` }) + '\n'

async function writeLines(path: string, count: number) {
  const out = createWriteStream(path)
  for (let index = 0; index < count; index++) if (!out.write(line(index))) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

describe('streamed JSONL imports', () => {
  it('take the file a batch at a time as it is read, with progress per batch', async () => {
    const batch = 40
    const path = join(scratch(), 'export.jsonl')
    await writeLines(path, batch * 6 + 7)
    test = await createTestCore({ settings: { IMPORT_BATCH_MESSAGES: String(batch) } })
    await enableWorkspace(test.core)
    const file = await readJsonlFile(path, workspace)
    expect(file.messageCount).toBe(batch * 6 + 7)
    let pulled = 0
    async function* counted(): AsyncGenerator<ObservedMessage> {
      for await (const message of file.messages()) {
        pulled += 1
        yield message
      }
    }
    const progress: { done: number; pulled: number; stored?: number }[] = []
    const report = await test.core.admin.importMessages({
      actor: actorFor(adminMember, true),
      messages: counted(),
      total: file.messageCount,
      consentingUserIds: [...file.members.keys()],
      onProgress: (done, _total, stage, counts) => stage === 'messages' && progress.push({ done, pulled, stored: counts?.stored }),
    })
    expect(report).toMatchObject({ total: batch * 6 + 7, stored: batch * 6 + 7 })
    expect(progress.map((each) => each.done)).toEqual([1, 2, 3, 4, 5, 6].map((each) => each * batch).concat(batch * 6 + 7))
    expect(progress.map((each) => each.stored)).toEqual(progress.map((each) => each.done))
    // When a batch is done, at most the next one has been read ahead: never the file.
    for (const each of progress) expect(each.pulled).toBeLessThanOrEqual(each.done + batch)
    expect(progress[0]!.pulled).toBeLessThan(file.messageCount)
  })

  it('read a file many times a batch without holding its messages', { timeout: 120_000 }, async () => {
    const path = join(scratch(), 'large.jsonl')
    // About 90 MB of lines: as parsed rows and messages, several times that.
    const out = createWriteStream(path)
    const padding = 'and then some more words about the build, '.repeat(5)
    for (let index = 0; index < 400_000; index++) {
      if (!out.write(JSON.stringify({ user: `member${index % 50}`, ts: String(1_768_400_000 + index), text: `${index}: ${padding}` }) + '\n')) await once(out, 'drain')
    }
    out.end()
    await once(out, 'finish')
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    const file = await readJsonlFile(path, workspace)
    let count = 0
    let last: ObservedMessage | undefined
    for await (const message of file.messages()) {
      count += 1
      last = message
    }
    clearInterval(sampler)
    expect(file.messageCount).toBe(400_000)
    expect(count).toBe(400_000)
    expect(file.members.size).toBe(50)
    expect(last).toMatchObject({ userId: 'member49', messageId: `${1_768_400_000 + 399_999}#399999` })
    expect(peak - baseline).toBeLessThan(150 * 1024 * 1024)
  })

  it('count and name malformed lines by number, skip an oversized one unread, and import the rest', async () => {
    const path = join(scratch(), 'broken.jsonl')
    writeFileSync(
      path,
      [
        line(1).trim(),
        line(2).trim(),
        '{"user": "member0", "ts": "1768400003", "text": "cut off',
        line(4).trim(),
        JSON.stringify({ ts: '1768400005', text: 'no author' }),
        '',
        `{"user":"member1","ts":"1768400007","text":"${'x'.repeat(300 * 1024)}"}`,
        line(8).trim(),
        '[1, 2, 3]',
      ].join('\n'),
    )
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${path}`, 'quit'])
    expect(output).toContain('Read 4 messages by 2 members from 1 channel in broken.jsonl.')
    expect(output).toContain('Not imported: 3 unreadable lines, 1 line over 256 KB.')
    expect(output).toContain('⚠ Skipped lines 3 (unreadable), 5 (unreadable), 7 (over 256 KB), 9 (unreadable).')
    expect(output).toMatch(/imported 4 of 4 messages \(4 stored, \d+ messages\/s\)/)
    expect(output).toContain('Stored 4.')
  })
})
