// Log lines: JSON for servers, a short text line for the console; errors reduced to name, message and code.
import { describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import { createLogger } from '../src/logger.js'

describe('logger', () => {
  it('writes one JSON object per event, with errors reduced to name, message and code', () => {
    const lines: string[] = []
    createLogger('info', (line) => lines.push(line)).warn('safety_check_failed', { stage: 'request', error: new BotError('input_too_large', 'too long') })
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', event: 'safety_check_failed', stage: 'request', error: { name: 'BotError', code: 'input_too_large', message: 'too long' } })
  })

  it('writes a short text line for the console, and drops events below the level', () => {
    const lines: string[] = []
    const logger = createLogger('warn', (line) => lines.push(line), 'text')
    logger.info('started', { store: 'sqlite' })
    logger.warn('safety_check_failed', { stage: 'request', error: new BotError('input_too_large', 'too long'), note: 'two words' })
    expect(lines).toEqual(['[warn] safety_check_failed stage=request error=input_too_large note="two words"'])
  })
})
