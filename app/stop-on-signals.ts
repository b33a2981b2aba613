// SIGINT and SIGTERM run the process's shutdown once, then exit 0; a second signal while it runs is ignored, so a
// supervisor's repeated TERM cannot cut a store close short.
import type { Logger } from '../src/logger.js'

export function stopOnSignals(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      logger.info('stopping', { signal })
      void shutdown().then(() => process.exit(0))
    })
  }
}
