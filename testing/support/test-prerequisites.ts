// What some tests need from outside the repository (the tiny test model, the evaluation corpora, the llama.cpp
// package), whether it is there, and why a test is skipped when it is not, with what to do about it. The reason
// travels in the test's meta (`skipReason`) to the skip summary printed at the end of `npm test`.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, testModelLocations } from '../../src/config.js'

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test is skipped when it is, and what makes it run; printed by the skip summary. */
    skipReason?: string
  }
}

export type Prerequisite = { present: boolean; skipReason: string }

const settings = loadConfig()

/** The tiny GGUF model (TEST_MODEL_PATH, else models/test/ or ../shared/models/). */
export const testModel: Prerequisite & { path: string } = {
  path: settings.TEST_MODEL_PATH,
  present: existsSync(settings.TEST_MODEL_PATH),
  skipReason:
    `no test model at ${settings.TEST_MODEL_PATH} (TEST_MODEL_PATH${(testModelLocations as readonly string[]).includes(settings.TEST_MODEL_PATH) ? ` unset: looked in ${testModelLocations.join(' and ')}` : ''}). ` +
    'Run `npm run test:fetch-model` (1.2 MB, sha256-checked) or set TEST_MODEL_PATH to stories260K.gguf.',
}

/** Files under DATA_DIR. The corpora are not part of the repository and have no one-step download. */
export function evaluationData(required: string[]): Prerequisite & { directory: string; missing: string[] } {
  const directory = settings.DATA_DIR
  const missing = required.filter((path) => !existsSync(join(directory, path)))
  return {
    directory,
    missing,
    present: missing.length === 0,
    skipReason:
      `the evaluation data is not under DATA_DIR=${directory} (missing ${missing.join(', ')}). There is no download for it here: ` +
      "get the team's data folder (chat/, authorship/, safety/; its SOURCES.tsv names each public source) and set DATA_DIR to it.",
  }
}

/** The optional node-llama-cpp package (absent from a slim install that uses a hosted model); imported only if asked. */
export async function llamaPackage(): Promise<Prerequisite> {
  const present = await import('node-llama-cpp').then(
    () => true,
    () => false,
  )
  return { present, skipReason: 'the node-llama-cpp package is not installed: run `npm ci` (or `npm run install:slim`).' }
}

/** Options for `describe(name, options, …)` / `it(name, options, …)`: skipped, with the first missing one's reason. */
export function requires(...prerequisites: Prerequisite[]): { skip: boolean; meta: { skipReason?: string } } {
  const missing = prerequisites.find((each) => !each.present)
  return { skip: Boolean(missing), meta: missing ? { skipReason: missing.skipReason } : {} }
}
