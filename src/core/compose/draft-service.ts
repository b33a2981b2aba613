// Drafts a message in the requesting member's own voice: request check and compose together (best-of-n candidates
// at once, picked by style match) -> output check -> stored privately for the member. Posting is the adapter's job,
// after the member clicks.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import type { LanguageModel } from '../../llm/language-model.js'
import type { Store } from '../../store/store.js'
import { checkWhileComposing } from './check-while-composing.js'
import { buildDraftMessages, generateCandidates } from './composer.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { ContrastStore } from '../records/contrast-store.js'
import type { Counters } from '../records/counters.js'
import type { EditPairStore } from '../records/edit-pair-store.js'
import type { Deliberator } from '../safety/deliberator.js'
import type { HypothesisStore } from '../records/hypothesis-store.js'
import { memberChildKey, memberKey } from '../identity/keys.js'
import { channelKindSchema, memberRefSchema, sameMember, workspaceOf } from '../identity/member-ref.js'
import type { LearningStateStore } from '../records/learning-state-store.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { PromptLibrary } from '../prompting/prompt-library.js'
import type { SafetyGate } from '../safety/safety-gate.js'
import { selectExamples } from '../style/select-examples.js'
import type { Actor, DraftRequest, DraftResult, DraftView, FinalizeDraftRequest, FinalizeDraftResult, SafeCompletion } from '../types.js'
import type { ConsentService } from '../records/consent-service.js'

const contextSchema = z.array(z.object({ author: z.enum(['self', 'other']), text: z.string(), authorLabel: z.string().optional() }))
const storedDraftSchema = z.object({
  draftId: z.string(),
  member: memberRefSchema,
  intent: z.string(),
  context: contextSchema.optional(),
  channelKind: channelKindSchema.optional(),
  channelId: z.string().optional(),
  text: z.string(),
  styleMatch: z.number().optional(),
  hypothesesUsed: z.array(z.object({ id: z.string(), statement: z.string() })),
  status: z.enum(['pending', 'posted', 'discarded']),
  createdAt: z.number(),
})
const idempotencySchema = z.object({ draftId: z.string().optional() })

/** A draft as stored: the view plus the request it came from, which only the core reads back (to regenerate, to check an edit). */
type StoredDraft = z.output<typeof storedDraftSchema>

/** What the member's screen gets: never the stored request (intent, context, channel) it was drafted from. */
const viewOf = (draft: StoredDraft): DraftView => ({
  draftId: draft.draftId,
  text: draft.text,
  ...(draft.styleMatch === undefined ? {} : { styleMatch: draft.styleMatch }),
  hypothesesUsed: draft.hypothesesUsed,
  status: draft.status,
  createdAt: draft.createdAt,
})

export const aiDraftLabel = 'AI-drafted with hyperalign'
const draftTtlMs = 24 * 3_600_000

export type DraftServiceDependencies = {
  store: Store
  model: LanguageModel
  prompts: PromptLibrary
  deliberator: Deliberator
  gate: SafetyGate
  policies: PolicyService
  consent: ConsentService
  hypotheses: HypothesisStore
  style: MemberStyleStore
  learning: LearningStateStore
  contrast: ContrastStore
  editPairs: EditPairStore
  /** The member's lock, which forget holds: an edit pair is checked against consent and kept under it. */
  lock: KeyedLock
  counters: Counters
  /** composeDuringCheck: start composing with the request check (COMPOSE_DURING_CHECK). */
  settings: { maxInputCharacters: number; examples: number; candidates: number; composeDuringCheck: boolean }
  clock: () => number
}

