// The HyPerAlign / DITTO protocol on one dataset: take or derive each task's intent, learn each author with the core
// (one core per core condition: as shipped, verifying revisions, learning from edits), write every task under every
// condition several times (samples), judge pairs of outputs against the author's real text (both orders, on the judge
// model), and measure each output's calibrated style match to the author. Both are reported with intervals and with
// how often they agree; neither is trusted alone.
import type { Config } from '../src/config.js'
import { minimumMessagesForStyleMatch } from '../src/core/records/member-style-store.js'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { bootstrapInterval, type Interval, type TaskTally } from './confidence-interval.js'
import { prepareEvalCores, type EvalCore, type EvalCores, type LearnOutcome } from './eval-core.js'
import type { IntentCache } from './intent-cache.js'
import { describeError, summarizeErrors, type ErrorSummary, type ItemError } from './item-error.js'
import { judgeStyleAgreement, type Agreement, type PairedView } from './judge-style-agreement.js'
import { consistentWinner, judgeBothOrders, pairFigures, type Judgment, type PairFigures } from './pairwise-judge.js'
import { mapWithConcurrency } from './run-pool.js'
import { createSamplingModel } from './sampling-model.js'
import {
  conditionDescriptions,
  conditionNames,
  conditionPairs,
  coreConditions,
  coreConditionSettings,
  fullPipelineCondition,
  promptCondition,
  type ConditionName,
  type ConditionOutput,
  type CoreConditionName,
} from './style-conditions.js'
import type { StyleDataset } from './style-dataset.js'
import { createStyleMeasure } from './style-measure.js'

export type SampleOutput = ConditionOutput & { styleMatch?: number }

export type StyleTaskResult = {
  id: string
  author: string
  kind: string
  contextMessages: number
  intent?: string
  /** `dataset`: the task's own prompt (DITTO); `derived`: the intent prompt's reading of the reference. */
  intentSource?: 'dataset' | 'derived'
  intentCached?: boolean
  intentError?: ItemError
  /** One output per sample, in sample order. */
  outputs: Partial<Record<ConditionName, SampleOutput[]>>
  referenceStyleMatch?: number
  otherReferenceStyleMatch?: number
  judgments: { first: ConditionName; second: ConditionName; sample: number; judgments: Judgment[] }[]
}

export type ConditionSummary = {
  condition: ConditionName
  description: string
  /** Why this build could not run the condition (it then has no outputs and no pairs). */
  unavailable?: string
  outputs: number
  refused: number
  errors: number
  meanStyleMatch: number
  /** 95% interval of the mean style match, tasks resampled. */
  styleMatchInterval: Interval
  medianStyleMatch: number
  meanWords: number
}

export type PairSummary = PairFigures & {
  /** 95% interval of the first's win rate, tasks resampled (every sample and order of a task together). */
  winRateInterval: Interval
  /** The style match's verdict on the same pairs: share where first's style match is higher (equal counts half). */
  styleMatch: { comparisons: number; firstHigherRate: number; interval: Interval; meanDifference: number }
  agreement: Agreement
}

export type CoreLearning = { condition: CoreConditionName; authorsLearned: number; authorsFailed: number; meanPerAuthor: number; edits?: { tasks: number; edited: number; refused: number; failed: number } }

export type StyleProtocolReport = {
  dataset: string
  corpus: string
  design: string
  platform: string
  authors: number
  authorsWithTasks: number
  tasks: number
  samples: number
  temperature: number
  trainTexts: number
  candidates: number
  rerank: string
  hypotheses: { authorsLearned: number; authorsFailed: number; meanPerAuthor: number }
  learning: CoreLearning[]
  conditions: ConditionSummary[]
  reference: { meanOwn: number; meanOther: number }
  pairs: PairSummary[]
  /** Over every judged pair of every condition pair. */
  judgeMeasureAgreement: Agreement
  errors: ErrorSummary[]
  items: StyleTaskResult[]
}

export type StyleProtocolOptions = {
  config: Config
  model: LanguageModel
  safetyModel: LanguageModel
  /** The pairwise judge: the generator unless EVAL_JUDGE_MODEL sets one apart. */
  judgeModel: LanguageModel
  prompts: PromptLibrary
  intents: IntentCache
  slice?: number
  samples: number
  temperature: number
  trainTexts: number
  candidates: number
  concurrency: number
  progress?: (line: string) => void
}

