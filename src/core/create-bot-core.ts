// Wires the core: store-backed services, the metered model, the pipeline and background learning, behind the one
// BotCore contract adapters call. Enforces who may do what; adapters only say who is asking.
import { z } from 'zod'
import { BotError } from '../bot-error.js'
import type { Config } from '../config.js'
import type { LanguageModel } from '../llm/language-model.js'
import { silentLogger, type Logger } from '../logger.js'
import type { Store } from '../store/store.js'
import { createAnswerService } from './compose/answer-service.js'
import { createAuditLog } from './records/audit-log.js'
import { consentStatement, createConsentService } from './records/consent-service.js'
import { createCounters } from './records/counters.js'
import { createCredentialStore } from './records/credential-store.js'
import { createDeliberator } from './safety/deliberator.js'
import { createDraftService } from './compose/draft-service.js'
import { createHistoryStore } from './records/history-store.js'
import { createHypothesisLearner } from './learning/hypothesis-learner.js'
import { createHypothesisStore } from './records/hypothesis-store.js'
import { createImporter } from './observe/importer.js'
import { memberKey, workspaceChildKey } from './identity/keys.js'
import { sameMember } from './identity/member-ref.js'
import { createLearningScheduler } from './learning/learning-scheduler.js'
import { createLearningStateStore, isDue } from './records/learning-state-store.js'
import { createMemberEraser } from './members/member-eraser.js'
import { createKeyedLock } from './coordination/keyed-lock.js'
import { createMemberStyleStore } from './records/member-style-store.js'
import { createMeteredModel } from './coordination/metered-model.js'
import { createObservePipeline } from './observe/observe-pipeline.js'
import { createObserveRetryQueue } from './observe/observe-retry-queue.js'
import { createPolicyService } from './records/policy-service.js'
import { createSafetyGate } from './safety/safety-gate.js'
import { createHypothesisEditor } from './learning/hypothesis-editor.js'
import { loadPromptLibrary, type PromptLibrary } from './prompting/prompt-library.js'
import { createAdminService } from './admin/admin-service.js'
import type { Actor, BotCore, ConsentOutcome, MemberRef, Profile } from './types.js'
import { createUsageLedger } from './records/usage-ledger.js'
import { createWorkspaceStyle } from './records/workspace-style.js'

/** What learning reads to calibrate a member: fixed caps, whatever the size of the team or of their histories. */
export const calibrationLimits = { messagesPerMember: 50, charactersPerMember: 20_000, populationMembers: 200 }

export type BotCoreOptions = {
  config: Config
  store: Store
  model: LanguageModel
  safetyModel?: LanguageModel
  clock?: () => number
  logger?: Logger
  prompts?: PromptLibrary
  /** Run learning jobs in the background when members become due (default true). */
  backgroundLearning?: boolean
  /** Waits between replays of messages kept while the store is down (default 1 s, doubling up to 30 s). */
  retryDelays?: { firstMs: number; maxMs: number }
}

/** How long a claimed delivery is remembered: far longer than any platform's window for replaying a request. */
export const deliveryClaimMs = 60 * 60_000

