// The last line of defence for the whole process: an error no boundary contained (uncaughtException,
// unhandledRejection) is logged with its stack, then the process exits 1 for a supervisor to restart it. It never
// carries on, since state after such an error is unknown; platform events are contained earlier, in the adapters.
import type { Logger } from './logger.js'

export type ProcessGuardOptions = {
  /** Test seam; the default ends the process. */
  exit?: (code: number) => void
}

export function installProcessGuard(logger: Logger, options: ProcessGuardOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code))
  let crashed = false
  const crash = (kind: 'uncaught_exception' | 'unhandled_rejection') => (error: unknown) => {
    if (crashed) return
    crashed = true
    logger.error('process_crashed', { kind, error, stack: error instanceof Error ? error.stack : String(error) })
    exit(1)
  }
  process.on('uncaughtException', crash('uncaught_exception'))
  process.on('unhandledRejection', crash('unhandled_rejection'))
}
