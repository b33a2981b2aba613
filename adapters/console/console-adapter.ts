// The console as a platform adapter: one local workspace in a terminal (or a pipe), whose operator is its admin.
// It ends by itself when its input ends; the composition root then shuts down.
import type { BotCore } from '../../src/core/bot-core.js'
import type { PlatformAdapter } from '../../src/core/platform-adapter.js'
import { runConsoleApp, type ConsoleAppOptions } from './console-app.js'

export function createConsoleAdapter(options: Omit<ConsoleAppOptions, 'core' | 'signal'>): PlatformAdapter {
  const stopping = new AbortController()
  let running: Promise<void> | undefined
  return {
    name: 'console',
    capabilities: { learnsFromMessages: true, drafts: true, postsDrafts: false, answers: true, backfill: false, imports: true },
    async start(core: BotCore) {
      running = runConsoleApp({ ...options, core, signal: stopping.signal })
    },
    finished: () => running ?? Promise.resolve(),
    async stop() {
      stopping.abort()
      await running?.catch(() => undefined)
    },
  }
}