export async function createBotCore(options: BotCoreOptions): Promise<BotCore> {
  const { config, store } = options
  const clock = options.clock ?? Date.now
  const logger = options.logger ?? silentLogger
  const prompts = options.prompts ?? loadPromptLibrary()
  const lock = createKeyedLock(store)
  const ledger = createUsageLedger(store, lock, { dailyTokenBudget: config.LLM_DAILY_TOKEN_BUDGET, clock })
  const model = createMeteredModel(options.model, ledger)
  const safetyModel = createMeteredModel(options.safetyModel ?? options.model, ledger)

  const policies = createPolicyService(store, { retentionDays: config.DEFAULT_RETENTION_DAYS })
  const consent = createConsentService(store)
  const history = createHistoryStore(store, clock)
  const style = createMemberStyleStore(store)
  const learning = createLearningStateStore(store)
  const hypotheses = createHypothesisStore(store)
  const audit = createAuditLog(store, clock)
  const counters = createCounters(store, lock)
  const credentials = createCredentialStore(store)
  const deliberator = createDeliberator(safetyModel, prompts)
  const gate = createSafetyGate({ audit, counters, logger })
  const workspaceStyle = createWorkspaceStyle({ store, consent, style })
  const erase = createMemberEraser({ store, history, audit, workspaceStyle, discardWaiting: (member) => retryQueue.discard(member) })
  const learnSettings = { minNewMessages: config.LEARN_MIN_NEW_MESSAGES, minIntervalMs: config.LEARN_MIN_INTERVAL_MINUTES * 60_000 }

  const learner = createHypothesisLearner({
    model,
    prompts,
    policies,
    consent,
    history,
    hypotheses,
    style,
    learning,
    workspaceStyle,
    clock,
    settings: {
      sampleSize: config.LEARN_SAMPLE_SIZE,
      examplePoolSize: 200,
      heldOutForCalibration: 50,
      calibrationOthers: 200,
      calibrationMembers: 20,
      calibrationMessagesPerMember: calibrationLimits.messagesPerMember,
      calibrationCharactersPerMember: calibrationLimits.charactersPerMember,
      populationMembers: calibrationLimits.populationMembers,
    },
  })
  const scheduler = createLearningScheduler({ learner, learning, lock, logger, clock, settings: learnSettings, enabled: options.backgroundLearning ?? true })
  const pipeline = createObservePipeline({
    policies,
    consent,
    history,
    style,
    learning,
    lock,
    clock,
    settings: { maxMessages: config.HISTORY_MAX_MESSAGES, maxMessageCharacters: config.MAX_MESSAGE_CHARS, ...learnSettings },
    onDue: (member) => scheduler.enqueue(member),
  })
  const retryQueue = createObserveRetryQueue({
    observe: pipeline.observe,
    clock,
    logger,
    settings: {
      maxMessages: config.RETRY_QUEUE_MAX_MESSAGES,
      maxAgeMs: config.RETRY_QUEUE_MAX_MINUTES * 60_000,
      firstDelayMs: options.retryDelays?.firstMs ?? 1_000,
      maxDelayMs: options.retryDelays?.maxMs ?? 30_000,
    },
  })
  const settings = { maxInputCharacters: config.MAX_INPUT_CHARS, examples: config.DRAFT_EXAMPLES, candidates: config.DRAFT_CANDIDATES }
  const drafts = createDraftService({ store, model, prompts, deliberator, gate, policies, consent, hypotheses, style, learning, counters, settings, clock })
  const answer = createAnswerService({ store, model, prompts, deliberator, gate, policies, consent, hypotheses, style, counters, settings })

  /** Only the member themselves sees what was learned about them. */
  const requireSelf = (actor: Actor, member: MemberRef) => {
    if (!sameMember(actor.member, member)) throw new BotError('not_permitted', 'Only the member themselves can see or change what was learned about them.')
  }

  const profile = async (member: MemberRef): Promise<Profile> => {
    const [record, policy, set, state, summary, size, credential] = await Promise.all([
      consent.get(member),
      policies.get(member),
      hypotheses.get(member),
      learning.get(member),
      style.summary(member),
      history.size(member),
      credentials.get(member),
    ])
    const evidenceIds = new Set(set.hypotheses.flatMap((each) => each.evidenceMessageIds))
    const evidence = evidenceIds.size ? await history.byIds(member, evidenceIds, policy.retentionDays) : []
    const texts = new Map(evidence.map((each) => [each.id, each.text]))
    return {
      member,
      optedIn: record?.optedIn === true,
      consent: record,
      historySize: size,
      hypotheses: set.hypotheses.map((each) => ({ ...each, evidence: each.evidenceMessageIds.flatMap((id) => (texts.has(id) ? [texts.get(id)!] : [])) })),
      hypothesesVersion: set.version,
      changes: set.changes,
      lastLearnedAt: state.lastLearnedAt,
      attributes: summary,
      learning: { due: isDue(state, clock(), learnSettings), newMessagesSinceLearn: state.newMessages, lastError: state.lastError, parked: state.deadLetterAt !== undefined },
      consentStatement,
      retentionDays: policy.retentionDays,
      learningChannels: policy.learningChannels,
      workspaceEnabled: policy.enabled,
      ...(credential ? { credential: { kind: credential.kind, scopes: credential.scopes, grantedAt: credential.grantedAt } } : {}),
    }
  }

  /** The member themselves, or an admin of their workspace. */
  const requireSelfOrAdmin = async (actor: Actor, member: MemberRef, what: string) => {
    if (sameMember(actor.member, member)) return
    if (!policies.isAdmin(actor, await policies.get(member))) throw new BotError('not_permitted', `Only the member or a workspace admin can ${what}.`)
  }

  const setConsent = async (actor: Actor, member: MemberRef, optedIn: boolean): Promise<ConsentOutcome> => {
    const policy = await policies.get(member)
    const self = sameMember(actor.member, member)
    const admin = policies.isAdmin(actor, policy)
    if (!self && !admin) throw new BotError('not_permitted', 'Only the member or a workspace admin can change this member’s opt-in.')
    if (!optedIn) {
      // Opting out erases everything in the same step; nothing, not even a tombstone, remains.
      const erased = await lock.run(memberKey(member), () => erase(member))
      return { record: { optedIn: false, at: clock(), by: actor.member, via: self ? 'self' : 'admin', policyVersion: '' }, erased }
    }
    if (!policy.enabled) throw new BotError('bot_disabled', 'hyperalign is switched off in this workspace. A workspace admin can switch it on.')
    if (!self && policy.consentMode !== 'admin') {
      throw new BotError('not_permitted', 'In this workspace members opt in themselves. An admin can switch the consent mode to “admin” if your organisation handles consent.')
    }
    const existing = await consent.get(member)
    if (existing) return { record: existing }
    const record = await consent.grant(member, actor.member, self ? 'self' : 'admin', clock())
    return {
      record,
      notifyMember: self
        ? undefined
        : `A workspace admin opted you in to hyperalign. ${consentStatement} You can opt out at any time with /hyperalign optout, which erases everything.`,
    }
  }

  // Kept well past the platforms' replay windows (Slack accepts a signature for five minutes).
  const deliveries = store.collection('idempotency', z.object({}))

  const adminService = createAdminService({ policies, consent, history, counters, ledger, audit, setConsent, waitingForStore: retryQueue.counts })
  const editor = createHypothesisEditor({ hypotheses, clock })
  const learnLockKey = (member: MemberRef) => `learn:${memberKey(member)}`
  const importer = createImporter({
    policies,
    consent,
    observe: pipeline.observe,
    population: (workspace) => workspaceStyle.population(workspace, { maxMembers: calibrationLimits.populationMembers }),
    // Under the learning job's own lock: a job that started mid-import cannot overwrite this with a stale result.
    refreshStyle: (member, population) => lock.run(learnLockKey(member), () => learner.refreshStyle(member, population), { leaseMs: 10 * 60_000, waitMs: 10 * 60_000 }),
    enqueueLearning: (member) => scheduler.enqueue(member),
    clock,
  })

  scheduler.start()
  const sweepTimer = setInterval(() => void core.sweep().catch((error) => logger.warn('sweep_failed', { error })), 3_600_000)
  sweepTimer.unref()

  const core: BotCore = {
    observe: (message, options) => (options?.queueWhenStoreDown ? retryQueue.observe(message) : pipeline.observe(message)),
    draft: (request) => drafts.draft(request),
    getDraft: (actor, draftId) => drafts.getDraft(actor, draftId),
    regenerateDraft: (actor, draftId) => drafts.regenerateDraft(actor, draftId),
    finalizeDraft: (actor, request) => drafts.finalizeDraft(actor, request),
    answer,
    setConsent,
    async profile(actor, member) {
      requireSelf(actor, member)
      return profile(member)
    },
    async editHypothesis(actor, member, edit) {
      requireSelf(actor, member)
      if (!(await consent.isOptedIn(member))) throw new BotError('consent_required', 'Opt in first; there is nothing learned about you to edit.')
      await lock.run(memberKey(member), () => editor.edit(member, edit))
      return profile(member)
    },
    async forget(actor, member) {
      const policy = await policies.get(member)
      if (!sameMember(actor.member, member) && !policies.isAdmin(actor, policy)) {
        throw new BotError('not_permitted', 'Only the member or a workspace admin can erase a member’s data.')
      }
      return lock.run(memberKey(member), () => erase(member))
    },
    async learn(actor, member) {
      requireSelf(actor, member)
      await policies.requireEnabled(member)
      if (!(await consent.isOptedIn(member))) throw new BotError('consent_required', 'Opt in first, then I can learn how you write.')
      // A background run for this member may be under way (e.g. right after an import): let it finish first.
      await scheduler.idle()
      await scheduler.runJob(member)
      return profile(member)
    },
    async scoreStyle(actor, text) {
      const member = actor.member
      const [scores, size] = await Promise.all([style.score(member, [text]), history.size(member)])
      return { styleMatch: scores?.[0], messages: size }
    },
    admin: (actor, workspace, action) => adminService.run(actor, workspace, action),
    async saveCredential(actor, credential) {
      const member = actor.member
      await policies.requireEnabled(member)
      // Checked under the member's lock, so an opt-out running at the same time cannot leave a token behind.
      await lock.run(memberKey(member), async () => {
        if (!(await consent.isOptedIn(member))) throw new BotError('consent_required', 'Opt in first; then you can let hyperalign post your drafts as you.')
        await credentials.set(member, credential)
      })
    },
    async credential(actor, member) {
      await requireSelfOrAdmin(actor, member, 'read a member’s posting permission')
      return credentials.get(member)
    },
    async removeCredential(actor, member) {
      await requireSelfOrAdmin(actor, member, 'remove a member’s posting permission')
      return lock.run(memberKey(member), () => credentials.delete(member))
    },
    importMessages: (request) => importer.run(request),
    async claimDelivery(workspace, deliveryId, ttlMs = deliveryClaimMs) {
      if (!/^[\w.-]{1,128}$/.test(deliveryId)) throw new BotError('input_invalid', 'A delivery id is 1-128 letters, digits, dots, dashes or underscores.')
      return deliveries.setIfAbsent(workspaceChildKey(workspace, 'delivery', deliveryId), {}, ttlMs)
    },
    async sweep() {
      let members = 0
      let messagesRemoved = 0
      for await (const { member } of learning.all()) {
        const policy = await policies.get(member)
        const removed = await lock.run(memberKey(member), async () => {
          const expired = await history.sweep(member, policy.retentionDays)
          if (expired.length) {
            await style.update(member, { add: [], remove: expired.map((each) => each.text) })
            // Drafts take examples from this pool; an expired message must not live on there.
            const gone = new Set(expired.map((each) => `${each.channelId}\n${each.id}`))
            await learning.update(member, (state) => ({ ...state, examplePool: state.examplePool.filter((each) => !gone.has(`${each.channelId}\n${each.id}`)) }))
          }
          return expired.length
        })
        members += 1
        messagesRemoved += removed
      }
      // Past retention is erased like a forget: nothing left in the store's files either.
      if (messagesRemoved > 0) await store.compact()
      return { members, messagesRemoved }
    },
    retryWaitingMessages: () => retryQueue.retryNow(),
    idle: () => scheduler.idle(),
    async close() {
      clearInterval(sweepTimer)
      retryQueue.close()
      await scheduler.close()
      await options.model.close?.()
      if (options.safetyModel && options.safetyModel !== options.model) await options.safetyModel.close?.()
    },
  }
  return core
}
