// Command-line options of `npm run eval` and the data paths they resolve to. Parsing only: it reads no files and
// never touches a model. Every bad argument is a BotError `input_invalid` that says what to pass instead.
import { join } from 'node:path'
import { BotError } from '../src/bot-error.js'

export const evalSets = ['attribution', 'style', 'safety', 'injection'] as const
export type EvalSet = (typeof evalSets)[number]
export const offlineSets: readonly EvalSet[] = ['attribution']
export const modelSets: readonly EvalSet[] = ['style', 'safety', 'injection']

export type EvalOptions = {
  /** Which parts run: offline only, model-based only, or both (the default runs the model part when one is set up). */
  mode: 'offline' | 'model' | 'both' | 'auto'
  sets: EvalSet[]
  dataDirectory?: string
  corpus?: string
  cmcc?: string
  /** Limits every set to this many items (tasks, prompts, attacks; at least two candidates for attribution). */
  slice?: number
  out: string
  /** Training texts per author shown to the model conditions (DITTO used 7). */
  trainTexts: number
  /** Candidates the full pipeline drafts and reranks by style match (DRAFT_CANDIDATES for this run). */
  candidates: number
  concurrency?: number
  /** Outputs per task and condition (EVAL_SAMPLES or --samples), each judged on its own. */
  samples: number
  /** Temperature of every draft call in every condition (EVAL_TEMPERATURE or --temperature). */
  temperature: number
  /** A judge apart from the generator (EVAL_JUDGE_MODEL or --judge-model, on EVAL_JUDGE_BASE_URL / EVAL_JUDGE_API_KEY). */
  judge?: JudgeSettings
  /** DITTO's CMCC split (train / val / test per author) for the style protocol. */
  cmccSplit?: string
}

/** Where the judge runs: an OpenAI-compatible model; base URL and key fall back to LLM_BASE_URL and LLM_API_KEY. */
export type JudgeSettings = { model: string; baseUrl?: string; apiKey?: string }

export const defaultSamples = 3
export const defaultTemperature = 0.7

export const usage = `Usage: npm run eval -- [--offline] [--model] [--data DIR] [--corpus chat.jsonl] [--cmcc cmcc.jsonl]
                    [--slice N] [--out reports/eval] [--only attribution,style,safety,injection]
                    [--train-texts 7] [--candidates 3] [--concurrency N] [--cmcc-split ditto/cmcc.jsonl]
                    [--samples 3] [--temperature 0.7] [--judge-model NAME]
  --offline      only the offline attribution evaluation (no model)
  --model        only the model-based evaluation (hosted via LLM_*, or the embedded model via LOCAL_MODEL)
                 (neither flag: offline, then the model-based part when a model is set up)
  --data DIR     the data folder (default DATA_DIR, ../shared/data)
  --slice N      at most N items per set (tasks, prompts, attacks); the report records it
  --samples N    outputs per style task and condition, each judged (default EVAL_SAMPLES, else ${defaultSamples})
  --temperature T  temperature of every draft call (default EVAL_TEMPERATURE, else ${defaultTemperature})
  --judge-model NAME  the pairwise and injection judge, apart from the generator (default EVAL_JUDGE_MODEL; its
                 endpoint EVAL_JUDGE_BASE_URL / EVAL_JUDGE_API_KEY, else LLM_BASE_URL / LLM_API_KEY)`

/** The evaluation's own settings from the environment; flags given on the command line win over them. */
export type EvalEnvironment = Partial<Record<'EVAL_SAMPLES' | 'EVAL_TEMPERATURE' | 'EVAL_JUDGE_MODEL' | 'EVAL_JUDGE_BASE_URL' | 'EVAL_JUDGE_API_KEY', string>>