type Learned = Map<number, LearnOutcome>

export async function runHyperAlignProtocol(dataset: StyleDataset, options: StyleProtocolOptions): Promise<StyleProtocolReport> {
  const { prompts } = options
  const progress = options.progress ?? (() => {})
  const tasks = options.slice === undefined ? dataset.tasks : dataset.tasks.slice(0, options.slice)
  const measure = createStyleMeasure(dataset.authors, dataset.platform)
  const workspace = { platform: 'console', workspaceId: `eval:${dataset.name}` } as const
  const sampling = createSamplingModel(options.model, options.temperature)
  const intentOf = async (kind: string, reference: string, given: string | undefined) => {
    if (given !== undefined) return { intent: given, source: 'dataset' as const, cached: false }
    try {
      return { ...(await options.intents.intentFor(kind, reference)), source: 'derived' as const }
    } finally {
      options.intents.save()
    }
  }

  const intents = await mapWithConcurrency(tasks, options.concurrency, async (task) => {
    try {
      return await intentOf(task.kind, task.reference, task.intent)
    } catch (error) {
      return { error: describeError(error) }
    }
  })
  progress(`${dataset.name}: ${intents.filter((each) => 'intent' in each).length}/${tasks.length} intents`)

  const authorsWithTasks = [...new Set(tasks.map((task) => task.author))]
  const cores = new Map<CoreConditionName, EvalCore>()
  const unavailable = new Map<ConditionName, string>()
  const learned = new Map<CoreConditionName, Learned>()
  const edits = new Map<CoreConditionName, NonNullable<CoreLearning['edits']>>()
  const learningErrors: (ItemError | undefined)[] = []
  let prepared: EvalCores | undefined
  try {
    prepared = await prepareEvalCores({
      config: options.config,
      model: sampling.model,
      safetyModel: options.safetyModel,
      platform: dataset.platform,
      workspaceId: `T00EVAL${dataset.name.replace(/[^A-Za-z]/g, '').toUpperCase().slice(0, 8)}`,
      authors: dataset.authors,
      candidates: options.candidates,
    })
    for (const condition of coreConditions) {
      const plan = coreConditionSettings(condition)
      if ('unavailable' in plan) {
        unavailable.set(condition, plan.unavailable)
        continue
      }
      const core = await prepared.open(plan.settings)
      cores.set(condition, core)
      const outcomes: Learned = new Map()
      await mapWithConcurrency(authorsWithTasks, options.concurrency, async (author) => {
        outcomes.set(author, await core.learn(author))
      })
      if (condition === 'full+edits') {
        const tally = { tasks: 0, edited: 0, refused: 0, failed: 0 }
        await mapWithConcurrency(authorsWithTasks, options.concurrency, async (author) => {
          let edited = 0
          for (const task of dataset.authors[author]!.editTasks) {
            tally.tasks++
            let outcome: Awaited<ReturnType<EvalCore['edit']>>
            try {
              const { intent } = await intentOf(task.kind, task.reference, task.intent)
              outcome = await core.edit(author, intent, task.reference)
            } catch (error) {
              outcome = { status: 'failed', error: describeError(error) }
            }
            if (outcome.status === 'edited') edited++
            tally[outcome.status === 'failed' ? 'failed' : outcome.status]++
            if (outcome.status === 'failed') learningErrors.push(outcome.error)
          }
          // The next learning run is where the edits count; without any there is nothing new to learn from.
          if (edited > 0) outcomes.set(author, await core.learn(author))
        })
        edits.set(condition, tally)
      }
      learned.set(condition, outcomes)
      progress(`${dataset.name}: ${condition}: hypotheses learned for ${[...outcomes.values()].filter((each) => !each.error).length}/${authorsWithTasks.length} authors`)
    }
    const base = learned.get('full') ?? new Map()

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
      result.intentSource = derived.source
      if (derived.source === 'derived') result.intentCached = derived.cached
      const learning = base.get(task.author)
      const input = { intent: derived.intent, context: task.context, trainTexts: author.trainTexts, hypotheses: learning?.hypotheses ?? [], ...(learning?.attributes ? { attributes: learning.attributes } : {}), workspace }
      const run = (condition: ConditionName): Promise<ConditionOutput> => {
        const core = cores.get(condition as CoreConditionName)
        if (core) return fullPipelineCondition(core, task.author, input)
        // Without hypotheses this condition would silently be zero-shot; say why it has no output instead.
        if (condition === 'paper' && learning?.error) return Promise.resolve({ error: { code: learning.error.code, message: `No hypotheses: learning failed (${learning.error.message})` } })
        return promptCondition(sampling.model, prompts, condition as Exclude<ConditionName, CoreConditionName>, input)
      }
      const runnable = conditionNames.filter((condition) => !unavailable.has(condition))
      for (let sample = 0; sample < options.samples; sample++) {
        const outputs = await sampling.sample(sample, () => Promise.all(runnable.map(run)))
        runnable.forEach((condition, position) => {
          const output = outputs[position]!
          ;(result.outputs[condition] ??= []).push({ ...output, styleMatch: output.text === undefined ? undefined : measure.score(task.author, output.text) })
        })
        for (const [first, second] of conditionPairs) {
          const a = result.outputs[first]?.[sample]?.text
          const b = result.outputs[second]?.[sample]?.text
          if (a === undefined || b === undefined) continue
          result.judgments.push({ first, second, sample, judgments: await judgeBothOrders(options.judgeModel, prompts, { reference: task.reference, first: a, second: b }) })
        }
      }
      done++
      if (done % 5 === 0 || done === tasks.length) progress(`${dataset.name}: ${done}/${tasks.length} tasks written and judged (${options.samples} samples each)`)
      return result
    })
    return summarize(dataset, items, { learned, edits, unavailable, learningErrors }, options, authorsWithTasks.length)
  } finally {
    for (const core of cores.values()) await core.close()
    prepared?.close()
  }
}