export function createDraftService(dependencies: DraftServiceDependencies) {
  const { store, model, prompts, deliberator, gate, policies, consent, hypotheses, style, learning, contrast, editPairs, lock, counters, settings, clock } = dependencies
  const drafts = store.collection('drafts', storedDraftSchema)
  const idempotency = store.collection('idempotency', idempotencySchema)

  const compose = async (request: DraftRequest): Promise<DraftResult> => {
    const member = request.actor.member
    const policy = await policies.requireEnabled(member)
    const context = request.context ?? []
    const checkInput = { task: 'draft' as const, request: request.intent, context, workspace: workspaceOf(member), member }
    const record = { workspace: member, memberUserId: member.userId, retentionDays: policy.retentionDays }

    const count = Math.max(1, Math.min(request.candidates ?? settings.candidates, 5))
    const composeDraft = async (safeCompletion: SafeCompletion | undefined) => {
      const [set, examplePool, summary, negatives] = await Promise.all([hypotheses.get(member), learning.examplePool(member), style.summary(member), contrast.get(member)])
      // Nothing learned in a private channel is carried anywhere else: public examples, or ones from this very channel.
      const usable = (each: { channelKind: string; channelId: string }) => each.channelKind === 'public' || (request.channelId !== undefined && each.channelId === request.channelId)
      const examples = selectExamples(request.intent, examplePool.filter(usable), settings.examples)
      const messages = buildDraftMessages(prompts, { intent: request.intent, context, hypotheses: set.hypotheses, attributes: summary, examples, contrast: negatives.filter(usable), safeCompletion })
      const candidates = await generateCandidates(model, { messages, context: { workspace: workspaceOf(member), member, purpose: 'draft' } }, count)
      if (candidates.length === 0) throw new BotError('llm_output_invalid', 'The model returned an empty draft. Try again or rephrase what you want to say.')
      const scores = await style.score(member, candidates)
      const best = scores ? scores.indexOf(Math.max(...scores)) : 0
      return { set, text: candidates[best]!, styleMatch: scores?.[best] }
    }
    const before = await checkWhileComposing({
      check: () => gate('request', () => deliberator.checkRequest(checkInput), record),
      compose: composeDraft,
      safeCompletionFor: deliberator.safeCompletionFor,
      overlap: settings.composeDuringCheck,
    })
    if (!before.allowed) return { status: 'refused', verdict: before.verdict, message: before.message }
    const { set, text, styleMatch } = before.composed

    const after = await gate('output', () => deliberator.checkOutput({ ...checkInput, output: text }), record)
    if (!after.allowed) return { status: 'refused', verdict: after.verdict, message: after.message }

    const draft: StoredDraft = {
      draftId: randomUUID(),
      member,
      intent: request.intent,
      context: request.context,
      channelKind: request.channelKind,
      channelId: request.channelId,
      text,
      styleMatch,
      hypothesesUsed: set.hypotheses.map((each) => ({ id: each.id, statement: each.statement })),
      status: 'pending',
      createdAt: clock(),
    }
    await drafts.set(memberChildKey(member, 'draft', draft.draftId), draft, draftTtlMs)
    await counters.increment(member, 'drafts')
    return {
      status: 'drafted',
      draftId: draft.draftId,
      text,
      styleMatch: draft.styleMatch,
      hypothesesUsed: draft.hypothesesUsed,
      verdict: after.verdict,
      notice: set.hypotheses.length === 0 ? 'I have not learned your style yet, so this draft is generic. It gets closer as I learn from your messages.' : undefined,
    }
  }

  /**
   * What the member changed before posting is the strongest signal of their style (CIPHER): the pair goes to the
   * next learning run. Only for a draft meant for a public channel, since hypotheses reach every channel.
   */
  const keepEditPair = async (actor: Actor, draft: StoredDraft, posted: string) => {
    if (draft.channelKind !== 'public') return
    await lock.run(memberKey(actor.member), async () => {
      // Under the lock, so an opt-out running at the same time cannot leave a pair behind.
      if (!(await consent.isOptedIn(actor.member))) return
      const policy = await policies.get(actor.member)
      await editPairs.add(actor.member, { draft: draft.text, posted, channelId: draft.channelId, channelKind: draft.channelKind, at: clock() }, policy.retentionDays)
    })
  }

  const ownDraft = async (actor: Actor, draftId: string): Promise<StoredDraft> => {
    const draft = await drafts.get(memberChildKey(actor.member, 'draft', draftId))
    if (!draft || !sameMember(draft.member, actor.member)) {
      throw new BotError('not_found', 'That draft has expired or was already used. Ask for a new one.')
    }
    return draft
  }

  return {
    async draft(request: DraftRequest): Promise<DraftResult> {
      const intent = request.intent.trim()
      if (!intent) throw new BotError('input_invalid', 'Tell me what you want to say, e.g. `/draft tell the team the release moves to Friday`.')
      if (intent.length > settings.maxInputCharacters) {
        throw new BotError('input_too_large', `That is ${intent.length} characters; the limit is ${settings.maxInputCharacters}. Shorten what you want to say and try again.`)
      }
      const member = request.actor.member
      await policies.requireEnabled(member)
      if (!(await consent.isOptedIn(member))) {
        throw new BotError('consent_required', 'Drafting in your voice needs your opt-in first: it lets me learn how you write from your messages.')
      }
      const key = request.idempotencyKey ? memberChildKey(member, 'idempotency', request.idempotencyKey) : undefined
      if (key && !(await idempotency.setIfAbsent(key, {}, 3_600_000))) {
        const seen = await idempotency.get(key)
        const previous = seen?.draftId ? await drafts.get(memberChildKey(member, 'draft', seen.draftId)) : undefined
        if (!previous) throw new BotError('duplicate', 'This request is already being handled.')
        return { status: 'drafted', draftId: previous.draftId, text: previous.text, styleMatch: previous.styleMatch, hypothesesUsed: previous.hypothesesUsed, verdict: { decision: 'comply', ruleIds: [], stage: 'output' } }
      }
      try {
        const result = await compose({ ...request, intent })
        if (key && result.status === 'drafted') await idempotency.set(key, { draftId: result.draftId }, 3_600_000)
        return result
      } catch (error) {
        // A failed attempt must not block a retry of the same request.
        if (key) await idempotency.delete(key).catch(() => {})
        throw error
      }
    },

    getDraft: async (actor: Actor, draftId: string): Promise<DraftView> => viewOf(await ownDraft(actor, draftId)),

    async regenerateDraft(actor: Actor, draftId: string): Promise<DraftResult> {
      const previous = await ownDraft(actor, draftId)
      return compose({ actor, intent: previous.intent, context: previous.context, channelKind: previous.channelKind, channelId: previous.channelId })
    },

    async finalizeDraft(actor: Actor, request: FinalizeDraftRequest): Promise<FinalizeDraftResult> {
      const draft = await ownDraft(actor, request.draftId)
      const key = memberChildKey(actor.member, 'draft', draft.draftId)
      if (request.action === 'restore') {
        if (draft.status !== 'posted') throw new BotError('not_found', 'That draft is not waiting to be posted.')
        const restored: StoredDraft = { ...draft, status: 'pending' }
        await drafts.set(key, restored, draftTtlMs)
        return { status: 'restored', draft: viewOf(restored) }
      }
      if (draft.status !== 'pending') throw new BotError('not_found', 'That draft was already posted or discarded.')
      if (request.action === 'discard') {
        await drafts.delete(key)
        return { status: 'discarded' }
      }
      let text = draft.text
      const edited = request.text?.trim()
      if (edited && edited !== draft.text) {
        if (edited.length > settings.maxInputCharacters) throw new BotError('input_too_large', `The edited draft is over ${settings.maxInputCharacters} characters; shorten it and try again.`)
        const policy = await policies.requireEnabled(actor.member)
        // Edited text is posted with the AI label too, so it passes the same output check.
        const checked = await gate(
          'output',
          () => deliberator.checkOutput({ task: 'draft', request: draft.intent, context: draft.context ?? [], workspace: workspaceOf(actor.member), member: actor.member, output: edited }),
          { workspace: actor.member, memberUserId: actor.member.userId, retentionDays: policy.retentionDays },
        )
        if (!checked.allowed) return { status: 'refused', verdict: checked.verdict, message: checked.message }
        text = edited
      }
      const posted: StoredDraft = { ...draft, text, status: 'posted' }
      await drafts.set(key, posted, draftTtlMs)
      if (text !== draft.text) await keepEditPair(actor, draft, text)
      await counters.increment(actor.member, 'posted')
      return { status: 'ready_to_post', text, label: aiDraftLabel, draft: viewOf(posted) }
    },
  }
}
