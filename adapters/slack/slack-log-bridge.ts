// Adapts the project logger to the Logger interface Bolt and the Slack SDKs expect. SDK debug output can contain
// payloads (member text), so it is dropped; other SDK lines are logged truncated, as one event.
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt'
import type { Logger } from '../../src/logger.js'

const maxLength = 300

export function toSlackLogger(logger: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO
  let name = 'slack'
  const line = (parts: unknown[]) =>
    parts
      .map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : typeof part === 'string' ? part : JSON.stringify(part)))
      .join(' ')
      .slice(0, maxLength)
  return {
    debug() {},
    info: (...parts: unknown[]) => {
      if (level === LogLevel.INFO || level === LogLevel.DEBUG) logger.info('slack_sdk', { source: name, message: line(parts) })
    },
    warn: (...parts: unknown[]) => {
      if (level !== LogLevel.ERROR) logger.warn('slack_sdk', { source: name, message: line(parts) })
    },
    error: (...parts: unknown[]) => logger.error('slack_sdk', { source: name, message: line(parts) }),
    setLevel: (next: LogLevel) => {
      level = next
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next
    },
  }
}
