// The pairwise LLM judge: given the author's real text as reference, which of two outputs reads more like the
// author? Every pair is judged twice with the order swapped, and win rates average both orders, which cancels a
// judge's preference for the first or second position (the rate of that preference is reported too).
import { z } from 'zod'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import { quoteText } from '../src/core/prompting/quote-data.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { describeError, type ItemError } from './item-error.js'

export const pairwiseVerdictSchema = z.object({ winner: z.enum(['A', 'B', 'tie']), reason: z.string() })

export type PairOrder = 'first-shown-first' | 'second-shown-first'

/** One judge call: `first` and `second` are the two compared outputs; `order` says which was shown as A. */
export type Judgment = { order: PairOrder; winner?: 'first' | 'second' | 'tie'; error?: ItemError }

export async function judgeOnce(model: LanguageModel, prompts: PromptLibrary, input: { reference: string; first: string; second: string; order: PairOrder }): Promise<Judgment> {
  const [a, b] = input.order === 'first-shown-first' ? [input.first, input.second] : [input.second, input.first]
  try {
    const result = await model.generateObject({
      schema: pairwiseVerdictSchema,
      schemaName: 'pairwise_style_verdict',
      messages: [
        { role: 'system', content: prompts.render('eval-judge.system', {}) },
        { role: 'user', content: prompts.render('eval-judge.user', { reference: quoteText(input.reference), candidate_a: quoteText(a), candidate_b: quoteText(b) }) },
      ],
      temperature: 0,
      maxTokens: 300,
      context: { workspace: { platform: 'console', workspaceId: 'eval:judge' }, purpose: 'eval' },
    })
    const shownFirstWon = result.object.winner === 'A'
    if (result.object.winner === 'tie') return { order: input.order, winner: 'tie' }
    const firstWon = input.order === 'first-shown-first' ? shownFirstWon : !shownFirstWon
    return { order: input.order, winner: firstWon ? 'first' : 'second' }
  } catch (error) {
    return { order: input.order, error: describeError(error) }
  }
}

/** Both orders of one pair on one task. */
export async function judgeBothOrders(model: LanguageModel, prompts: PromptLibrary, input: { reference: string; first: string; second: string }): Promise<Judgment[]> {
  return Promise.all((['first-shown-first', 'second-shown-first'] as const).map((order) => judgeOnce(model, prompts, { ...input, order })))
}

export type PairFigures = {
  first: string
  second: string
  /** Tasks where both outputs existed and were judged (both orders). */
  tasks: number
  judgments: number
  firstWins: number
  secondWins: number
  ties: number
  errors: number
  /** (first wins + ties / 2) / judgments. */
  firstWinRate: number
  /** Tasks where both orders named the same winner, of tasks with two valid judgments. */
  consistentRate: number
  /** Share of decisive judgments that chose whichever output was shown as A: 0.5 = no position bias. */
  shownFirstRate: number
}

export function pairFigures(first: string, second: string, perTask: Judgment[][]): PairFigures {
  let firstWins = 0
  let secondWins = 0
  let ties = 0
  let errors = 0
  let consistent = 0
  let bothValid = 0
  let decisive = 0
  let shownFirst = 0
  for (const judgments of perTask) {
    for (const judgment of judgments) {
      if (judgment.error || !judgment.winner) {
        errors++
        continue
      }
      if (judgment.winner === 'tie') ties++
      else {
        if (judgment.winner === 'first') firstWins++
        else secondWins++
        decisive++
        const wasShownFirst = (judgment.winner === 'first') === (judgment.order === 'first-shown-first')
        if (wasShownFirst) shownFirst++
      }
    }
    const valid = judgments.filter((judgment) => judgment.winner)
    if (valid.length === 2) {
      bothValid++
      if (valid[0]!.winner === valid[1]!.winner && valid[0]!.winner !== 'tie') consistent++
    }
  }
  const judgments = firstWins + secondWins + ties
  return {
    first,
    second,
    tasks: perTask.length,
    judgments,
    firstWins,
    secondWins,
    ties,
    errors,
    firstWinRate: judgments ? (firstWins + ties / 2) / judgments : Number.NaN,
    consistentRate: bothValid ? consistent / bothValid : Number.NaN,
    shownFirstRate: decisive ? shownFirst / decisive : Number.NaN,
  }
}

/** The judge's overall pick on one task: a winner only when the two orders agree (a tie or a split gives none). */
export function consistentWinner(judgments: Judgment[]): 'first' | 'second' | undefined {
  const [one, two] = judgments
  if (!one?.winner || !two?.winner || one.winner !== two.winner || one.winner === 'tie') return undefined
  return one.winner
}
