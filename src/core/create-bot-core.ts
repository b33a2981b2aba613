// Wires the core: store-backed records, the metered model, the pipeline and background learning, behind the
// BotCore contract adapters call and the lifecycle handle the composition root keeps. Enforces who may do what;
// adapters only say who is asking.
import { z } from 'zod'
import { BotError } from '../bot-error.js'
import type { Config } from '../config.js'
import type { LanguageModel } from '../llm/language-model.js'
import { silentLogger, type Logger } from '../logger.js'
import type { JobQueueSettings } from '../store/job-queue.js'
import type { Store } from '../store/store.js'
import { createAdminService } from './admin/admin-service.js'
import type { BotCore, CoreLifecycle, RunningCore } from './bot-core.js'
import { createAnswerService } from './compose/answer-service.js'
import { createDraftService } from './compose/draft-service.js'
import { createKeyedLock } from './coordination/keyed-lock.js'
import { createMeteredModel } from './budget/metered-model.js'
import { memberKey, workspaceChildKey } from './identity/keys.js'
import { sameMember, type MemberRef } from './identity/member-ref.js'
import { createHypothesisEditor } from './learning/hypothesis-editor.js'
import { createHypothesisLearner } from './learning/hypothesis-learner.js'
import { createLearningScheduler, type LearningJob } from './learning/learning-scheduler.js'
import { createConsentChange } from './members/consent-change.js'
import { createMemberAccess, requireSelf } from './members/member-access.js'
import { createMemberEraser } from './members/member-eraser.js'
import { createProfileReader } from './members/profile-reader.js'
import { createRetentionSweep } from './members/retention-sweep.js'
import { createBackfillChannels } from './observe/backfill-channels.js'
import { createBatchObserver } from './observe/batch-observer.js'
import { createImporter } from './observe/importer.js'
import { createObservePipeline } from './observe/observe-pipeline.js'
import { createObserveRetryQueue } from './observe/observe-retry-queue.js'
import { createStyleWriteBehind, type StyleWriteBehindSettings } from './observe/style-write-behind.js'
import { loadPromptLibrary, type PromptLibrary } from './prompting/prompt-library.js'
import { createAuditLog } from './records/audit-log.js'
import { createConsentService } from './records/consent-service.js'
import { createCounters } from './records/counters.js'
import { createContrastStore } from './records/contrast-store.js'
import { createCredentialStore } from './records/credential-store.js'
import { createEditPairStore } from './records/edit-pair-store.js'
import { createHistoryStore } from './records/history-store.js'
import { createHypothesisStore } from './records/hypothesis-store.js'
import { createLearningStateStore } from './records/learning-state-store.js'
import { createMemberStyleStore, storedProfileFromMessages } from './records/member-style-store.js'
import { createPolicyService } from './records/policy-service.js'
import { createUsageLedger } from './budget/usage-ledger.js'
import { createWorkspaceStyle } from './records/workspace-style.js'
import { createDeliberator } from './safety/deliberator.js'
import { createSafetyGate } from './safety/safety-gate.js'

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
  /** This process consumes queued learning jobs whatever LEARNING_MODE says (`npm run worker`). */
  learningWorker?: boolean
  /** Queue timings (tests shorten them); defaults suit production. */
  learningQueue?: Partial<JobQueueSettings>
  /** When observed messages are folded into the stored style counts (tests lengthen it to hold a fold back). */
  styleWriteBehind?: Partial<StyleWriteBehindSettings>
}

/** How long a claimed delivery is remembered: far longer than any platform's window for replaying a request. */
export const deliveryClaimMs = 60 * 60_000

/** Four runs (the first and three retries, one, two and four minutes apart), then a dead letter. */
/**
 * A member's stored style counts trail their history by at most a couple of seconds or 50 messages (one history
 * page), so a busy member's record is written about once per page rather than once per message.
 */
export const defaultStyleWriteBehind: StyleWriteBehindSettings = { flushIntervalMs: 2_000, flushAfterMessages: 50 }

export const defaultLearningQueueSettings: JobQueueSettings = { attempts: 4, backoffMs: 60_000, leaseMs: 30_000, busyDelayMs: 15_000 }

