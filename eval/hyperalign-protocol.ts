// The HyPerAlign / DITTO protocol on one dataset: derive each task's intent, learn each author's hypotheses with the
// core, write every task under the four conditions, judge pairs of outputs against the author's real text (both
// orders), and measure each output's calibrated style match to the author. Both are reported; neither is trusted alone.
import type { Config } from '../src/config.js'
import { minimumMessagesForStyleMatch } from '../src/core/records/member-style-store.js'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import type { Hypothesis } from '../src/core/types.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { createEvalCore } from './eval-core.js'
import type { IntentCache } from './intent-cache.js'
import { describeError, summarizeErrors, type ErrorSummary, type ItemError } from './item-error.js'
import { consistentWinner, judgeBothOrders, pairFigures, type Judgment, type PairFigures } from './pairwise-judge.js'
import { mapWithConcurrency } from './run-pool.js'
import { conditionDescriptions, conditionNames, conditionPairs, fullPipelineCondition, promptCondition, type ConditionName, type ConditionOutput } from './style-conditions.js'
import type { StyleDataset } from './style-dataset.js'
import { createStyleMeasure } from './style-measure.js'

export type StyleTaskResult = {
  id: string
  author: string
  kind: string
  contextMessages: number
  intent?: string
  intentCached?: boolean
  intentError?: ItemError
  outputs: Partial<Record<ConditionName, ConditionOutput & { styleMatch?: number }>>
  referenceStyleMatch?: number
  otherReferenceStyleMatch?: number
  judgments: { first: ConditionName; second: ConditionName; judgments: Judgment[] }[]
}

export type ConditionSummary = {
  condition: ConditionName
  description: string
  outputs: number
  refused: number
  errors: number
  meanStyleMatch: number
  medianStyleMatch: number
  meanWords: number
}

export type StyleProtocolReport = {
  dataset: string
  corpus: string
  design: string
  platform: string
  authors: number
  authorsWithTasks: number
  tasks: number
  trainTexts: number
  candidates: number
  rerank: string
  hypotheses: { authorsLearned: number; authorsFailed: number; meanPerAuthor: number }
  conditions: ConditionSummary[]
  reference: { meanOwn: number; meanOther: number }
  pairs: PairFigures[]
  judgeMeasureAgreement: { comparisons: number; agreements: number; rate: number }
  errors: ErrorSummary[]
  items: StyleTaskResult[]
}

export type StyleProtocolOptions = {
  config: Config
  model: LanguageModel
  safetyModel: LanguageModel
  judgeModel: LanguageModel
  prompts: PromptLibrary
  intents: IntentCache
  slice?: number
  trainTexts: number
  candidates: number
  concurrency: number
  progress?: (line: string) => void
}

export async function runHyperAlignProtocol(dataset: StyleDataset, options: StyleProtocolOptions): Promise<StyleProtocolReport> {
  const { prompts, model } = options
  const progress = options.progress ?? (() => {})
  const tasks = options.slice === undefined ? dataset.tasks : dataset.tasks.slice(0, options.slice)
  const measure = createStyleMeasure(dataset.authors, dataset.platform)
  const workspace = { platform: 'console', workspaceId: `eval:${dataset.name}` } as const

  const intents = await mapWithConcurrency(tasks, options.concurrency, async (task) => {
    try {
      return await options.intents.intentFor(task.kind, task.reference)
    } catch (error) {
      return { error: describeError(error) }
    } finally {
      options.intents.save()
    }
  })
  progress(`${dataset.name}: ${intents.filter((each) => 'intent' in each).length}/${tasks.length} intents`)

  const core = await createEvalCore({
    config: options.config,
    model,
    safetyModel: options.safetyModel,
    platform: dataset.platform,
    workspaceId: `T00EVAL${dataset.name.replace(/[^A-Za-z]/g, '').toUpperCase().slice(0, 8)}`,
    authors: dataset.authors,
    candidates: options.candidates,
  })
  try {
    const authorsWithTasks = [...new Set(tasks.map((task) => task.author))]
    const learned = new Map<number, { hypotheses: Hypothesis[]; error?: ItemError }>()
    await mapWithConcurrency(authorsWithTasks, options.concurrency, async (author) => {
      learned.set(author, await core.learn(author))
    })
    progress(`${dataset.name}: hypotheses learned for ${[...learned.values()].filter((each) => !each.error).length}/${authorsWithTasks.length} authors`)

    let done = 0
    const items = await mapWithConcurrency(tasks, options.concurrency, async (task, index): Promise<StyleTaskResult> => {
      const author = dataset.authors[task.author]!
      const derived = intents[index]!
      const result: StyleTaskResult = {
        id: task.id,
        author: author.id,
        kind: task.kind,
        contextMessages: task.context.length,
        outputs: {},
        referenceStyleMatch: measure.score(task.author, task.reference),
        otherReferenceStyleMatch: task.otherReference === undefined ? undefined : measure.score(task.author, task.otherReference),
        judgments: [],
      }
      if ('error' in derived) {
        result.intentError = derived.error
        return result
      }
      result.intent = derived.intent
      result.intentCached = derived.cached
      const input = { intent: derived.intent, context: task.context, trainTexts: author.trainTexts, hypotheses: learned.get(task.author)?.hypotheses ?? [], workspace }
      const learning = learned.get(task.author)?.error
      const outputs = await Promise.all(
        conditionNames.map((condition) =>
          condition === 'full'
            ? fullPipelineCondition(core, task.author, input)
            : // Without hypotheses this condition would silently be zero-shot; say why it has no output instead.
              condition === 'hypotheses' && learning
              ? Promise.resolve<ConditionOutput>({ error: { code: learning.code, message: `No hypotheses: learning failed (${learning.message})` } })
              : promptCondition(model, prompts, condition, input),
        ),
      )
      conditionNames.forEach((condition, position) => {
        const output = outputs[position]!
        result.outputs[condition] = { ...output, styleMatch: output.text === undefined ? undefined : measure.score(task.author, output.text) }
      })
      for (const [first, second] of conditionPairs) {
        const a = result.outputs[first]?.text
        const b = result.outputs[second]?.text
        if (a === undefined || b === undefined) continue
        result.judgments.push({ first, second, judgments: await judgeBothOrders(options.judgeModel, prompts, { reference: task.reference, first: a, second: b }) })
      }
      done++
      if (done % 5 === 0 || done === tasks.length) progress(`${dataset.name}: ${done}/${tasks.length} tasks written and judged`)
      return result
    })
    return summarize(dataset, items, learned, options, authorsWithTasks.length)
  } finally {
    await core.close()
  }
}

