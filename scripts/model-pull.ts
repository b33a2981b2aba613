// `npm run model:pull [-- --yes] [-- --deadline-minutes N]`: downloads the embedded model to ./models/, verified and
// resumable. Asks first unless --yes; exits non-zero when nothing usable is on disk afterwards.
import { parseArgs } from 'node:util'
import { isBotError } from '../src/bot-error.js'
import { loadConfig } from '../src/config.js'
import { defaultPullDeadlineMs, pullLocalModel } from '../src/llm/model-pull.js'

try {
  const { values } = parseArgs({
    options: {
      yes: { type: 'boolean', short: 'y', default: false },
      'deadline-minutes': { type: 'string' },
    },
  })
  const minutes = values['deadline-minutes'] === undefined ? undefined : Number(values['deadline-minutes'])
  if (minutes !== undefined && !(minutes > 0)) throw new Error('--deadline-minutes must be a positive number')
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort(new Error('interrupted')))
  const outcome = await pullLocalModel({
    config: loadConfig(),
    assumeYes: values.yes,
    deadlineMs: minutes === undefined ? defaultPullDeadlineMs : minutes * 60_000,
    signal: controller.signal,
  })
  process.exitCode = outcome.status === 'present' || outcome.status === 'downloaded' ? 0 : 1
} catch (error) {
  console.error(isBotError(error) ? error.message : error instanceof Error ? error.message : error)
  process.exitCode = 1
}
