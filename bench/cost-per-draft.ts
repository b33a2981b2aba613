// Benchmark of model cost: prompt and completion tokens and prompt characters per draft and per answer at several
// history sizes (real core, fake OpenAI-compatible server that reports usage by word count), next to a naive prompt
// that puts the member's last N messages in; model calls per draft. Measures only; never changes the core.
import type { ChatMessage } from '../src/llm/language-model.js'
import type { ContextMessage, MemberRef } from '../src/core/types.js'
import type { FakeOpenAiRequest } from '../testing/fakes/fake-openai-server.js'
import { schemaName, scriptedHandler } from '../testing/support/scripted-model.js'
import { createBenchCore, enableWorkspace, optIn, selfActor, type BenchCore, type ModelCall } from './bench-core.js'
import { uniqueBenchWorkspace } from './bench-store.js'
import { messagesFor } from './chat-corpus.js'
import { ratio, round } from './observe-throughput.js'
import { safetyPromptTokensBeforeSplit } from './safety-checks-before-split.js'

export type CallCost = {
  calls: number
  /** Calls by purpose, e.g. `{ safety: 2, draft: 1 }`. */
  callsByPurpose: Record<string, number>
  promptTokens: number
  completionTokens: number
  /** Characters of every message content actually sent to the model. */
  promptCharacters: number
}

/** The two safety checks of one draft, next to the same checks with the prompts before the spec was split per stage. */
export type SafetyCost = { promptTokens: number; completionTokens: number; beforeSplitPromptTokens: number }

export type NaivePrompt = { messagesInPrompt: number; promptTokens: number; promptCharacters: number }

export type CostAtHistorySize = {
  historySize: number
  /** What the history holds after HISTORY_MAX_MESSAGES dropped the oldest pages. */
  historyStored: number
  draft: CallCost & { composePromptTokens: number; composePromptCharacters: number; safety: SafetyCost }
  /** The same draft with DRAFT_CANDIDATES=3 (best of three by style match). */
  draftBestOfThree: CallCost
  answer: CallCost & { composePromptTokens: number }
  naiveDraft: NaivePrompt
  naiveAnswer: NaivePrompt
  /** Ours / naive (below 1: ours is cheaper). */
  ratios: { draftPromptTokens: number; composePromptTokens: number; answerPromptTokens: number; answerComposePromptTokens: number }
  /** The server's reported prompt tokens for the compose call equal this file's count of the same prompt. */
  tokenCountsAgree: boolean
}

export type CostReport = {
  benchmark: 'cost-per-draft'
  tokenRule: string
  sizes: CostAtHistorySize[]
}

export type CostOptions = {
  /** The member's messages (cycled when fewer than the largest size). */
  texts: string[]
  historySizes: number[]
  intent?: string
  question?: string
  context?: ContextMessage[]
}

export const tokenRule = 'fake server: 3 + whitespace-separated words per chat message (prompt); words + 1 (completion)'

/** Counts prompt tokens exactly as the fake server reports them, so the naive baseline is counted the same way. */
export function countPromptTokens(messages: ChatMessage[] | { content?: string }[]): number {
  return messages.reduce((total, message) => total + 3 + (message.content ?? '').split(/\s+/).filter(Boolean).length, 0)
}

const defaultContext: ContextMessage[] = [
  { author: 'other', text: 'Is the migration still planned for Thursday? QA wants to know before they start the regression run.' },
  { author: 'other', text: 'Also, does anyone know if the staging database was refreshed this week?' },
]

