// A real core for the full-pipeline condition, in a throwaway SQLite store: every author of a dataset is imported
// (with consent recorded as the import's), learned with the core's own learning job, and drafts go through core.draft.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import type { Actor, ContextMessage, DraftResult, Hypothesis, MemberRef, ObservedMessage, Platform, WorkspaceRef } from '../src/core/types.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { openStore } from '../src/store/open-store.js'
import { describeError, type ItemError } from './item-error.js'

export type EvalCore = {
  member(author: number): MemberRef
  learn(author: number): Promise<{ hypotheses: Hypothesis[]; error?: ItemError }>
  draft(author: number, intent: string, context: ContextMessage[]): Promise<DraftResult>
  close(): Promise<void>
}

const channelId = 'C00EVALCHAN1'

export async function createEvalCore(options: {
  config: Config
  model: LanguageModel
  safetyModel: LanguageModel
  platform: Platform
  workspaceId: string
  authors: { trainTexts: string[] }[]
  candidates: number
}): Promise<EvalCore> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-eval-'))
  const config: Config = {
    ...options.config,
    STORE_URL: `sqlite://${join(directory, 'eval.sqlite')}`,
    // The evaluation decides its own size; a workspace budget would cut it off half way.
    LLM_DAILY_TOKEN_BUDGET: 0,
    DRAFT_CANDIDATES: options.candidates,
    // Learning runs when the evaluation asks, never in the background.
    LEARN_MIN_NEW_MESSAGES: 1_000_000,
  }
  const store = await openStore(config.STORE_URL)
  const { core, lifecycle } = await createBotCore({ config, store, model: options.model, safetyModel: options.safetyModel, backgroundLearning: false })
  const workspace: WorkspaceRef = { platform: options.platform, workspaceId: options.workspaceId }
  const member = (author: number): MemberRef => ({ ...workspace, userId: `U00EVAL${String(author + 1).padStart(5, '0')}` })
  const actor = (author: number): Actor => ({ member: member(author), isPlatformAdmin: false })
  try {
    const admin: Actor = { member: { ...workspace, userId: 'U00EVALADMIN' }, isPlatformAdmin: true }
    await core.admin.setEnabled(admin, workspace, true)
    const start = Date.now() - 86_400_000
    const messages: ObservedMessage[] = options.authors.flatMap((author, index) =>
      author.trainTexts.map((text, position) => ({
        kind: 'created' as const,
        workspace,
        userId: member(index).userId,
        channelId,
        channelKind: 'public' as const,
        messageId: `${index + 1}.${String(position + 1).padStart(6, '0')}`,
        text,
        timestamp: start + index * 1000 + position,
      })),
    )
    await core.admin.importMessages({ actor: admin, messages, consentingUserIds: options.authors.map((_, index) => member(index).userId) })
  } catch (error) {
    await lifecycle.close()
    await store.close()
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
  return {
    member,
    async learn(author) {
      try {
        const profile = await core.learn(actor(author), member(author))
        return { hypotheses: profile.hypotheses }
      } catch (error) {
        return { hypotheses: [], error: describeError(error) }
      }
    },
    draft: (author, intent, context) => core.draft({ actor: actor(author), intent, context, channelKind: 'public', channelId, candidates: options.candidates }),
    async close() {
      await lifecycle.close()
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
