// Runs `npm run eval`'s sections in order — offline attribution, the HyPerAlign / DITTO style protocol, the safety
// sets and indirect prompt injection — and collects one report. A missing data file skips its section visibly; a
// failing section is recorded and the rest still run. It never prints prompt or attack text.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../src/config.js'
import { createDeliberator } from '../src/core/safety/deliberator.js'
import { loadPromptLibrary, type PromptLibrary } from '../src/core/prompting/prompt-library.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { runAttribution, runChatAttribution, runCmccAttribution, type AttributionReport } from './attribution-report.js'
import { chatRowSchema, protocolSelection, readJsonLines } from './chat-corpus.js'
import { crossGenreMembers, readCmcc, readDittoSplit } from './cmcc-corpus.js'
import { cmccStyleDataset } from './cmcc-style-tasks.js'
import { createCountingModel, type UsageByPurpose } from './counting-model.js'
import { resolveDataPaths, type EvalOptions } from './eval-options.js'
import { notRun, type EvalReport, type ModelInfo, type Section } from './eval-report.js'
import { runHyperAlignProtocol } from './hyperalign-protocol.js'
import { injectionScenarios, loadBipiaAttacks, loadTensorTrustHijacks } from './injection-sets.js'
import { runInjectionEval } from './injection-eval.js'
import { createIntentCache } from './intent-cache.js'
import { describeError } from './item-error.js'
import { runSafetyChecks, safetySetReport } from './safety-eval.js'
import { loadJailbreakBench, loadXsTest } from './safety-sets.js'
import { slackStyleDataset } from './slack-style-tasks.js'

/** Set sizes without --slice: large enough to say something, small enough for a hosted model in minutes. */
export const defaultSizes = {
  /** Every val and test task of DITTO's CMCC split (101). */
  cmccStyleTasks: 101,
  slackStyleTasks: 24,
  styleTasksPerAuthor: 2,
  /** Training tasks per author the "ours + edits" condition edits toward the real text. */
  editTasksPerAuthor: 2,
  xstest: 450,
  jailbreakbenchPerPart: 100,
  jailbreakPrompts: 50,
  bipiaText: 45,
  bipiaCode: 20,
  tensorTrust: 50,
  injectionScenarios: 12,
}

export type EvalModels = {
  model: LanguageModel
  safetyModel: LanguageModel
  /** The pairwise and injection judge; the generator itself when none is set apart. */
  judgeModel: LanguageModel
  info: ModelInfo
}

export type EvaluationInput = {
  options: EvalOptions
  config: Config
  /** The models for the model-based part; undefined when none is set up (then `modelProblem` says why). */
  models?: EvalModels
  modelProblem?: string
  command?: string[]
  prompts?: PromptLibrary
  progress?: (line: string) => void
}

