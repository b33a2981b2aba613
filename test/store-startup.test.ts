// Startup with a store that cannot be opened, as an operator meets it: the real bot process started with STORE_URL
// pointing at an unreachable Redis, a wrong PostgreSQL port, a missing database, a read-only folder, a file that is
// not SQLite, a path under /proc and a server that never answers. Each prints the setting, the target (never its
// password) and the cause, and exits; none hangs.
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'

const config = loadConfig()
const mainPath = fileURLToPath(new URL('../app/main.ts', import.meta.url))
const tsxLoader = import.meta.resolve('tsx')
// Readable by everyone: the read-only case runs the bot as an unprivileged user when the tests run as root.
const directory = mkdtempSync(join(tmpdir(), 'hyperalign-startup-'))
chmodSync(directory, 0o755)
afterAll(() => rmSync(directory, { recursive: true, force: true }))

type Started = { code: number | null; stderr: string; killed: boolean }

/** Starts the bot in an empty working directory with only these settings; kills it if it is still up after 45 s. */
function startBot(settings: Record<string, string>, options: { uid?: number; gid?: number } = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, mainPath, '--no-model-offer'], {
      cwd: directory,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...settings },
      stdio: ['pipe', 'ignore', 'pipe'],
      ...options,
    })
    let stderr = ''
    let killed = false
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, 45_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, killed })
    })
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Asserts the one startup line: the setting and target, then the cause; exit code 1, no hang, no stack trace. */
function expectStartupError(started: Started, target: string, cause: RegExp) {
  expect(started.killed, started.stderr).toBe(false)
  expect(started.code).toBe(1)
  expect(started.stderr).toContain(`hyperalign could not start: The store at STORE_URL=${target} could not be opened: `)
  expect(started.stderr).toMatch(cause)
  expect(started.stderr).not.toMatch(/\n\s+at /)
}

const postgres = new URL(config.TEST_POSTGRES_URL)

// Each case starts a whole bot process (a few seconds of imports on a busy machine).
describe('startup with a store that cannot be opened', { timeout: 60_000 }, () => {
  it('an unreachable Redis: names STORE_URL, the target without its password, and the refused connection', async () => {
    const port = await freePort()
    const started = await startBot({ STORE_URL: `redis://:s3cret-redis-pass@127.0.0.1:${port}/0` })
    expectStartupError(started, `redis://:***@127.0.0.1:${port}/0`, new RegExp(`nothing is listening on 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`))
    expect(started.stderr).not.toContain('s3cret-redis-pass')
  })

  it('a wrong PostgreSQL port: names STORE_URL, the target without its password, and the refused connection', async () => {
    const port = await freePort()
    const started = await startBot({ STORE_URL: `postgres://hyperalign:s3cret-pg-pass@127.0.0.1:${port}/hyperalign?password=s3cret-pg-pass` })
    expectStartupError(started, `postgres://hyperalign:***@127.0.0.1:${port}/hyperalign`, new RegExp(`nothing is listening on 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`))
    expect(started.stderr).not.toContain('s3cret-pg-pass')
  })

  it('a missing PostgreSQL database: names the database that does not exist', async () => {
    const url = new URL(postgres)
    url.pathname = '/hyperalign_missing_database'
    const started = await startBot({ STORE_URL: url.toString() })
    expectStartupError(started, url.toString(), /database "hyperalign_missing_database" does not exist \(3D000\)/)
  })

  it('a read-only folder: names the folder that is not writable', async () => {
    const folder = join(directory, 'read-only')
    rmSync(folder, { recursive: true, force: true })
    // The folder exists; the bot may read it but not create its files there.
    mkdirSync(folder)
    chmodSync(folder, 0o555)
    const asUnprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    const started = await startBot({ STORE_URL: `sqlite://${folder}/store.sqlite` }, asUnprivileged)
    expectStartupError(started, `sqlite://${folder}/store.sqlite`, new RegExp(`the folder ${folder} is not writable \\(EACCES\\)`))
  })

  it('a file that is not an SQLite database: says so', async () => {
    const file = join(directory, 'notes.sqlite')
    writeFileSync(file, 'these are meeting notes, not a database\n'.repeat(40))
    const started = await startBot({ STORE_URL: `sqlite://${file}` })
    expectStartupError(started, `sqlite://${file}`, /the file is not an SQLite database \(SQLITE_NOTADB\)/)
  })

  it('sqlite:///proc/x/y.sqlite fails at once with the folder it cannot create, instead of hanging', async () => {
    const started = await startBot({ STORE_URL: 'sqlite:///proc/x/y.sqlite' })
    expectStartupError(started, 'sqlite:///proc/x/y.sqlite', /cannot create the folder \/proc\/x \(ENOENT\)/)
  })

  it('a server that accepts the connection and never answers: stops at STORE_STARTUP_TIMEOUT_MS and says so', async () => {
    const sockets = new Set<Socket>()
    const silent: Server = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    try {
      const started = await startBot({ STORE_URL: `redis://127.0.0.1:${port}/0`, STORE_STARTUP_TIMEOUT_MS: '1500' })
      expectStartupError(started, `redis://127.0.0.1:${port}/0`, /no answer within 1\.5 s/)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
