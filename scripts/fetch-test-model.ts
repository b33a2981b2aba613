// `npm run test:fetch-model`: puts the tiny test model (1.2 MB) at models/test/stories260K.gguf, verified by sha256,
// so the embedded-model tests run instead of being skipped. Exits non-zero when no verified file is there afterwards.
import { fetchTestModel } from '../src/llm/test-model-download.js'

const controller = new AbortController()
process.once('SIGINT', () => controller.abort(new Error('interrupted')))
const outcome = await fetchTestModel({ signal: controller.signal })
process.exitCode = outcome.status === 'failed' ? 1 : 0
