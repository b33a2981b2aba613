// Runs a safety check and turns every way it can fail into a closed gate: if no valid verdict comes back, the
// result is a refusal that says the check could not run, and it is audited. Budget and setup errors pass through
// unchanged so the member learns what to do about them. A refusal's analysis goes to the audit log (admins); the
// member gets the spec's refusal style: one sentence naming the rule, no model text.
import { BotError, isBotError } from '../../bot-error.js'
import type { Logger } from '../../logger.js'
import type { AuditLog } from '../records/audit-log.js'
import type { Counters } from '../records/counters.js'
import type { Verdict, WorkspaceRef } from '../types.js'
import type { Deliberation } from './deliberator.js'

export const checkUnavailableRule = 'CHECK_UNAVAILABLE'

export type GateOutcome = { allowed: true; verdict: Verdict } | { allowed: false; verdict: Verdict; message: string }

export function createSafetyGate(dependencies: { audit: AuditLog; counters: Counters; logger: Logger }) {
  const { audit, counters, logger } = dependencies
  return async function gate(
    stage: Verdict['stage'],
    check: () => Promise<Deliberation>,
    record: { workspace: WorkspaceRef; memberUserId?: string; retentionDays: number },
  ): Promise<GateOutcome> {
    let deliberation: Deliberation
    try {
      deliberation = await check()
    } catch (error) {
      if (isBotError(error, 'llm_budget_exceeded') || isBotError(error, 'llm_not_configured')) throw error
      const why = isBotError(error) ? error.code : 'unexpected_error'
      logger.warn('safety_check_failed', { stage, code: why, error })
      const failed: Verdict = { decision: 'refuse', ruleIds: [checkUnavailableRule], stage }
      await audit.record(record.workspace, { kind: 'check_failed', memberUserId: record.memberUserId, decision: 'refuse', ruleIds: failed.ruleIds, reason: `The safety check could not run (${why}).` }, record.retentionDays)
      // Retrying does not help when the check's own prompt is too long for the model; say what does.
      const next = isBotError(error, 'input_too_large')
        ? 'Try a shorter request or a shorter thread; if it keeps happening, an operator can give the model a larger context (LOCAL_CONTEXT_SIZE) or use a hosted model.'
        : 'Please try again in a moment.'
      return { allowed: false, verdict: failed, message: `The safety check could not run (${describe(error)}), so nothing is shown. ${next}` }
    }
    // A fresh object: nothing but the decision, the rules and the stage leaves for the member's screen.
    const { decision, ruleIds } = deliberation.verdict
    const verdict: Verdict = { decision, ruleIds, stage }
    if (decision === 'refuse') {
      await audit.record(record.workspace, { kind: 'refusal', memberUserId: record.memberUserId, decision, ruleIds, reason: deliberation.analysis }, record.retentionDays)
      await counters.increment(record.workspace, 'refusals')
      const rules = deliberation.ruleNames.length ? deliberation.ruleNames.join('; ') : 'the safety spec'
      const what = stage === 'request' ? 'I can’t help with this request' : 'I wrote something I can’t show you'
      return { allowed: false, verdict, message: `${what} (${rules}).` }
    }
    return { allowed: true, verdict }
  }
}

export type SafetyGate = ReturnType<typeof createSafetyGate>

function describe(error: unknown): string {
  if (!(error instanceof BotError)) return 'an unexpected error'
  switch (error.code) {
    case 'llm_timeout':
      return 'the model timed out'
    case 'llm_rate_limited':
      return 'the model is rate limited'
    case 'llm_output_invalid':
      return 'the model gave an unreadable verdict'
    case 'input_too_large':
      return 'the request with its context is too long for the model'
    default:
      return 'the model is unavailable'
  }
}
