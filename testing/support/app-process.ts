// Starts one of the app's own entry points (app/main.ts, app/worker.ts, the Discord shard manager) as a real child
// process with the settings given, and reads its JSON log lines, so tests can wait for an event or kill it mid-job.
import { spawn, type ChildProcess } from 'node:child_process'

export type LogLine = { event?: string; level?: string } & Record<string, unknown>

export type AppProcess = {
  child: ChildProcess
  lines: LogLine[]
  /** Resolves with the first log line (already seen or coming) that matches. */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  /** SIGKILL: no shutdown, no release of anything it held (a crashed machine). */
  kill(): Promise<void>
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>
}

export function startAppProcess(entry: string, environment: Record<string, string>, argv: string[] = []): AppProcess {
  // Only what the app needs: the test runner's environment would otherwise leak settings (SLACK_*, DISCORD_*) into it.
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((key) => (process.env[key] ? [[key, process.env[key]!]] : [])))
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...argv], { env: { ...base, LOG_LEVEL: 'info', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: LogLine[] = []
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = []
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let buffered = ''
  const read = (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const text of parts) {
      let line: LogLine
      try {
        line = JSON.parse(text) as LogLine
      } catch {
        line = { event: 'text', text }
      }
      lines.push(line)
      for (const waiter of [...waiters]) if (waiter.predicate(line)) (waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve(line))
    }
  }
  child.stdout!.on('data', read)
  child.stderr!.on('data', read)
  return {
    child,
    lines,
    waitFor(predicate, timeoutMs = 60_000) {
      const seen = lines.find(predicate)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${entry}: no matching log line in ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}`)), timeoutMs)
        waiters.push({ predicate, resolve: (line) => (clearTimeout(timer), resolve(line)) })
        void exited.then(() => setTimeout(() => reject(new Error(`${entry} exited; last lines: ${JSON.stringify(lines.slice(-8))}`)), 200))
      })
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}
