// `npm run eval`: style attribution offline, and with a model (hosted via LLM_*, or embedded via LOCAL_MODEL) the
// HyPerAlign / DITTO style protocol, the safety sets and indirect prompt injection. Writes markdown and JSON to --out.
// Progress goes to stderr as counts only; no prompt, attack or model output is ever printed.
import { pathToFileURL } from 'node:url'
import { BotError, isBotError } from '../src/bot-error.js'
import { loadConfig, type Config } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { createLanguageModels } from '../src/llm/create-language-models.js'
import { shouldUseLocalModel } from '../src/llm/model-pull.js'
import { parseEvalArguments, usage } from './eval-options.js'
import { writeEvalReport, type EvalReport } from './eval-report.js'
import { openJudgeModel } from './judge-model.js'
import { runEvaluation, type EvalModels } from './run-evaluation.js'

export type MainOptions = {
  config?: Config
  /** Where EVAL_SAMPLES, EVAL_TEMPERATURE and EVAL_JUDGE_* are read (default: the process environment, after .env). */
  environment?: Record<string, string | undefined>
  progress?: (line: string) => void
}

export async function main(argv: string[], mainOptions: MainOptions = {}): Promise<{ report: EvalReport; files: { json: string; markdown: string } }> {
  const config = mainOptions.config ?? loadConfig()
  const options = parseEvalArguments(argv, mainOptions.environment ?? process.env)
  const progress = mainOptions.progress ?? ((line: string) => void process.stderr.write(`eval: ${line}\n`))
  let models: EvalModels | undefined
  let modelProblem: string | undefined
  let close: (() => Promise<void>) | undefined
  if (options.mode !== 'offline' && options.sets.some((set) => set !== 'attribution')) {
    const logger = createLogger('warn')
    const opened = await createLanguageModels(config, logger)
    if (opened.ready) {
      const embedded = shouldUseLocalModel(config)
      const judgeModel = openJudgeModel(config, options.judge, opened.model, logger)
      models = {
        model: opened.model,
        safetyModel: opened.safetyModel,
        judgeModel,
        info: {
          model: opened.model.name,
          safetyModel: opened.safetyModel.name,
          judgeModel: judgeModel.name,
          provider: embedded ? 'embedded' : 'hosted',
          ...(embedded ? { contextSize: config.LOCAL_CONTEXT_SIZE } : {}),
        },
      }
      close = async () => {
        await opened.model.close?.()
        if (opened.safetyModel !== opened.model) await opened.safetyModel.close?.()
        if (judgeModel !== opened.model) await judgeModel.close?.()
      }
    } else {
      modelProblem = shouldUseLocalModel(config)
        ? `no hosted model is configured and the embedded model could not be opened: ${opened.description}; the log line above says why`
        : opened.description
      if (options.mode === 'model') {
        throw new BotError(
          'llm_not_configured',
          `--model needs a model, and none is set up (${opened.description}). Set LLM_API_KEY (with LLM_MODEL and LLM_BASE_URL as needed) for a hosted model, or LOCAL_MODEL / \`npm run model:pull\` for the embedded one.`,
        )
      }
    }
  }
  try {
    const report = await runEvaluation({ options, config, models, modelProblem, command: argv, progress })
    const files = writeEvalReport(report, options.out)
    progress(`report written to ${files.markdown} and ${files.json}`)
    return { report, files }
  } finally {
    await close?.()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  main(argv).catch((error: unknown) => {
    process.stderr.write(`${isBotError(error) ? error.userMessage : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
