// The last line of defence for the whole process: an error no boundary contained (uncaughtException,
// unhandledRejection) is logged with its stack, then the process exits non-zero so a supervisor restarts it in a
// known state. It never tries to carry on: state after such an error is unknown. Platform events are contained
// earlier, at each adapter's boundary, so one bad payload never gets this far.
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
