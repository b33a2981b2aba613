// Log lines: JSON for servers, a short text line for the console; errors keep name, message, code, stack and the
// chain of causes, and nothing a member wrote.
import { describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import { createLogger } from '../src/logger.js'

describe('logger', () => {
  it('writes one JSON object per event, with an error as its name, message and code', () => {
    const lines: string[] = []
    createLogger('info', (line) => lines.push(line)).warn('safety_check_failed', { stage: 'request', error: new BotError('input_too_large', 'too long') })
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', event: 'safety_check_failed', stage: 'request', error: { name: 'BotError', code: 'input_too_large', message: 'too long' } })
  })

  it('logs an error with its stack and its chain of causes, each with name, message, code and stack', () => {
    const lines: string[] = []
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })
    const unavailable = new BotError('store_unavailable', 'The store did not answer.', { cause: refused })
    const failed = new BotError('platform_failed', 'Storing the message failed.', { cause: unavailable, userMessage: 'MEMBER-FACING-TEXT' })
    createLogger('info', (line) => lines.push(line)).error('slack_observe_failed', { error: failed })
    const logged = JSON.parse(lines[0]!).error
    expect(logged).toMatchObject({ name: 'BotError', code: 'platform_failed', message: 'Storing the message failed.' })
    expect(logged.stack).toMatch(/^BotError: Storing the message failed\.\n\s+at /)
    expect(logged.cause).toMatchObject({ name: 'BotError', code: 'store_unavailable', message: 'The store did not answer.', stack: expect.stringContaining('at ') })
    expect(logged.cause.cause).toMatchObject({ name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379', stack: expect.stringContaining('at ') })
    expect(logged.cause.cause.cause).toBeUndefined()
    // The member-facing text is for the member's screen, not the log.
    expect(lines[0]).not.toContain('MEMBER-FACING-TEXT')
  })

  it('bounds a cause chain that loops back on itself', () => {
    const lines: string[] = []
    const first = new Error('first')
    const second = new Error('second', { cause: first })
    Object.assign(first, { cause: second })
    createLogger('info', (line) => lines.push(line)).warn('loop', { error: first })
    const logged = JSON.parse(lines[0]!).error
    expect(logged.cause.message).toBe('second')
    expect(logged.cause.cause).toBe('(seen above)')
  })

  it('writes a short text line for the console, and drops events below the level', () => {
    const lines: string[] = []
    const logger = createLogger('warn', (line) => lines.push(line), 'text')
    logger.info('started', { store: 'sqlite' })
    logger.warn('safety_check_failed', { stage: 'request', error: new BotError('input_too_large', 'too long'), note: 'two words' })
    expect(lines).toEqual(['[warn] safety_check_failed stage=request error=input_too_large note="two words"'])
  })
})
