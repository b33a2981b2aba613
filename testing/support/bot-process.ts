// Runs a real entry point of the project (the bot, `npm run discord:register`, or a small script) in a child Node
// process with tsx, in an empty temporary directory and only the settings given, and collects what it prints.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

export type LogLine = { level: string; event: string; [field: string]: unknown }

export type BotProcess = {
  child: ChildProcess
  /** A directory of its own for the process (its working directory), e.g. for a SQLite file. */
  directory: string
  stderr(): string
  /** stderr lines that are not JSON log lines: what an operator reads as the message. */
  plainLines(): string[]
  logs(): LogLine[]
  waitForLog(event: string, timeoutMs?: number): Promise<LogLine>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stop(): Promise<void>
}

type Settings = Record<string, string>

/**
 * `entry` is a path under the repository (`app/main.ts`) or, with `inline`, ES module source to run. Settings may be
 * computed from the process's own directory (e.g. a SQLite file in it).
 */
export function runProcess(entry: string, settingsFor: Settings | ((directory: string) => Settings), options: { inline?: boolean } = {}): BotProcess {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-process-'))
  const settings = typeof settingsFor === 'function' ? settingsFor(directory) : settingsFor
  const args = options.inline ? ['--import', tsxLoader, '--input-type=module', '-e', entry] : ['--import', tsxLoader, join(root, entry)]
  const child = spawn(process.execPath, args, {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', HOME: directory, NODE_NO_WARNINGS: '1', ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const waiters: { event: string; resolve: (line: LogLine) => void }[] = []
  const parsed = (): LogLine[] =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as LogLine]
        } catch {
          return []
        }
      })
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    for (const waiter of [...waiters]) {
      const found = parsed().find((line) => line.event === waiter.event)
      if (found) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve(found)
    }
  })
  child.stdout!.resume()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  void exited.then(() => rmSync(directory, { recursive: true, force: true }))
  return {
    child,
    directory,
    stderr: () => stderr,
    plainLines: () => stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{')),
    logs: parsed,
    waitForLog(event, timeoutMs = 30_000) {
      const found = parsed().find((line) => line.event === event)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event} log line; stderr so far:\n${stderr}`)), timeoutMs)
        const waiter = { event, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) }
        waiters.push(waiter)
        void exited.then(() => {
          if (!waiters.includes(waiter)) return
          clearTimeout(timer)
          reject(new Error(`the process exited before logging ${event}; stderr:\n${stderr}`))
        })
      })
    },
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