export function parseEvalArguments(argv: string[], environment: EvalEnvironment = {}): EvalOptions {
  const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim())
  const options: EvalOptions = {
    mode: 'auto',
    sets: [...evalSets],
    out: join('reports', 'eval'),
    trainTexts: 7,
    candidates: 3,
    samples: wholeNumber('EVAL_SAMPLES', blank(environment.EVAL_SAMPLES) ?? String(defaultSamples), 1),
    temperature: temperatureOf('EVAL_TEMPERATURE', blank(environment.EVAL_TEMPERATURE) ?? String(defaultTemperature)),
  }
  const judgeModel = blank(environment.EVAL_JUDGE_MODEL)
  const judgeEndpoint = { baseUrl: blank(environment.EVAL_JUDGE_BASE_URL), apiKey: blank(environment.EVAL_JUDGE_API_KEY) }
  if (judgeModel) options.judge = { model: judgeModel, ...withoutUndefined(judgeEndpoint) }
  let offline = false
  let model = false
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!
    const takeValue = () => {
      const value = argv[index + 1]
      if (value === undefined || value.startsWith('--')) throw new BotError('input_invalid', `${flag} needs a value.\n${usage}`)
      index++
      return value
    }
    const takeWholeNumber = (minimum: number) => wholeNumber(flag, takeValue(), minimum)
    switch (flag) {
      case '--offline':
        offline = true
        break
      case '--model':
        model = true
        break
      case '--data':
        options.dataDirectory = takeValue()
        break
      case '--corpus':
        options.corpus = takeValue()
        break
      case '--cmcc':
        options.cmcc = takeValue()
        break
      case '--slice':
        options.slice = takeWholeNumber(1)
        break
      case '--out':
        options.out = takeValue()
        break
      case '--train-texts':
        options.trainTexts = takeWholeNumber(1)
        break
      case '--candidates':
        options.candidates = takeWholeNumber(1)
        if (options.candidates > 5) throw new BotError('input_invalid', '--candidates must be at most 5 (the core drafts at most 5 candidates).')
        break
      case '--concurrency':
        options.concurrency = takeWholeNumber(1)
        break
      case '--samples':
        options.samples = takeWholeNumber(1)
        break
      case '--temperature':
        options.temperature = temperatureOf(flag, takeValue())
        break
      case '--judge-model':
        options.judge = { model: takeValue(), ...withoutUndefined(judgeEndpoint) }
        break
      case '--cmcc-split':
        options.cmccSplit = takeValue()
        break
      case '--only': {
        const names = takeValue().split(',').map((name) => name.trim()).filter(Boolean)
        const unknown = names.filter((name) => !(evalSets as readonly string[]).includes(name))
        if (unknown.length || names.length === 0) throw new BotError('input_invalid', `--only takes a comma-separated list of ${evalSets.join(', ')}; got "${unknown.join(',') || '(nothing)'}".`)
        options.sets = names as EvalSet[]
        break
      }
      case '--help':
      case '-h':
        throw new BotError('input_invalid', usage)
      default:
        throw new BotError('input_invalid', `Unknown argument ${flag}.\n${usage}`)
    }
  }
  options.mode = offline && model ? 'both' : offline ? 'offline' : model ? 'model' : 'auto'
  return options
}

function wholeNumber(name: string, text: string, minimum: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < minimum) throw new BotError('input_invalid', `${name} must be a whole number of at least ${minimum}, got "${text}".`)
  return value
}

function temperatureOf(name: string, text: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0 || value > 2) throw new BotError('input_invalid', `${name} must be a number from 0 to 2, got "${text}".`)
  return value
}

function withoutUndefined<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: string }
}

export type DataPaths = {
  dataDirectory: string
  chatCorpus: string
  cmcc: string
  cmccSplit: string
  xstest: string
  jailbreakbench: string
  bipia: string
  tensorTrust: string
}

export function resolveDataPaths(options: Pick<EvalOptions, 'dataDirectory' | 'corpus' | 'cmcc' | 'cmccSplit'>, configuredDataDirectory: string): DataPaths {
  const dataDirectory = options.dataDirectory ?? configuredDataDirectory
  return {
    dataDirectory,
    chatCorpus: options.corpus ?? join(dataDirectory, 'chat', 'slack-software-help.dev.jsonl'),
    cmcc: options.cmcc ?? join(dataDirectory, 'authorship', 'cmcc.jsonl'),
    cmccSplit: options.cmccSplit ?? join(dataDirectory, 'authorship', 'ditto', 'cmcc.jsonl'),
    xstest: join(dataDirectory, 'safety', 'xstest', 'xstest_prompts.csv'),
    jailbreakbench: join(dataDirectory, 'safety', 'jailbreakbench'),
    bipia: join(dataDirectory, 'safety', 'bipia'),
    tensorTrust: join(dataDirectory, 'safety', 'tensor-trust'),
  }
}
