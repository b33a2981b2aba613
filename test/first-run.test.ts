// The first run as a new team lead tries it: `cp .env.example .env && npm start` in a fresh directory, as a real
// process with nothing else in its environment. It must open the console (no model yet), not stop on empty settings.
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const repository = resolve('.')
const directory = mkdtempSync(join(tmpdir(), 'hyperalign-first-run-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

function start(input: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    // Only what a shell needs: no LLM_*, DATA_DIR or test settings leak in from the test run.
    const child = spawn(join(repository, 'node_modules/.bin/tsx'), [join(repository, 'app/main.ts')], {
      cwd: directory,
      env: { PATH: process.env.PATH, HOME: directory },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', fail)
    child.on('close', (code) => done({ code, output }))
    child.stdin.end(input)
  })
}

describe('first run', () => {
  it('cp .env.example .env && npm start opens the console instead of rejecting the empty settings', async () => {
    copyFileSync(join(repository, '.env.example'), join(directory, '.env'))
    const { code, output } = await start('help\nquit\n')

    expect(output).not.toContain('could not start')
    expect(output).toContain('hyperalign console')
    expect(code).toBe(0)
  })
})
