// Benchmark: importing a large JSONL export on SQLite, as the console's `import` does (read the file, then the core's
// batch import), two ways in the same run: the console's reader, which streams the file into the import a batch at a
// time, and the reader it replaced, which read the whole file into memory first (the baseline). Each runs in its own
// process, so each peak RSS (sampled during the read and the import) is its own. Next to them, the per-message observe
// path the import used before batching (each message observed alone, as a live event is) on the first messages of
// the same file. The export is the chat corpus repeated up to the line count asked for, written by a team of
// `members` (each corpus author becomes one of them), so the history bound drops pages and the calibration after the
// import stays the size of one team's. Run alone with `tsx bench/import-throughput.ts [lines]`.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readConversationFile } from '../adapters/console/read-conversation-file.js'
import { renderImportProgress } from '../adapters/console/render-import.js'
import type { ObservedMessage } from '../src/core/types.js'
import { adminActor, createBenchCore, enableWorkspace, optIn } from './bench-core.js'
import { benchWorkspace } from './chat-corpus.js'
import { readWholeJsonlFile } from './whole-file-jsonl-reader.js'

export type ImportReader = 'streaming' | 'whole-file'

/** One import of the whole export, in a process of its own. */
export type ImportRun = {
  reader: ImportReader
  members: number
  messages: number
  stored: number
  /** Before the import starts: the whole file (whole-file), or the pass that counts members and lines (streaming). */
  readMs: number
  /** Until the last message is stored and every member's style counted (streaming: the file is read again meanwhile). */
  importMs: number
  /** Messages over read + import. */
  messagesPerSecond: number
  /** The calibration of every member after the messages are in, timed apart. */
  calibrationMs: number
  rss: { beforeMb: number; peakMb: number }
  /** The progress lines the import printed, as the console shows them (a line per tenth of the way). */
  progress: string[]
}

export type ImportThroughputReport = {
  benchmark: 'import-throughput'
  corpus: string
  lines: number
  members: number
  /** The console's reader: the file streams into the import a batch at a time. */
  streaming: ImportRun
  /** The reader before streaming: the whole file read into memory, then imported (the baseline). */
  wholeFile: ImportRun
  /** The first messages of the same file, each through the live observe path alone (the import before batching). */
  perMessage: { messages: number; stored: number; ms: number; messagesPerSecond: number }
}

export type ImportThroughputOptions = { corpusPath: string; lines: number; members: number; perMessageLines: number; log?: (line: string) => void }

export async function runImportThroughputBenchmark(options: ImportThroughputOptions): Promise<ImportThroughputReport> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-import-'))
  try {
    const exportPath = join(directory, 'export.jsonl')
    await writeExport(options.corpusPath, exportPath, options.lines, options.members)
    const perMessage = await measurePerMessage(exportPath, options.perMessageLines)
    // One after the other, the baseline first. On a shared machine the order weighs: with the streamed import first
    // it came out at 0.6-0.9x of the baseline, with the baseline first at 1.04-1.26x.
    const wholeFile = await importInChild('whole-file', exportPath, options.log)
    const streaming = await importInChild('streaming', exportPath, options.log)
    return { benchmark: 'import-throughput', corpus: options.corpusPath, lines: options.lines, members: streaming.members, streaming, wholeFile, perMessage }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** Runs `importOnce` in a fresh process (this file with `--child`), passing its progress lines on to `log`. */
async function importInChild(reader: ImportReader, exportPath: string, log?: (line: string) => void): Promise<ImportRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', reader, exportPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let buffered = ''
  let errors = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (buffered + chunk.toString()).split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      if (line.startsWith('import:')) log?.(`import (${reader}): ${line.slice('import:'.length).trim()}`)
      else if (line.trim()) errors += line + '\n'
    }
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`the ${reader} import process exited with ${code}: ${(errors + buffered).trim()}`)
  return JSON.parse(output) as ImportRun
}