export async function runCostBenchmark(options: CostOptions): Promise<CostReport> {
  const intent = options.intent ?? 'tell them the migration moves to friday because the schema change needs another review'
  const question = options.question ?? 'what is the safest way to roll back a failed database migration?'
  const context = options.context ?? defaultContext
  const workspace = uniqueBenchWorkspace('cost')
  const bench = await createBenchCore({ server: { handler: scriptedHandler({}) } })
  try {
    const members = options.historySizes.map((size, index): MemberRef => ({ ...workspace, userId: `U00BENCHCOST${index + 1}` }))
    await enableWorkspace(bench.core, workspace)
    await optIn(bench.core, workspace, members.map((member) => member.userId))
    const sent = new Map<string, string[]>()
    // Members load in parallel (each member's messages in order), as separate event streams would.
    await Promise.all(
      members.map(async (member, index) => {
        const messages = messagesFor({ workspace, userId: member.userId }, options.texts, options.historySizes[index]!, { idPrefix: `cost${index + 1}` })
        sent.set(member.userId, messages.map((message) => message.text))
        for (const message of messages) await bench.core.observe(message)
      }),
    )
    const bestOfThree = await bench.variant({ DRAFT_CANDIDATES: '3' })
    const sizes: CostAtHistorySize[] = []
    for (const [index, member] of members.entries()) {
      const actor = selfActor(member)
      const profile = await bench.core.learn(actor, member)
      const draftRun = await measure(bench, () => bench.core.draft({ actor, intent, context, channelKind: 'public', channelId: 'C00BENCH0001' }))
      const bestRun = await measure(bench, () => bestOfThree.draft({ actor, intent, context, channelKind: 'public', channelId: 'C00BENCH0001' }))
      const answerRun = await measure(bench, () => bench.core.answer({ actor, question, context, channelKind: 'public' }))
      const lastN = sent.get(member.userId)!
      const naiveDraft = naivePrompt(naiveDraftMessages(lastN, context, intent), lastN.length)
      const naiveAnswer = naivePrompt(naiveAnswerMessages(lastN, context, question), lastN.length)
      const compose = draftRun.requests.filter((request) => schemaName(request) === undefined)
      const answerCompose = answerRun.requests.filter((request) => schemaName(request) === undefined)
      const composePromptTokens = sumUsage(draftRun.calls.filter((call) => call.purpose === 'draft'), 'promptTokens')
      const answerComposePromptTokens = sumUsage(answerRun.calls.filter((call) => call.purpose === 'answer'), 'promptTokens')
      const checks = draftRun.calls.filter((call) => call.purpose === 'safety')
      const safety: SafetyCost = {
        promptTokens: sumUsage(checks, 'promptTokens'),
        completionTokens: sumUsage(checks, 'completionTokens'),
        beforeSplitPromptTokens: safetyPromptTokensBeforeSplit({ task: 'draft', request: intent, context, output: draftRun.text }),
      }
      sizes.push({
        historySize: options.historySizes[index]!,
        historyStored: profile.historySize,
        draft: { ...draftRun.cost, composePromptTokens, composePromptCharacters: characters(compose), safety },
        draftBestOfThree: bestRun.cost,
        answer: { ...answerRun.cost, composePromptTokens: answerComposePromptTokens },
        naiveDraft,
        naiveAnswer,
        ratios: {
          draftPromptTokens: ratio(draftRun.cost.promptTokens, naiveDraft.promptTokens),
          composePromptTokens: ratio(composePromptTokens, naiveDraft.promptTokens),
          answerPromptTokens: ratio(answerRun.cost.promptTokens, naiveAnswer.promptTokens),
          answerComposePromptTokens: ratio(answerComposePromptTokens, naiveAnswer.promptTokens),
        },
        tokenCountsAgree:
          compose.length === 1 && countPromptTokens(compose[0]!.body.messages) === composePromptTokens && answerCompose.length === 1 && countPromptTokens(answerCompose[0]!.body.messages) === answerComposePromptTokens,
      })
    }
    return { benchmark: 'cost-per-draft', tokenRule, sizes }
  } finally {
    await bench.close()
  }
}

/** Runs one core call and returns the model calls and the chat requests it caused. */
async function measure(bench: BenchCore, work: () => Promise<{ status: string; text?: string }>) {
  const callMark = bench.calls.length
  const requestMark = bench.server.chatRequests().length
  const result = await work()
  if (result.status === 'refused') throw new Error('the scripted model refused a benchmark request; the cost figures would be wrong')
  const calls = bench.calls.slice(callMark)
  const requests = bench.server.chatRequests().slice(requestMark)
  const callsByPurpose: Record<string, number> = {}
  for (const call of calls) callsByPurpose[call.purpose] = (callsByPurpose[call.purpose] ?? 0) + 1
  const cost: CallCost = {
    calls: calls.length,
    callsByPurpose,
    promptTokens: sumUsage(calls, 'promptTokens'),
    completionTokens: sumUsage(calls, 'completionTokens'),
    promptCharacters: characters(requests),
  }
  return { cost, calls, requests, text: result.text ?? '' }
}

const sumUsage = (calls: ModelCall[], field: 'promptTokens' | 'completionTokens') => calls.reduce((total, call) => total + call.usage[field], 0)
const characters = (requests: FakeOpenAiRequest[]) => requests.reduce((total, request) => total + request.body.messages.reduce((sum, message) => sum + (message.content ?? '').length, 0), 0)

