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
}

export const usage = `Usage: npm run eval -- [--offline] [--model] [--data DIR] [--corpus chat.jsonl] [--cmcc cmcc.jsonl]
                    [--slice N] [--out reports/eval] [--only attribution,style,safety,injection]
                    [--train-texts 7] [--candidates 3] [--concurrency N]
  --offline      only the offline attribution evaluation (no model)
  --model        only the model-based evaluation (hosted via LLM_*, or the embedded model via LOCAL_MODEL)
                 (neither flag: offline, then the model-based part when a model is set up)
  --data DIR     the data folder (default DATA_DIR, ../shared/data)
  --slice N      at most N items per set (tasks, prompts, attacks); the report records it`

export function parseEvalArguments(argv: string[]): EvalOptions {
  const options: EvalOptions = { mode: 'auto', sets: [...evalSets], out: join('reports', 'eval'), trainTexts: 7, candidates: 3 }
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
    const takeWholeNumber = (minimum: number) => {
      const text = takeValue()
      const value = Number(text)
      if (!Number.isInteger(value) || value < minimum) throw new BotError('input_invalid', `${flag} must be a whole number of at least ${minimum}, got "${text}".`)
      return value
    }
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

export type DataPaths = {
  dataDirectory: string
  chatCorpus: string
  cmcc: string
  xstest: string
  jailbreakbench: string
  bipia: string
  tensorTrust: string
}

export function resolveDataPaths(options: Pick<EvalOptions, 'dataDirectory' | 'corpus' | 'cmcc'>, configuredDataDirectory: string): DataPaths {
  const dataDirectory = options.dataDirectory ?? configuredDataDirectory
  return {
    dataDirectory,
    chatCorpus: options.corpus ?? join(dataDirectory, 'chat', 'slack-software-help.dev.jsonl'),
    cmcc: options.cmcc ?? join(dataDirectory, 'authorship', 'cmcc.jsonl'),
    xstest: join(dataDirectory, 'safety', 'xstest', 'xstest_prompts.csv'),
    jailbreakbench: join(dataDirectory, 'safety', 'jailbreakbench'),
    bipia: join(dataDirectory, 'safety', 'bipia'),
    tensorTrust: join(dataDirectory, 'safety', 'tensor-trust'),
  }
}
