// Bounds on what an import reads: a JSONL line, an export's day file and one message each have a size past which
// they are skipped and counted (or named) while the rest imports, and an oversized line is never held in memory.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { runConsoleScript } from '../testing/support/console-script.js'
import { copySlackExport } from '../testing/support/slack-export-fixture.js'
import { createTestCore, dumpStore, type TestCore } from '../testing/support/test-core.js'

let test: TestCore
afterEach(() => test?.close())

const line = (ts: number, text: string) => JSON.stringify({ user: 'ana', ts: String(1_768_400_000 + ts), text }) + '\n'

/** Writes a JSONL file with one 50 MB line among ordinary ones, in 1 MB pieces (never as one string). */
async function fileWithHugeLine(path: string) {
  const out = createWriteStream(path)
  for (let index = 0; index < 3; index++) out.write(line(index, `ordinary message number ${index}`))
  out.write('{"user":"ana","ts":"1768400010","text":"')
  const piece = 'all work and no play '.repeat(50_000) // about 1 MB
  for (let written = 0; written < 50; written++) if (!out.write(piece)) await once(out, 'drain')
  out.write('"}\n')
  for (let index = 3; index < 5; index++) out.write(line(index, `ordinary message number ${index}`))
  out.end()
  await once(out, 'finish')
}

describe('bounded imports', () => {
  it('skips and counts an import line over the bound without holding it in memory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bounds-'))
    const path = join(directory, 'huge-line.jsonl')
    await fileWithHugeLine(path)
    test = await createTestCore()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2)
    const output = await runConsoleScript(test.core, [`import ${path}`, 'quit'])
    clearInterval(sampler)
    expect(output).toContain('Read 5 messages by 1 member from 1 channel in huge-line.jsonl.')
    expect(output).toContain('Not imported: 1 line over 256 KB.')
    expect(output).toContain('Stored 5.')
    expect((await dumpStore(test.store)).join('\n')).not.toContain('all work and no play')
    // Streaming past 50 MB in 64 KB chunks; holding the line would take several times the line itself.
    expect(peak - baseline).toBeLessThan(150 * 1024 * 1024)
    rmSync(directory, { recursive: true, force: true })
  })

  it('names a day file over the bound, counts a message over Slack’s own limit, and imports the rest', async () => {
    const copy = copySlackExport()
    const day = join(copy, 'general', '2026-01-14.json')
    writeFileSync(day, JSON.stringify([...JSON.parse(readFileSync(day, 'utf8')), { type: 'message', user: 'U00FAKEUSER1', ts: '1768390000.000100', text: 'x'.repeat(33 * 1024 * 1024) }]))
    const other = join(copy, 'engineering', '2026-01-14.json')
    writeFileSync(other, JSON.stringify([...JSON.parse(readFileSync(other, 'utf8')), { type: 'message', user: 'U00FAKEUSER1', ts: '1768390001.000100', text: 'y'.repeat(40_001) }]))
    test = await createTestCore()
    const output = await runConsoleScript(test.core, [`import ${copy}`, 'quit'])
    expect(output).toContain('⚠ general/2026-01-14.json is 33 MB, over the 32 MB one file of an export may be; skipped.')
    expect(output).toMatch(/Not imported: [^\n]*1 message over 40,000 characters/)
    expect(output).toMatch(/Stored [1-9]\d*;/)
    const stored = (await dumpStore(test.store)).join('\n')
    expect(stored).not.toContain('yyyyyyyyyy')
    expect(stored).toContain('demo went great!!! the client loved it') // the rest of that day file is in
    rmSync(dirname(copy), { recursive: true, force: true })
  })
})