function summarize(
  dataset: StyleDataset,
  items: StyleTaskResult[],
  run: { learned: Map<CoreConditionName, Learned>; edits: Map<CoreConditionName, NonNullable<CoreLearning['edits']>>; unavailable: Map<ConditionName, string>; learningErrors: (ItemError | undefined)[] },
  options: StyleProtocolOptions,
  authorsWithTasks: number,
): StyleProtocolReport {
  const conditions = conditionNames.map((condition): ConditionSummary => {
    const outputs = items.flatMap((item) => item.outputs[condition] ?? [])
    const texts = outputs.filter((output) => output.text !== undefined)
    const scores = texts.map((output) => output.styleMatch).filter(isNumber)
    const reason = run.unavailable.get(condition)
    return {
      condition,
      description: conditionDescriptions[condition],
      ...(reason ? { unavailable: reason } : {}),
      outputs: texts.length,
      refused: outputs.filter((output) => output.refused).length,
      errors: outputs.filter((output) => output.error).length,
      meanStyleMatch: mean(scores),
      styleMatchInterval: bootstrapInterval(
        items.map((item) => {
          const taskScores = (item.outputs[condition] ?? []).map((output) => output.styleMatch).filter(isNumber)
          return { numerator: taskScores.reduce((sum, score) => sum + score, 0), denominator: taskScores.length }
        }),
      ),
      medianStyleMatch: median(scores),
      meanWords: mean(texts.map((output) => output.text!.split(/\s+/).filter(Boolean).length)),
    }
  })
  const allViews: PairedView[] = []
  const pairs = conditionPairs.map(([first, second]): PairSummary => {
    const entries = items.flatMap((item) => item.judgments.filter((entry) => entry.first === first && entry.second === second).map((entry) => ({ item, entry })))
    const winTallies = new Map<string, TaskTally>()
    const styleTallies = new Map<string, TaskTally>()
    const differences: number[] = []
    const views: PairedView[] = []
    for (const { item, entry } of entries) {
      const valid = entry.judgments.filter((judgment) => judgment.winner)
      const firstWins = valid.filter((judgment) => judgment.winner === 'first').length
      const secondWins = valid.filter((judgment) => judgment.winner === 'second').length
      const wins = winTallies.get(item.id) ?? { numerator: 0, denominator: 0 }
      wins.numerator += firstWins + (valid.length - firstWins - secondWins) / 2
      wins.denominator += valid.length
      winTallies.set(item.id, wins)
      const scoreFirst = item.outputs[first]?.[entry.sample]?.styleMatch
      const scoreSecond = item.outputs[second]?.[entry.sample]?.styleMatch
      const difference = scoreFirst === undefined || scoreSecond === undefined ? undefined : scoreFirst - scoreSecond
      if (difference !== undefined) {
        differences.push(difference)
        const style = styleTallies.get(item.id) ?? { numerator: 0, denominator: 0 }
        style.numerator += Math.abs(difference) < 1e-9 ? 0.5 : difference > 0 ? 1 : 0
        style.denominator += 1
        styleTallies.set(item.id, style)
      }
      const winner = consistentWinner(entry.judgments)
      views.push({
        task: item.id,
        ...(valid.length ? { judgeMargin: (firstWins - secondWins) / valid.length } : {}),
        ...(winner ? { consistentWinner: winner } : {}),
        ...(difference === undefined ? {} : { styleDifference: difference }),
      })
    }
    allViews.push(...views)
    const styleCount = [...styleTallies.values()].reduce((sum, tally) => sum + tally.denominator, 0)
    const styleHigher = [...styleTallies.values()].reduce((sum, tally) => sum + tally.numerator, 0)
    return {
      ...pairFigures(first, second, entries.map(({ entry }) => entry.judgments)),
      winRateInterval: bootstrapInterval([...winTallies.values()]),
      styleMatch: { comparisons: styleCount, firstHigherRate: styleCount ? styleHigher / styleCount : Number.NaN, interval: bootstrapInterval([...styleTallies.values()]), meanDifference: mean(differences) },
      agreement: judgeStyleAgreement(views),
    }
  })
  const learning = [...run.learned.entries()].map(([condition, outcomes]): CoreLearning => {
    const list = [...outcomes.values()]
    const tally = run.edits.get(condition)
    return {
      condition,
      authorsLearned: list.filter((outcome) => !outcome.error).length,
      authorsFailed: list.filter((outcome) => outcome.error).length,
      meanPerAuthor: mean(list.filter((outcome) => !outcome.error).map((outcome) => outcome.hypotheses.length)),
      ...(tally ? { edits: tally } : {}),
    }
  })
  const baseLearning = learning.find((each) => each.condition === 'full')
  const fullOutputs = items.flatMap((item) => item.outputs.full ?? []).filter((output) => output.text !== undefined)
  const rerank =
    options.candidates < 2
      ? 'off (1 candidate)'
      : options.trainTexts < minimumMessagesForStyleMatch
        ? `inactive: the core scores style only with ${minimumMessagesForStyleMatch}+ messages and each author has ${options.trainTexts} (raise --train-texts)`
        : `best of ${options.candidates} by the core's style match (${fullOutputs.filter((output) => output.coreStyleMatch !== undefined).length}/${fullOutputs.length} drafts scored)`
  const errors = summarizeErrors([
    ...items.map((item) => item.intentError),
    ...[...run.learned.values()].flatMap((outcomes) => [...outcomes.values()].map((outcome) => outcome.error)),
    ...run.learningErrors,
    ...items.flatMap((item) => Object.values(item.outputs).flatMap((outputs) => (outputs ?? []).map((output) => output.error))),
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
    samples: options.samples,
    temperature: options.temperature,
    trainTexts: options.trainTexts,
    candidates: options.candidates,
    rerank,
    hypotheses: { authorsLearned: baseLearning?.authorsLearned ?? 0, authorsFailed: baseLearning?.authorsFailed ?? 0, meanPerAuthor: baseLearning?.meanPerAuthor ?? Number.NaN },
    learning,
    conditions,
    reference: {
      meanOwn: mean(items.map((item) => item.referenceStyleMatch).filter(isNumber)),
      meanOther: mean(items.map((item) => item.otherReferenceStyleMatch).filter(isNumber)),
    },
    pairs,
    judgeMeasureAgreement: judgeStyleAgreement(allViews),
    errors,
    items,
  }
}

const isNumber = (value: number | undefined): value is number => value !== undefined

export function mean(values: number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : Number.NaN
}

export function median(values: number[]): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