/** One import of the export with one reader, in this process, with its peak RSS. */
export async function importOnce(reader: ImportReader, exportPath: string, log?: (line: string) => void): Promise<ImportRun> {
  const rss = { beforeMb: megabytes(process.memoryUsage().rss), peakMb: 0 }
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  const bench = await createBenchCore()
  try {
    await bench.core.admin.setEnabled(adminActor(benchWorkspace), benchWorkspace, true)
    const progress: string[] = []
    const started = performance.now()
    const file = reader === 'streaming' ? await readConversationFile(exportPath, benchWorkspace) : await readWholeJsonlFile(exportPath, benchWorkspace)
    const readMs = performance.now() - started
    let messagesDoneAt = 0
    let lastShown = 0
    const report = await bench.core.admin.importMessages({
      actor: adminActor(benchWorkspace),
      messages: file.messages(),
      total: file.messageCount,
      consentingUserIds: [...file.members.keys()],
      onProgress: (done, total, stage, counts) => {
        // The messages are stored and their style counted once the calibration starts.
        if (stage === 'calibration' && !messagesDoneAt) messagesDoneAt = performance.now()
        if (stage === 'calibration' && done === 0) return
        // What the console prints, a line per tenth of the way (it overwrites one line when interactive).
        if (done !== total && done - lastShown < total / 10) return
        lastShown = done === total ? 0 : done
        const line = renderImportProgress(done, total, stage, performance.now() - started, counts)
        progress.push(line)
        log?.(`import: ${line}`)
      },
    })
    const finished = performance.now()
    clearInterval(sampler)
    rss.peakMb = megabytes(Math.max(peak, process.memoryUsage().rss))
    const importMs = (messagesDoneAt || finished) - started - readMs
    return {
      reader,
      members: file.members.size,
      messages: file.messageCount,
      stored: report.stored,
      readMs: Math.round(readMs),
      importMs: Math.round(importMs),
      messagesPerSecond: Math.round(file.messageCount / ((readMs + importMs) / 1000)),
      calibrationMs: Math.round(finished - (messagesDoneAt || finished)),
      rss,
      progress,
    }
  } finally {
    clearInterval(sampler)
    await bench.close()
  }
}

/** The corpus lines again and again until `lines` are written, in one channel, each author one of `members`. */
async function writeExport(corpusPath: string, exportPath: string, lines: number, members: number) {
  const corpus = readFileSync(corpusPath, 'utf8').split('\n').filter((line) => line.trim())
  const authors = new Map<string, string>()
  const out = createWriteStream(exportPath)
  for (let index = 0; index < lines; index++) {
    const record = JSON.parse(corpus[index % corpus.length]!) as { user: string } & Record<string, unknown>
    let author = authors.get(record.user)
    if (!author) authors.set(record.user, (author = `member${authors.size % members}`))
    const line = { ...record, team: 'bench', channel: 'general', file_year: '2026', user: author }
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

async function measurePerMessage(exportPath: string, count: number): Promise<ImportThroughputReport['perMessage']> {
  const bench = await createBenchCore()
  try {
    const file = await readConversationFile(exportPath, benchWorkspace)
    const messages: ObservedMessage[] = []
    for await (const message of file.messages()) {
      if (messages.length >= count) break
      messages.push(message)
    }
    await enableWorkspace(bench.core, benchWorkspace)
    await optIn(bench.core, benchWorkspace, new Set(messages.map((each) => each.userId!)))
    let stored = 0
    const started = performance.now()
    for (const message of messages) if ((await bench.core.observe(message)).status === 'stored') stored += 1
    const ms = performance.now() - started
    return { messages: messages.length, stored, ms: Math.round(ms), messagesPerSecond: Math.round(messages.length / (ms / 1000)) }
  } finally {
    await bench.close()
  }
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024)

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => process.stderr.write(line + '\n')
  if (process.argv[2] === '--child') {
    const run = await importOnce(process.argv[3] as ImportReader, process.argv[4]!, log)
    process.stdout.write(JSON.stringify(run))
    process.exit(0)
  }
  const { loadConfig } = await import('../src/config.js')
  const lines = Number(process.argv[2] ?? 227_000)
  const report = await runImportThroughputBenchmark({
    corpusPath: join(loadConfig().DATA_DIR, 'chat', 'slack-software-help.dev.jsonl'),
    lines,
    members: 50,
    perMessageLines: 2000,
    log,
  })
  console.log(JSON.stringify(report, null, 2))
  process.exit(0)
}