function naivePrompt(messages: ChatMessage[], messagesInPrompt: number): NaivePrompt {
  return { messagesInPrompt, promptTokens: countPromptTokens(messages), promptCharacters: messages.reduce((sum, message) => sum + message.content.length, 0) }
}

const formatContext = (context: ContextMessage[]) => context.map((message) => `${message.author === 'self' ? 'me' : 'them'}: ${message.text}`).join('\n')

/** The naive draft prompt: the member's last N messages as style examples, then the thread and the intent. */
export function naiveDraftMessages(lastMessages: string[], context: ContextMessage[], intent: string): ChatMessage[] {
  return [
    { role: 'system', content: `Write the message the member wants to send, in their own voice. These are their last ${lastMessages.length} messages; match how they write.\n\n${lastMessages.map((text) => `- ${text}`).join('\n')}` },
    { role: 'user', content: `Thread:\n${formatContext(context)}\n\nWhat I want to say: ${intent}` },
  ]
}

/** The naive answer prompt: the member's last N messages so the model can guess how they like to be spoken to. */
export function naiveAnswerMessages(lastMessages: string[], context: ContextMessage[], question: string): ChatMessage[] {
  return [
    { role: 'system', content: `Answer the member's question the way they like to be spoken to. These are their last ${lastMessages.length} messages.\n\n${lastMessages.map((text) => `- ${text}`).join('\n')}` },
    { role: 'user', content: `Thread:\n${formatContext(context)}\n\nQuestion: ${question}` },
  ]
}

export type LearningCallsReport = {
  benchmark: 'learning-calls'
  messages: number
  members: number
  settings: { minNewMessages: number; minIntervalMinutes: number }
  learnCalls: number
  perHundredMessages: number
  /** Mean prompt tokens of one learning call (a bounded sample of the member's messages plus the previous hypotheses). */
  promptTokensPerCall: number
  /** The same replay with a count-only trigger (LEARN_MIN_INTERVAL_MINUTES=0). */
  countOnly: { learnCalls: number; perHundredMessages: number }
  ratio: number
}

/**
 * Replays messages with the clock at each message's own timestamp and background learning on, with the default
 * LEARN_MIN_NEW_MESSAGES and interval, and counts learning calls; then the same with the interval set to zero.
 */
export async function runLearningCallsBenchmark(options: { messages: import('./chat-corpus.js').CorpusMessage[] }): Promise<LearningCallsReport> {
  const run = async (settings: Record<string, string>) => {
    let now = options.messages[0]?.timestamp ?? Date.now()
    const workspace = uniqueBenchWorkspace('learn')
    const bench = await createBenchCore({ server: { handler: scriptedHandler({}) }, backgroundLearning: true, clock: () => now, settings })
    try {
      await enableWorkspace(bench.core, workspace)
      await optIn(bench.core, workspace, new Set(options.messages.map((message) => message.userId)))
      for (const message of options.messages) {
        now = Math.max(now, message.timestamp)
        await bench.core.observe({ ...message, workspace })
        // Jobs run at the time their trigger arrived, so the interval is judged on the replayed clock.
        await bench.lifecycle.idle()
      }
      const learnCalls = bench.calls.filter((call) => call.purpose === 'learn')
      const promptTokens = learnCalls.reduce((total, call) => total + call.usage.promptTokens, 0)
      return { calls: learnCalls.length, promptTokensPerCall: learnCalls.length ? Math.round(promptTokens / learnCalls.length) : 0, config: bench.config }
    } finally {
      await bench.close()
    }
  }
  const defaults = await run({})
  const countOnly = await run({ LEARN_MIN_INTERVAL_MINUTES: '0' })
  const perHundred = (calls: number) => round((calls / Math.max(1, options.messages.length)) * 100, 2)
  return {
    benchmark: 'learning-calls',
    messages: options.messages.length,
    members: new Set(options.messages.map((message) => message.userId)).size,
    settings: { minNewMessages: defaults.config.LEARN_MIN_NEW_MESSAGES, minIntervalMinutes: defaults.config.LEARN_MIN_INTERVAL_MINUTES },
    learnCalls: defaults.calls,
    perHundredMessages: perHundred(defaults.calls),
    promptTokensPerCall: defaults.promptTokensPerCall,
    countOnly: { learnCalls: countOnly.calls, perHundredMessages: perHundred(countOnly.calls) },
    ratio: ratio(defaults.calls, countOnly.calls),
  }
}