export async function createBotCore(options: BotCoreOptions): Promise<RunningCore> {
  const { config, store } = options
  const clock = options.clock ?? Date.now
  const logger = options.logger ?? silentLogger
  const prompts = options.prompts ?? loadPromptLibrary()
  const lock = createKeyedLock(store)
  const ledger = createUsageLedger(store, { dailyTokenBudget: config.LLM_DAILY_TOKEN_BUDGET, clock })
  const model = createMeteredModel(options.model, ledger)
  const safetyModel = createMeteredModel(options.safetyModel ?? options.model, ledger)

  const policies = createPolicyService(store, { retentionDays: config.DEFAULT_RETENTION_DAYS, observeCacheMs: config.POLICY_CACHE_MS })
  const consent = createConsentService(store)
  const history = createHistoryStore(store, clock, { maxMessages: config.HISTORY_MAX_MESSAGES })
  // The population is read through `workspaceStyle`, which sums it from `style` (both below).
  const style = createMemberStyleStore(store, history, (member) => workspaceStyle.current(member, { maxMembers: calibrationLimits.populationMembers }))
  const learning = createLearningStateStore(store, history)
  const hypotheses = createHypothesisStore(store)
  const audit = createAuditLog(store, clock)
  const counters = createCounters(store)
  const credentials = createCredentialStore(store)
  const contrast = createContrastStore(store)
  const editPairs = createEditPairStore(store)
  const deliberator = createDeliberator(safetyModel, prompts)
  const gate = createSafetyGate({ audit, counters, logger })
  const workspaceStyle = createWorkspaceStyle({ store, consent, style })
  const erase = createMemberEraser({ store, history, audit, workspaceStyle, style, discardWaiting: (member) => {
      // Pending style folds hold no text, only that the member is behind; dropped so none runs after the erase.
      styleWriteBehind.discard(member)
      learning.discard(member)
      return retryQueue.discard(member)
    },
  })
  /** Erases the member's records and any learning job of theirs still queued. */
  const eraseAll = async (member: MemberRef) => {
    const report = await erase(member)
    await scheduler.forget(member)
    return report
  }
  const learnSettings = { minNewMessages: config.LEARN_MIN_NEW_MESSAGES, minIntervalMs: config.LEARN_MIN_INTERVAL_MINUTES * 60_000 }
  const access = createMemberAccess(policies)

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
    ledger,
    contrast,
    editPairs,
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
      verifyMessages: config.LEARNING_VERIFY_MESSAGES,
      verifyRunTokens: config.LEARNING_VERIFY_RUN_TOKENS,
      verifyDailyTokens: config.LEARNING_VERIFY_DAILY_TOKENS,
      draftExamples: config.DRAFT_EXAMPLES,
      editPairs: config.LEARNING_EDIT_PAIRS,
    },
  })
  // Shared stores put learning on the store's job queue; a bot process with LEARNING_MODE=worker only enqueues.
  const background = (options.backgroundLearning ?? true) && (config.LEARNING_MODE !== 'off' || options.learningWorker === true)
  const leaseMs = config.LEARNING_JOB_LEASE_SECONDS * 1000
  const queueSettings = { ...defaultLearningQueueSettings, leaseMs, busyDelayMs: Math.max(1_000, leaseMs / 2), ...options.learningQueue }
  const queue = store.shared && store.jobQueue && (background || options.learningWorker) ? store.jobQueue<LearningJob>('learning', queueSettings) : undefined
  const scheduler = createLearningScheduler({
    learner,
    learning,
    lock,
    logger,
    clock,
    settings: { ...learnSettings, leaseMs: queueSettings.leaseMs },
    enabled: background && (queue !== undefined || config.LEARNING_MODE === 'inline'),
    queue,
    consume: options.learningWorker === true || (background && config.LEARNING_MODE === 'inline'),
  })
  const styleWriteBehind = createStyleWriteBehind({
    style,
    lock,
    logger,
    settings: { ...defaultStyleWriteBehind, ...options.styleWriteBehind },
    foldCanChange: (seq) => seq >= storedProfileFromMessages || seq > config.HISTORY_MAX_MESSAGES,
  })
  const observeDependencies = {
    policies,
    consent,
    history,
    style,
    styleWriteBehind,
    learning,
    contrast,
    lock,
    clock,
    settings: { maxMessages: config.HISTORY_MAX_MESSAGES, maxMessageCharacters: config.MAX_MESSAGE_CHARS, ...learnSettings },
    onDue: (member: MemberRef) => scheduler.enqueue(member),
  }
  const pipeline = createObservePipeline(observeDependencies)
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
  const settings = { maxInputCharacters: config.MAX_INPUT_CHARS, examples: config.DRAFT_EXAMPLES, candidates: config.DRAFT_CANDIDATES, composeDuringCheck: config.COMPOSE_DURING_CHECK === 'on' }
  const drafts = createDraftService({ store, model, prompts, deliberator, gate, policies, consent, hypotheses, style, learning, contrast, editPairs, lock, counters, settings, clock })
  const answer = createAnswerService({ store, model, prompts, deliberator, gate, policies, consent, hypotheses, style, counters, settings })
  const profile = createProfileReader({ consent, policies, hypotheses, learning, style, history, credentials, clock, learnSettings })
  const setConsent = createConsentChange({ policies, consent, access, lock, erase: eraseAll, clock })
  const backfillChannels = createBackfillChannels({ policies, consent })
  const sweep = createRetentionSweep({ store, policies, history, style, workspaceStyle, learning, contrast, editPairs, lock, clock })

  // Kept well past the platforms' replay windows (Slack accepts a signature for five minutes).
  const deliveries = store.collection('idempotency', z.object({}))

  const editor = createHypothesisEditor({ hypotheses, clock })
  const learnLockKey = (member: MemberRef) => `learn:${memberKey(member)}`
  const batchObserver = createBatchObserver(observeDependencies)
  const importer = createImporter({
    policies,
    consent,
    observeMany: batchObserver.observeMany,
    foldStyle: batchObserver.foldStyle,
    population: (workspace) => workspaceStyle.refresh(workspace, { maxMembers: calibrationLimits.populationMembers }),
    // Under the learning job's own lock: a job that started mid-import cannot overwrite this with a stale result.
    refreshStyle: (member, population) => lock.run(learnLockKey(member), () => learner.refreshStyle(member, population), { leaseMs: 10 * 60_000, waitMs: 10 * 60_000 }),
    enqueueLearning: (member) => scheduler.enqueue(member),
    clock,
    batchMessages: config.IMPORT_BATCH_MESSAGES,
  })
  const admin = createAdminService({ policies, consent, history, learning, counters, ledger, audit, setConsent, importMessages: importer.run, waitingForStore: retryQueue.counts })

  // Histories of the earlier page layout move to one row per message before anything is observed.
  const migrated = await history.migrateLegacy((member, work) => lock.run(memberKey(member), work), async (member) => (await policies.get(member)).retentionDays)
  for (const member of migrated) await style.dropStoredCounts(member)
  if (migrated.length) logger.info('history_migrated', { members: migrated.length })

  scheduler.start()
  const sweepTimer = setInterval(() => void sweep().catch((error) => logger.warn('sweep_failed', { error })), 3_600_000)
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
      if (!sameMember(actor.member, member) && !(await access.administers(actor, member))) {
        throw new BotError('not_permitted', 'Only the member or a workspace admin can erase a member’s data.')
      }
      return lock.run(memberKey(member), () => eraseAll(member))
    },
    async learn(actor, member) {
      requireSelf(actor, member)
      await policies.requireEnabled(member)
      if (!(await consent.isOptedIn(member))) throw new BotError('consent_required', 'Opt in first, then I can learn how you write.')
      // A background run for this member may be under way (e.g. right after an import): let it finish first. A run in
      // another process holds the member's learning lock, and this one then returns the profile as it is.
      await scheduler.idleHere()
      await scheduler.runJob(member)
      return profile(member)
    },
    async mayReadAsContext(actor, channel) {
      const policy = await policies.get(actor.member)
      if (!policy.enabled || !policies.learnsFrom(policy, channel.channelId, channel.channelKind)) return false
      return consent.isOptedIn(actor.member)
    },
    async scoreStyle(actor, text) {
      const member = actor.member
      const [scores, size] = await Promise.all([style.score(member, [text]), history.size(member)])
      return { styleMatch: scores?.[0], messages: size }
    },
    backfillChannels,
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
      await access.requireSelfOrAdmin(actor, member, 'read a member’s posting permission')
      return credentials.get(member)
    },
    async removeCredential(actor, member) {
      await access.requireSelfOrAdmin(actor, member, 'remove a member’s posting permission')
      return lock.run(memberKey(member), () => credentials.delete(member))
    },
    async claimDelivery(workspace, deliveryId, ttlMs = deliveryClaimMs) {
      if (!/^[\w.-]{1,128}$/.test(deliveryId)) throw new BotError('input_invalid', 'A delivery id is 1-128 letters, digits, dots, dashes or underscores.')
      return deliveries.setIfAbsent(workspaceChildKey(workspace, 'delivery', deliveryId), {}, ttlMs)
    },
    permissions: (actor, workspace) => access.permissions(actor, workspace),
    admin,
  }
  const lifecycle: CoreLifecycle = {
    sweep,
    retryWaitingMessages: () => retryQueue.retryNow(),
    idle: () => scheduler.idle(),
    flushStyle: () => styleWriteBehind.flush(),
    async close() {
      clearInterval(sweepTimer)
      retryQueue.close()
      await styleWriteBehind.close()
      await scheduler.close()
      await options.model.close?.()
      if (options.safetyModel && options.safetyModel !== options.model) await options.safetyModel.close?.()
    },
  }
  return { core, lifecycle }
}
