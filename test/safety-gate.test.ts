// The safety gate fails closed whatever goes wrong with the check, audits it, and tells the member what helps:
// waiting for a flaky model, or a shorter request when the check's prompt does not fit the model at all.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import { createAuditLog } from '../src/core/records/audit-log.js'
import { createCounters } from '../src/core/records/counters.js'
import { createSafetyGate } from '../src/core/safety/safety-gate.js'
import { silentLogger } from '../src/logger.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'

const workspace = { platform: 'slack' as const, workspaceId: 'T00GATE' }
let store: Store | undefined
let directory: string | undefined
afterEach(async () => {
  await store?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

async function gateFailingWith(error: unknown) {
  directory = mkdtempSync(join(tmpdir(), 'hyperalign-gate-'))
  store = await openStore(`sqlite://${join(directory, 'store.sqlite')}`)
  const audit = createAuditLog(store, Date.now)
  const gate = createSafetyGate({ audit, counters: createCounters(store), logger: silentLogger })
  const outcome = await gate('request', () => Promise.reject(error), { workspace, memberUserId: 'U1', retentionDays: 30 })
  return { outcome, audited: await audit.recent(workspace, 10) }
}

describe('safety gate', () => {
  it.each([
    ['a timeout', new BotError('llm_timeout', 'timed out'), /model timed out.*try again in a moment/],
    ['an unreadable verdict', new BotError('llm_output_invalid', 'bad'), /unreadable verdict.*try again in a moment/],
    ['a prompt too long for the model', new BotError('input_too_large', 'too long'), /too long for the model.*shorter request.*LOCAL_CONTEXT_SIZE/],
    ['an unexpected error', new Error('boom'), /unexpected error.*try again in a moment/],
  ])('fails closed on %s, audits it, and says what helps', async (_name, error, message) => {
    const { outcome, audited } = await gateFailingWith(error)
    expect(outcome.allowed).toBe(false)
    if (!outcome.allowed) {
      expect(outcome.verdict.ruleIds).toEqual(['CHECK_UNAVAILABLE'])
      expect(outcome.message).toMatch(/nothing is shown/)
      expect(outcome.message).toMatch(message)
    }
    expect(audited.map((entry) => entry.kind)).toEqual(['check_failed'])
  })
})
