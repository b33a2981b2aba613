// `npm test` on a fresh clone, without the tiny model and the data folder: a real vitest run (a child process with
// the project's config) ends with a summary naming every skipped test, why it was skipped and what makes it run.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'

function runVitest(files: string[], environment: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // The child is a run of its own, not a worker of this one: none of this run's VITEST_* variables go with it.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST' && key !== 'NODE_ENV'))
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...files], {
      env: { ...inherited, ...environment, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', fail)
    child.on('close', (code) => done({ code, output }))
  })
}

describe('the skip summary', () => {
  it('a run without the test model and the data folder ends by naming each skipped test, why, and what to do', async () => {
    const { code, output } = await runVitest(['test/local-model-pipeline.test.ts', 'test/local-model-package-absent.test.ts', 'test/eval-harness.test.ts'], {
      TEST_MODEL_PATH: '/nonexistent/models/stories260K.gguf',
      DATA_DIR: '/nonexistent/data',
    })
    expect(code).toBe(0)
    const summary = output.slice(output.indexOf('Skipped 13 tests:'))
    expect(summary.length, output).toBeGreaterThan(20)

    const modelSection = summary.slice(summary.indexOf('3 because no test model at /nonexistent/models/stories260K.gguf (TEST_MODEL_PATH)'))
    expect(modelSection.split('\n')[0]).toContain('Run `npm run test:fetch-model`')
    expect(modelSection).toContain('test/local-model-pipeline.test.ts › the draft pipeline end to end on the embedded model > learns schema-valid hypotheses')
    expect(modelSection).toContain('test/local-model-package-absent.test.ts › embedded model without the node-llama-cpp package > says how to install it')

    const dataSection = summary.slice(summary.indexOf('10 because the evaluation data is not under DATA_DIR=/nonexistent/data'))
    expect(dataSection.split('\n')[0]).toMatch(/There is no download for it here: .*set DATA_DIR to it/)
    expect(dataSection).toContain('test/eval-harness.test.ts › npm run eval against the fake OpenAI-compatible server, with the judge on a server of its own > writes markdown and JSON')
  }, 120_000)
})
