// Real cores for the core conditions, in throwaway SQLite stores: every author of a dataset is imported once (with
// consent recorded as the import's) into one store, and each core condition opens its own copy of that store, with
// its own settings on top, so conditions never see each other's learning or edits and the import is paid once.
// Learning is the core's own learning job; drafts go through core.draft.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import type { Actor, ContextMessage, DraftResult, Hypothesis, MemberRef, ObservedMessage, Platform, StyleSummary, WorkspaceRef } from '../src/core/types.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { openStore } from '../src/store/open-store.js'
import { describeError, type ItemError } from './item-error.js'

export type EvalCore = {
  member(author: number): MemberRef
  learn(author: number): Promise<LearnOutcome>
  draft(author: number, intent: string, context: ContextMessage[]): Promise<DraftResult>
  /** Drafts `intent` and posts it edited to `posted`, as a member who rewrote the draft before posting would. */
  edit(author: number, intent: string, posted: string): Promise<{ status: 'edited' | 'refused' } | { status: 'failed'; error: ItemError }>
  close(): Promise<void>
}

export type LearnOutcome = { hypotheses: Hypothesis[]; attributes?: StyleSummary; error?: ItemError }

export type EvalCores = {
  /**
   * A core on a fresh copy of the imported store. `settings` go on top of the configuration by name (e.g. a learning
   * setting a condition switches on): named rather than typed so a condition can name a setting this build may not
   * have (a test checks every name a condition uses is one).
   */
  open(settings?: Readonly<Record<string, number>>): Promise<EvalCore>
  /** Removes the imported store; close every opened core first. */
  close(): void
}

const channelId = 'C00EVALCHAN1'

export async function prepareEvalCores(options: {
  config: Config
  model: LanguageModel
  safetyModel: LanguageModel
  platform: Platform
  workspaceId: string
  authors: { trainTexts: string[] }[]
  candidates: number
}): Promise<EvalCores> {
  const directory = mkdtempSync(join(tmpdir(), 'hyperalign-eval-'))
  const imported = join(directory, 'imported.sqlite')
  const configFor = (file: string, settings: Readonly<Record<string, number>> = {}) =>
    ({
      ...options.config,
      STORE_URL: `sqlite://${file}`,
      // The evaluation decides its own size; a workspace budget would cut it off half way.
      LLM_DAILY_TOKEN_BUDGET: 0,
      DRAFT_CANDIDATES: options.candidates,
      // Learning runs when the evaluation asks, never in the background.
      LEARN_MIN_NEW_MESSAGES: 1_000_000,
      ...settings,
    }) as Config
  const start = async (config: Config) => {
    const store = await openStore(config.STORE_URL)
    const { core, lifecycle } = await createBotCore({ config, store, model: options.model, safetyModel: options.safetyModel, backgroundLearning: false })
    const close = async () => {
      await lifecycle.close()
      await store.close()
    }
    return { core, close }
  }
  const workspace: WorkspaceRef = { platform: options.platform, workspaceId: options.workspaceId }
  const member = (author: number): MemberRef => ({ ...workspace, userId: `U00EVAL${String(author + 1).padStart(5, '0')}` })
  const actor = (author: number): Actor => ({ member: member(author), isPlatformAdmin: false })

  const importer = await start(configFor(imported))
  try {
    const admin: Actor = { member: { ...workspace, userId: 'U00EVALADMIN' }, isPlatformAdmin: true }
    await importer.core.admin.setEnabled(admin, workspace, true)
    const begin = Date.now() - 86_400_000
    const messages: ObservedMessage[] = options.authors.flatMap((author, index) =>
      author.trainTexts.map((text, position) => ({
        kind: 'created' as const,
        workspace,
        userId: member(index).userId,
        channelId,
        channelKind: 'public' as const,
        messageId: `${index + 1}.${String(position + 1).padStart(6, '0')}`,
        text,
        timestamp: begin + index * 1000 + position,
      })),
    )
    await importer.core.admin.importMessages({ actor: admin, messages, consentingUserIds: options.authors.map((_, index) => member(index).userId) })
  } catch (error) {
    await importer.close()
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
  await importer.close()

  let copies = 0
  return {
    async open(settings) {
      const file = join(directory, `core-${++copies}.sqlite`)
      // Closed, the store is one file (plus a write-ahead log if SQLite kept one): copying both copies it whole.
      copyFileSync(imported, file)
      if (existsSync(`${imported}-wal`)) copyFileSync(`${imported}-wal`, `${file}-wal`)
      const { core, close } = await start(configFor(file, settings))
      return {
        member,
        async learn(author) {
          try {
            const profile = await core.learn(actor(author), member(author))
            return { hypotheses: profile.hypotheses, ...(profile.attributes ? { attributes: profile.attributes } : {}) }
          } catch (error) {
            return { hypotheses: [], error: describeError(error) }
          }
        },
        draft: (author, intent, context) => core.draft({ actor: actor(author), intent, context, channelKind: 'public', channelId, candidates: options.candidates }),
        async edit(author, intent, posted) {
          try {
            const drafted = await core.draft({ actor: actor(author), intent, context: [], channelKind: 'public', channelId, candidates: options.candidates })
            if (drafted.status !== 'drafted') return { status: 'refused' }
            const finalized = await core.finalizeDraft(actor(author), { action: 'post', draftId: drafted.draftId, text: posted })
            return { status: finalized.status === 'ready_to_post' ? 'edited' : 'refused' }
          } catch (error) {
            return { status: 'failed', error: describeError(error) }
          }
        },
        async close() {
          await close()
          for (const each of [file, `${file}-wal`, `${file}-shm`]) rmSync(each, { force: true })
        },
      }
    },
    close: () => rmSync(directory, { recursive: true, force: true }),
  }
}