export async function runEvaluation(input: EvaluationInput): Promise<EvalReport> {
  const { options, config } = input
  const started = new Date()
  const progress = input.progress ?? (() => {})
  const prompts = input.prompts ?? loadPromptLibrary()
  const paths = { ...resolveDataPaths(options, config.DATA_DIR), out: options.out, intentCache: join(options.out, 'intent-cache.json') }
  const concurrency = options.concurrency ?? config.LLM_MAX_CONCURRENCY
  const slice = options.slice
  const runOffline = options.mode !== 'model' && options.sets.includes('attribution')
  const wantsModel = options.mode !== 'offline' && options.sets.some((set) => set !== 'attribution')
  const notes: string[] = []
  const usage: UsageByPurpose = {}

  const timed = async <T>(name: string, run: () => Promise<T> | T): Promise<Section<T>> => {
    const begun = performance.now()
    progress(`${name}: started`)
    try {
      const result = await run()
      const seconds = (performance.now() - begun) / 1000
      progress(`${name}: done in ${seconds.toFixed(1)} s`)
      return { status: 'ok', seconds, result }
    } catch (error) {
      progress(`${name}: failed (${describeError(error).code})`)
      return { status: 'failed', seconds: (performance.now() - begun) / 1000, error: describeError(error) }
    }
  }
  const needs = (path: string, what: string) => (existsSync(path) ? undefined : notRun(`${what} not found at ${path}; pass --data DIR (or the file's own flag) or set DATA_DIR.`))

  // Offline: no model.
  const offlineSkip = runOffline ? undefined : notRun(options.mode === 'model' ? 'not requested (--model runs only the model-based part)' : 'not requested (--only)')
  const offline = {
    chat: offlineSkip ?? needs(paths.chatCorpus, 'The chat corpus') ?? (await timed('attribution on chat', () => chatAttribution(paths.chatCorpus, slice))),
    cmcc: offlineSkip ?? needs(paths.cmcc, 'The CMCC corpus') ?? (await timed('attribution on CMCC (chat ↔ email)', () => cmccAttribution(paths.cmcc, slice))),
  }

  // Model-based.
  const modelSkip = !wantsModel
    ? notRun(options.mode === 'offline' ? 'not requested (--offline)' : 'not requested (--only)')
    : !input.models
      ? notRun(`no model is set up (${input.modelProblem ?? 'none was given'}). Set LLM_API_KEY (and LLM_MODEL, LLM_BASE_URL) for a hosted model, or LOCAL_MODEL / \`npm run model:pull\` for the embedded one; then run \`npm run eval -- --model\`.`)
      : undefined
  if (wantsModel && !input.models) notes.push('The model-based part was skipped: no model is set up.')
  const model = input.models ? createCountingModel(input.models.model, usage) : undefined
  const safetyModel = input.models ? createCountingModel(input.models.safetyModel, usage) : undefined
  const judgeModel = input.models ? (input.models.judgeModel === input.models.model ? model : createCountingModel(input.models.judgeModel, usage)) : undefined
  const only = (set: EvalOptions['sets'][number]) => (options.sets.includes(set) ? undefined : notRun('not requested (--only)'))

  const style: EvalReport['style'] = { cmcc: notRun(''), slack: notRun('') }
  const safety: EvalReport['safety'] = { xstest: notRun(''), jailbreakbench: notRun(''), }
  let injection: EvalReport['injection'] = notRun('')
  if (modelSkip) {
    style.cmcc = style.slack = safety.xstest = safety.jailbreakbench = injection = modelSkip
  } else {
    const intents = createIntentCache(paths.intentCache, model!, prompts)
    const protocol = { config, model: model!, safetyModel: safetyModel!, judgeModel: judgeModel!, prompts, intents, samples: options.samples, temperature: options.temperature, trainTexts: options.trainTexts, candidates: options.candidates, concurrency, progress }
    const perAuthor = defaultSizes.styleTasksPerAuthor
    const editTasks = defaultSizes.editTasksPerAuthor
    style.cmcc =
      only('style') ??
      needs(paths.cmccSplit, "DITTO's CMCC split") ??
      (await timed('HyPerAlign protocol on CMCC', () =>
        runHyperAlignProtocol(cmccStyleDataset(readDittoSplit(paths.cmccSplit), paths.cmccSplit, { trainTexts: options.trainTexts, editTasks }), { ...protocol, slice: slice ?? defaultSizes.cmccStyleTasks }),
      ))
    style.slack =
      only('style') ??
      needs(paths.chatCorpus, 'The chat corpus') ??
      (await timed('HyPerAlign protocol on the Slack chats', () =>
        runHyperAlignProtocol(
          slackStyleDataset(readJsonLines(paths.chatCorpus, chatRowSchema, 'chat corpus'), paths.chatCorpus, { trainTexts: options.trainTexts, tasksPerAuthor: perAuthor, editTasks }),
          { ...protocol, slice: slice ?? defaultSizes.slackStyleTasks },
        ),
      ))
    intents.save()

    const deliberator = createDeliberator(safetyModel!, prompts)
    const checks = { deliberator, maxInputCharacters: config.MAX_INPUT_CHARS, concurrency }
    safety.xstest =
      only('safety') ??
      needs(paths.xstest, 'XSTest') ??
      (await timed('XSTest through the request check', async () => {
        const items = loadXsTest(paths.xstest, slice ?? defaultSizes.xstest)
        const outcomes = await runSafetyChecks(items, { ...checks, task: 'answer', progress: every(50, items.length, (done) => progress(`XSTest: ${done}/${items.length}`)) })
        return safetySetReport('XSTest', paths.xstest, 'answer', outcomes)
      }))
    safety.jailbreakbench =
      only('safety') ??
      needs(join(paths.jailbreakbench, 'jbb_harmful_behaviors.csv'), 'JailbreakBench') ??
      (await timed('JailbreakBench through the request check', async () => {
        const items = loadJailbreakBench(paths.jailbreakbench, { slice: slice ?? defaultSizes.jailbreakbenchPerPart, jailbreakPrompts: slice ?? defaultSizes.jailbreakPrompts })
        const outcomes = await runSafetyChecks(items, { ...checks, task: 'draft', progress: every(50, items.length, (done) => progress(`JailbreakBench: ${done}/${items.length}`)) })
        return safetySetReport('JailbreakBench', paths.jailbreakbench, 'draft', outcomes)
      }))

    injection =
      only('injection') ??
      needs(paths.chatCorpus, 'The chat corpus (for the threads attacks are planted in)') ??
      needs(join(paths.bipia, 'text_attack_test.json'), 'BIPIA attacks') ??
      needs(join(paths.tensorTrust, 'hijacking_robustness_dataset.jsonl'), 'Tensor Trust hijacks') ??
      (await timed('indirect prompt injection', async () => {
        const attacks = [
          ...loadBipiaAttacks(paths.bipia, 'text', slice ?? defaultSizes.bipiaText),
          ...(existsSync(join(paths.bipia, 'code_attack_test.json')) ? loadBipiaAttacks(paths.bipia, 'code', slice ?? defaultSizes.bipiaCode) : []),
          ...loadTensorTrustHijacks(paths.tensorTrust, slice ?? defaultSizes.tensorTrust),
        ]
        const scenarios = injectionScenarios(readJsonLines(paths.chatCorpus, chatRowSchema, 'chat corpus'), Math.min(defaultSizes.injectionScenarios, slice ?? Infinity))
        const report = await runInjectionEval(scenarios, attacks, { model: model!, judgeModel: judgeModel!, deliberator, prompts, concurrency, progress })
        const counts: Record<string, number> = {}
        for (const attack of attacks) counts[attack.source] = (counts[attack.source] ?? 0) + 1
        return { ...report, attacks: counts }
      }))
    notes.push(
      input.models!.judgeModel === input.models!.model
        ? 'The pairwise judge and the injection judge are the same model as the one under test; set EVAL_JUDGE_MODEL (a different family) for win rates that do not rest on the generator judging itself.'
        : `The pairwise judge and the injection judge are ${input.models!.info.judgeModel}, set apart from the generator (EVAL_JUDGE_MODEL).`,
      'Win-rate and style-match intervals are 95% percentile bootstraps over tasks (every sample and both orders of a task resampled together).',
      'When the full pipeline reranks (10+ training texts and 2+ candidates), it picks by the same kind of score the style-match column measures, so its lead there is partly by construction; the judge is the independent view.',
    )
  }

  const finished = new Date()
  return {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    command: input.command ?? [],
    mode: options.mode,
    sets: options.sets,
    slice: slice ?? null,
    settings: { trainTexts: options.trainTexts, candidates: options.candidates, samples: options.samples, temperature: options.temperature, concurrency, maxInputCharacters: config.MAX_INPUT_CHARS, defaultSizes },
    paths,
    models: input.models && !modelSkip ? input.models.info : null,
    offline,
    style,
    safety,
    injection,
    usage,
    notes,
  }
}

function chatAttribution(corpus: string, slice: number | undefined): AttributionReport {
  return runChatAttribution(corpus, slice === undefined ? {} : { selection: { ...protocolSelection, members: Math.max(2, slice) } })
}

function cmccAttribution(corpus: string, slice: number | undefined): AttributionReport {
  if (slice === undefined) return runCmccAttribution(corpus)
  const rows = readCmcc(corpus)
  const directions: [string, string][] = [['chat', 'email'], ['email', 'chat']]
  return {
    kind: 'cmcc',
    corpus,
    runs: directions.map(([learn, test]) =>
      runAttribution(`learn ${learn} → test ${test}`, crossGenreMembers(rows, learn, test).slice(0, Math.max(2, slice)), { platform: 'console', windows: [1, 'all'] }),
    ),
  }
}

function every(step: number, total: number, report: (done: number) => void): (done: number) => void {
  return (done) => {
    if (done % step === 0 || done === total) report(done)
  }
}