function summarize(
  dataset: StyleDataset,
  items: StyleTaskResult[],
  learned: Map<number, { hypotheses: Hypothesis[]; error?: ItemError }>,
  options: StyleProtocolOptions,
  authorsWithTasks: number,
): StyleProtocolReport {
  const conditions = conditionNames.map((condition): ConditionSummary => {
    const outputs = items.map((item) => item.outputs[condition]).filter((output) => output !== undefined)
    const texts = outputs.filter((output) => output.text !== undefined)
    const scores = texts.map((output) => output.styleMatch).filter((score): score is number => score !== undefined)
    return {
      condition,
      description: conditionDescriptions[condition],
      outputs: texts.length,
      refused: outputs.filter((output) => output.refused).length,
      errors: outputs.filter((output) => output.error).length,
      meanStyleMatch: mean(scores),
      medianStyleMatch: median(scores),
      meanWords: mean(texts.map((output) => output.text!.split(/\s+/).filter(Boolean).length)),
    }
  })
  const pairs = conditionPairs.map(([first, second]) =>
    pairFigures(first, second, items.flatMap((item) => item.judgments.filter((entry) => entry.first === first && entry.second === second).map((entry) => entry.judgments))),
  )
  let comparisons = 0
  let agreements = 0
  for (const item of items) {
    for (const entry of item.judgments) {
      const winner = consistentWinner(entry.judgments)
      const scoreFirst = item.outputs[entry.first]?.styleMatch
      const scoreSecond = item.outputs[entry.second]?.styleMatch
      if (!winner || scoreFirst === undefined || scoreSecond === undefined || Math.abs(scoreFirst - scoreSecond) < 1e-9) continue
      comparisons++
      if ((winner === 'first') === scoreFirst > scoreSecond) agreements++
    }
  }
  const outcomes = [...learned.values()]
  const fullOutputs = items.map((item) => item.outputs.full).filter((output) => output?.text !== undefined)
  const rerank =
    options.candidates < 2
      ? 'off (1 candidate)'
      : options.trainTexts < minimumMessagesForStyleMatch
        ? `inactive: the core scores style only with ${minimumMessagesForStyleMatch}+ messages and each author has ${options.trainTexts} (raise --train-texts)`
        : `best of ${options.candidates} by the core's style match (${fullOutputs.filter((output) => output!.coreStyleMatch !== undefined).length}/${fullOutputs.length} drafts scored)`
  const errors = summarizeErrors([
    ...items.map((item) => item.intentError),
    ...outcomes.map((outcome) => outcome.error),
    ...items.flatMap((item) => Object.values(item.outputs).map((output) => output?.error)),
    ...items.flatMap((item) => item.judgments.flatMap((entry) => entry.judgments.map((judgment) => judgment.error))),
  ])
  return {
    dataset: dataset.name,
    corpus: dataset.corpus,
    design: dataset.design,
    platform: dataset.platform,
    authors: dataset.authors.length,
    authorsWithTasks,
    tasks: items.length,
    trainTexts: options.trainTexts,
    candidates: options.candidates,
    rerank,
    hypotheses: {
      authorsLearned: outcomes.filter((outcome) => !outcome.error).length,
      authorsFailed: outcomes.filter((outcome) => outcome.error).length,
      meanPerAuthor: mean(outcomes.filter((outcome) => !outcome.error).map((outcome) => outcome.hypotheses.length)),
    },
    conditions,
    reference: {
      meanOwn: mean(items.map((item) => item.referenceStyleMatch).filter((score): score is number => score !== undefined)),
      meanOther: mean(items.map((item) => item.otherReferenceStyleMatch).filter((score): score is number => score !== undefined)),
    },
    pairs,
    judgeMeasureAgreement: { comparisons, agreements, rate: comparisons ? agreements / comparisons : Number.NaN },
    errors,
    items,
  }
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : Number.NaN
}

export function median(values: number[]): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
