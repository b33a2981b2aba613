// Benchmark: importing a large JSONL export on SQLite, as the console's `import` does (read the file, then the core's
// batch import), next to the per-message observe path the import used before (each message observed alone, as a live
// event is) on the first messages of the same file, in the same run. Peak RSS is sampled during the import. The
// export is the chat corpus repeated up to the line count asked for, written by a team of `members` (each corpus
// author becomes one of them), so the history bound drops pages and the calibration after the import stays the size
// of one team's. Run alone with `tsx bench/import-throughput.ts [lines]`.
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { readConversationFile } from '../adapters/console/read-conversation-file.js'
import type { ObservedMessage } from '../src/core/types.js'
import { adminActor, createBenchCore, enableWorkspace, optIn } from './bench-core.js'
import { benchWorkspace } from './chat-corpus.js'

export type ImportThroughputReport = {
  benchmark: 'import-throughput'
  corpus: string
  lines: number
  members: number
  /** Read the file and import its messages (the calibration that follows is timed apart). */
  batched: { messages: number; stored: number; readMs: number; importMs: number; messagesPerSecond: number; calibrationMs: number }
  /** The first messages of the same file, each through the live observe path alone (the import before batching). */
  perMessage: { messages: number; stored: number; ms: number; messagesPerSecond: number }
  rss: { beforeMb: number; peakMb: number }
  /** The progress lines the import printed, as the console shows them. */
  progress: string[]
}

export type ImportThroughputOptions = { corpusPath: string; lines: number; members: number; perMessageLines: number; log?: (line: string) => void }

export async function runImportThroughputBenchmark(options: ImportThroughputOptions): Promise<ImportThroughputReport> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-bench-import-'))
  try {
    const exportPath = join(directory, 'export.jsonl')
    await writeExport(options.corpusPath, exportPath, options.lines, options.members)
    const perMessage = await measurePerMessage(exportPath, options.perMessageLines)
    global.gc?.()
    const rss = { beforeMb: megabytes(process.memoryUsage().rss), peakMb: 0 }
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
    const bench = await createBenchCore()
    try {
      await bench.core.admin.setEnabled(adminActor(benchWorkspace), benchWorkspace, true)
      const progress: string[] = []
      const started = performance.now()
      const file = await readConversationFile(exportPath, benchWorkspace)
      const readMs = performance.now() - started
      let messagesDoneAt = 0
      let lastShown = 0
      const report = await bench.core.admin.importMessages({
        actor: adminActor(benchWorkspace),
        messages: file.messages,
        consentingUserIds: [...file.members.keys()],
        onProgress: (done, total, stage) => {
          if (stage === 'messages' && done === total) messagesDoneAt = performance.now()
          // What the console prints, a line per tenth of the way (it overwrites one line when interactive).
          if (done !== total && done - lastShown < total / 10) return
          lastShown = done === total ? 0 : done
          const line = stage === 'messages' ? `imported ${done} of ${total} messages` : `measured the style of ${done} of ${total} members`
          progress.push(line)
          options.log?.(`import: ${line}`)
        },
      })
      const finished = performance.now()
      clearInterval(sampler)
      rss.peakMb = megabytes(Math.max(peak, process.memoryUsage().rss))
      const importMs = (messagesDoneAt || finished) - started - readMs
      return {
        benchmark: 'import-throughput',
        corpus: options.corpusPath,
        lines: options.lines,
        members: file.members.size,
        batched: {
          messages: file.messages.length,
          stored: report.stored,
          readMs: Math.round(readMs),
          importMs: Math.round(importMs),
          messagesPerSecond: Math.round(file.messages.length / ((readMs + importMs) / 1000)),
          calibrationMs: Math.round(finished - (messagesDoneAt || finished)),
        },
        perMessage,
        rss,
        progress,
      }
    } finally {
      clearInterval(sampler)
      await bench.close()
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
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
    const messages: ObservedMessage[] = file.messages.slice(0, count)
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
  const { loadConfig } = await import('../src/config.js')
  const lines = Number(process.argv[2] ?? 227_000)
  const report = await runImportThroughputBenchmark({
    corpusPath: join(loadConfig().DATA_DIR, 'chat', 'slack-software-help.dev.jsonl'),
    lines,
    members: 50,
    perMessageLines: 2000,
    log: (line) => process.stderr.write(line + '\n'),
  })
  console.log(JSON.stringify(report, null, 2))
  process.exit(0)
}
