// Benchmark of what one learning run costs in model calls and tokens: with the check off (LEARNING_VERIFY_MESSAGES=0,
// one call, as before the check existed), with the check on at its default settings, and with edited drafts in the
// prompt. Each on a fresh core over the same member's real messages (a colleague's give the calibration its floor),
// the fake OpenAI-compatible server reporting usage by word count. Measures only; never changes the core.
import type { MemberRef } from '../src/core/types.js'
import { textKindOf, scriptedHandler } from '../testing/support/scripted-model.js'
import { createBenchCore, enableWorkspace, optIn, selfActor } from './bench-core.js'
import { uniqueBenchWorkspace } from './bench-store.js'
import { tokenRule } from './cost-per-draft.js'
import { ratio } from './observe-throughput.js'

export type LearningRunCost = {
  calls: number
  promptTokens: number
  completionTokens: number
  /** Calls by what they were for: the revision itself, intents, check drafts, explanations. */
  callsByKind: Record<string, number>
  /** Held-out messages the run drafted both ways (0 with the check off). */
  checkedMessages: number
}

export type LearningCostReport = {
  benchmark: 'learning-cost'
  tokenRule: string
  messages: number
  settings: { verifyMessages: number; verifyRunTokens: number; editPairs: number }
  off: LearningRunCost
  on: LearningRunCost
  /** The check on, with the prompt showing LEARNING_EDIT_PAIRS edited drafts. */
  onWithEdits: LearningRunCost
  ratios: { calls: number; tokens: number; tokensWithEdits: number }
}

export async function runLearningCostBenchmark(options: { memberTexts: string[]; colleagueTexts: string[] }): Promise<LearningCostReport> {
  const run = async (settings: Record<string, string>, edits: number) => {
    const workspace = uniqueBenchWorkspace('learncost')
    const bench = await createBenchCore({ server: { handler: scriptedHandler({}) }, settings: { LEARN_MIN_NEW_MESSAGES: '1000000', ...settings } })
    try {
      const member: MemberRef = { ...workspace, userId: 'U00BENCHLRN1' }
      const colleague: MemberRef = { ...workspace, userId: 'U00BENCHLRN2' }
      await enableWorkspace(bench.core, workspace)
      await optIn(bench.core, workspace, new Set([member.userId, colleague.userId]))
      let sequence = 0
      const observe = async (who: MemberRef, text: string) => {
        sequence += 1
        await bench.core.observe({ kind: 'created', workspace, userId: who.userId, channelId: 'C00BENCHCHAN', channelKind: 'public', messageId: `${sequence}.000100`, text, timestamp: Date.now() - 86_400_000 + sequence })
      }
      for (const text of options.colleagueTexts) await observe(colleague, text)
      for (const text of options.memberTexts) await observe(member, text)
      for (let index = 0; index < edits; index++) {
        const draft = await bench.core.draft({ actor: selfActor(member), intent: `say the build ${index} is fixed`, channelKind: 'public', channelId: 'C00BENCHCHAN' })
        if (draft.status === 'drafted') await bench.core.finalizeDraft(selfActor(member), { draftId: draft.draftId, action: 'post', text: `${options.memberTexts[index % options.memberTexts.length]} (edited)` })
      }
      const firstCall = bench.calls.length
      const firstRequest = bench.server.requests.length
      const profile = await bench.core.learn(selfActor(member), member)
      const calls = bench.calls.slice(firstCall)
      const callsByKind: Record<string, number> = {}
      for (const request of bench.server.requests.slice(firstRequest)) {
        const kind = request.body.response_format ? 'revision' : textKindOf(request)
        callsByKind[kind] = (callsByKind[kind] ?? 0) + 1
      }
      return {
        cost: {
          calls: calls.length,
          promptTokens: calls.reduce((sum, call) => sum + call.usage.promptTokens, 0),
          completionTokens: calls.reduce((sum, call) => sum + call.usage.completionTokens, 0),
          callsByKind,
          checkedMessages: profile.changes.at(-1)?.check?.messages ?? 0,
        },
        config: bench.config,
      }
    } finally {
      await bench.close()
    }
  }
  const off = await run({ LEARNING_VERIFY_MESSAGES: '0' }, 0)
  const on = await run({}, 0)
  const onWithEdits = await run({}, on.config.LEARNING_EDIT_PAIRS)
  const tokens = (cost: LearningRunCost) => cost.promptTokens + cost.completionTokens
  return {
    benchmark: 'learning-cost',
    tokenRule,
    messages: options.memberTexts.length,
    settings: { verifyMessages: on.config.LEARNING_VERIFY_MESSAGES, verifyRunTokens: on.config.LEARNING_VERIFY_RUN_TOKENS, editPairs: on.config.LEARNING_EDIT_PAIRS },
    off: off.cost,
    on: on.cost,
    onWithEdits: onWithEdits.cost,
    ratios: { calls: ratio(on.cost.calls, off.cost.calls), tokens: ratio(tokens(on.cost), tokens(off.cost)), tokensWithEdits: ratio(tokens(onWithEdits.cost), tokens(off.cost)) },
  }
}
