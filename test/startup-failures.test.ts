// Network failures at start-up, in real child processes: the bot (`npm start`) with Slack's API or Discord's REST
// pointed at a closed port or a server that answers HTTP 500, and `npm run discord:register` the same way. Each
// stops with exit code 1 and one line that says what failed and what to check, never a stack trace.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest'
import { runProcess } from '../testing/support/bot-process.js'

let closedPort: number
let failing: Server
let failingPort: number

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

beforeAll(async () => {
  const probe = createServer()
  closedPort = await listen(probe)
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  failing = createServer((_request, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'))
  failingPort = await listen(failing)
})
afterAll(async () => {
  await new Promise<void>((resolve) => failing.close(() => resolve()))
})

const baseSettings = (directory: string) => ({ STORE_URL: `sqlite://${join(directory, 'store.sqlite')}`, LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_API_KEY: 'test-key', LOG_LEVEL: 'warn' })

/** Runs an entry point to its end; returns the exit code and the lines that are not JSON log lines. */
async function runToEnd(entry: string, settings: Record<string, string>) {
  const run = runProcess(entry, (directory) => ({ ...baseSettings(directory), ...settings }))
  const { code } = await run.exited
  return { code, lines: run.plainLines(), stderr: run.stderr() }
}

const slack = (apiUrl: string) => ({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_API_URL: apiUrl, PORT: '0' })
const discord = (apiUrl: string) => ({ DISCORD_TOKEN: 'FAKE.DISCORD.BOT-TOKEN', DISCORD_APP_ID: '100000000000000001', DISCORD_API_URL: apiUrl })

function expectOneLine(expect: ExpectStatic, result: { code: number | null; lines: string[]; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(1)
  expect(result.lines, result.stderr).toHaveLength(1)
  expect(result.lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/^\s+at /m)
}

// Concurrent: each process mostly waits (on the SDKs' retries), so they share the machine well.
describe.concurrent('start-up network failures', { timeout: 120_000 }, () => {
  it('Slack auth.test against a closed port: one line naming auth.test, the URL and what to check', async ({ expect }) => {
    const result = await runToEnd('app/main.ts', slack(`http://127.0.0.1:${closedPort}/api/`))
    expectOneLine(expect, result, new RegExp(`^hyperalign could not start: Slack did not answer auth\\.test at http://127\\.0\\.0\\.1:${closedPort}/api/ \\(ECONNREFUSED\\)\\. Check the network .* and SLACK_API_URL\\.$`))
  })

  it('Slack auth.test answered with HTTP 500: one line naming the status and what to check', async ({ expect }) => {
    const result = await runToEnd('app/main.ts', slack(`http://127.0.0.1:${failingPort}/api/`))
    expectOneLine(expect, result, /^hyperalign could not start: Slack answered auth\.test with HTTP 500 at .*SLACK_API_URL/)
  })

  it('Discord login against a closed port: one line naming the Discord API URL and what to check', async ({ expect }) => {
    const result = await runToEnd('app/main.ts', discord(`http://127.0.0.1:${closedPort}`))
    expectOneLine(expect, result, new RegExp(`^hyperalign could not start: Could not reach the Discord API at http://127\\.0\\.0\\.1:${closedPort} to log in \\(ECONNREFUSED\\)\\. Check the network .* and DISCORD_API_URL\\.$`))
  })

  it('Discord login answered with HTTP 500: one line naming the status and what to check', async ({ expect }) => {
    const result = await runToEnd('app/main.ts', discord(`http://127.0.0.1:${failingPort}`))
    expectOneLine(expect, result, /^hyperalign could not start: Discord answered HTTP 500 when trying to log in at .*DISCORD_API_URL\.$/)
  })

  it('npm run discord:register against a closed port or an HTTP 500: one line each', async ({ expect }) => {
    const closed = await runToEnd('scripts/discord-register.ts', discord(`http://127.0.0.1:${closedPort}`))
    expectOneLine(expect, closed, /^Could not reach the Discord API at .* to register the commands \(ECONNREFUSED\)\. Check the network .* and DISCORD_API_URL\.$/)
    const erring = await runToEnd('scripts/discord-register.ts', discord(`http://127.0.0.1:${failingPort}`))
    expectOneLine(expect, erring, /^Discord answered HTTP 500 when trying to register the commands at .*DISCORD_API_URL\.$/)
  })
})
