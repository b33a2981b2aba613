// The model downloader and `model:pull` against a real HTTP file server on 127.0.0.1: Range resume, a connection
// dropped mid-file, a checksum mismatch, a server that hangs past the deadline, and the ask-before-download rules.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isBotError, type BotError } from '../src/bot-error.js'
import { parseConfig } from '../src/config.js'
import { downloadModel } from '../src/llm/model-download.js'
import { defaultLocalModel } from '../src/llm/local-model-source.js'
import { offerLocalModelDownload, pullLocalModel, renderProgressLine } from '../src/llm/model-pull.js'

type Mode = 'normal' | 'ignore-range' | 'drop-midway' | 'hang' | 'stall-after-headers' | 'not-found' | 'unavailable'

/** 300 kB of deterministic bytes: big enough to arrive in many chunks. */
const fileBytes = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7919 + (index >> 8)) & 0xff))
const fileSha256 = createHash('sha256').update(fileBytes).digest('hex')

type FileServer = { url: string; mode: Mode; ranges: (string | undefined)[]; close(): Promise<void> }

async function startFileServer(): Promise<FileServer> {
  const state: FileServer = { url: '', mode: 'normal', ranges: [], close: async () => {} }
  const server: Server = createServer((request, response) => {
    state.ranges.push(request.headers.range)
    if (state.mode === 'not-found') {
      response.writeHead(404).end('no such file')
      return
    }
    if (state.mode === 'unavailable') {
      response.writeHead(503).end('proxy: upstream unreachable')
      return
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '')
    const start = range && state.mode !== 'ignore-range' ? Number(range[1]) : 0
    if (start >= fileBytes.length && range && state.mode !== 'ignore-range') {
      response.writeHead(416, { 'content-range': `bytes */${fileBytes.length}` }).end()
      return
    }
    const body = fileBytes.subarray(start)
    const headers = { 'content-length': String(body.length), 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' }
    if (start > 0) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${fileBytes.length - 1}/${fileBytes.length}` })
    else response.writeHead(200, headers)
    if (state.mode === 'stall-after-headers') {
      response.flushHeaders()
      return
    }
    if (state.mode === 'drop-midway' || state.mode === 'hang') {
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        if (state.mode === 'drop-midway') setTimeout(() => request.socket.destroy(), 20)
      })
      return
    }
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/fake-model.gguf`
  state.close = () => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(() => resolve()))
  }
  return state
}

/** A URL on 127.0.0.1 where nothing listens: the port was bound, then released. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return `http://127.0.0.1:${port}/qwen.gguf`
}

async function failure(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!isBotError(error)) throw new Error(`expected a BotError, got ${String(error)}`)
  return error
}

let server: FileServer
let directory: string
let destination: string
beforeEach(async () => {
  server = await startFileServer()
  directory = await mkdtemp(path.join(tmpdir(), 'model-download-'))
  destination = path.join(directory, 'fake-model.gguf')
})
afterEach(async () => {
  await server.close()
  await rm(directory, { recursive: true, force: true })
})

describe('downloadModel', () => {
  it('downloads the whole file, verifies it and reports progress up to the total', async () => {
    const seen: number[] = []
    const result = await downloadModel({
      url: server.url,
      destination,
      sha256: fileSha256,
      expectedBytes: fileBytes.length,
      deadlineMs: 30_000,
      onProgress: (progress) => {
        expect(progress.totalBytes).toBe(fileBytes.length)
        seen.push(progress.receivedBytes)
      },
    })
    expect(result).toMatchObject({ path: destination, bytes: fileBytes.length, sha256: fileSha256, verified: true, resumedFromBytes: 0 })
    expect(await readFile(destination)).toEqual(fileBytes)
    expect(existsSync(`${destination}.partial`)).toBe(false)
    expect(seen.at(-1)).toBe(fileBytes.length)
    expect(server.ranges).toEqual([undefined])
  })

  it('resumes a partial file with an HTTP Range request', async () => {
    await writeFile(`${destination}.partial`, fileBytes.subarray(0, 100_000))
    const result = await downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 30_000 })
    expect(server.ranges).toEqual(['bytes=100000-'])
    expect(result).toMatchObject({ verified: true, resumedFromBytes: 100_000, bytes: fileBytes.length })
    expect(await readFile(destination)).toEqual(fileBytes)
  })

  it('a connection dropped mid-file keeps the partial file, and the next run resumes and verifies it', async () => {
    server.mode = 'drop-midway'
    const error = await failure(downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 30_000 }))
    expect(error.code).toBe('llm_not_configured')
    expect(error.isRetryable).toBe(true)
    expect(error.message).toMatch(/run it again to resume/)
    const kept = (await stat(`${destination}.partial`)).size
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(fileBytes.length)
    expect(existsSync(destination)).toBe(false)

    server.mode = 'normal'
    const result = await downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 30_000 })
    expect(server.ranges.at(-1)).toBe(`bytes=${kept}-`)
    expect(result).toMatchObject({ verified: true, resumedFromBytes: kept })
    expect(await readFile(destination)).toEqual(fileBytes)
  })

  it('a checksum mismatch deletes the partial file and never installs it', async () => {
    const wrong = 'f'.repeat(64)
    const error = await failure(downloadModel({ url: server.url, destination, sha256: wrong, deadlineMs: 30_000 }))
    expect(error.code).toBe('llm_not_configured')
    expect(error.isRetryable).toBe(false)
    expect(error.message).toContain(fileSha256)
    expect(error.message).toContain(wrong)
    expect(error.message).toMatch(/LOCAL_MODEL_SHA256/)
    expect(existsSync(destination)).toBe(false)
    expect(existsSync(`${destination}.partial`)).toBe(false)
  })

  it('a server that hangs mid-file fails at the overall deadline and keeps what arrived', async () => {
    server.mode = 'hang'
    const error = await failure(downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 400, idleTimeoutMs: 60_000 }))
    expect(error.code).toBe('llm_not_configured')
    expect(error.message).toMatch(/did not finish within 400 ms/)
    expect(existsSync(destination)).toBe(false)
  })

  it('a server that stops sending fails at the idle timeout', async () => {
    server.mode = 'stall-after-headers'
    const error = await failure(downloadModel({ url: server.url, destination, deadlineMs: 60_000, idleTimeoutMs: 300 }))
    expect(error.message).toMatch(/No data arrived for 300 ms/)
  })

  it('the deadline holds even when the transport ignores its abort signal', async () => {
    const deaf: typeof fetch = () => new Promise<Response>(() => {})
    const error = await failure(downloadModel({ url: server.url, destination, deadlineMs: 300, idleTimeoutMs: 60_000, fetch: deaf }))
    expect(error.message).toMatch(/did not finish within 300 ms/)
  })

  it('starts over when the server ignores the Range header', async () => {
    server.mode = 'ignore-range'
    await writeFile(`${destination}.partial`, Buffer.alloc(50_000, 1))
    const result = await downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 30_000 })
    expect(result).toMatchObject({ verified: true, resumedFromBytes: 0 })
    expect(await readFile(destination)).toEqual(fileBytes)
  })

  it('a complete partial file (416 on resume) is verified and installed without downloading again', async () => {
    await writeFile(`${destination}.partial`, fileBytes)
    const result = await downloadModel({ url: server.url, destination, sha256: fileSha256, deadlineMs: 30_000 })
    expect(result.verified).toBe(true)
    expect(await readFile(destination)).toEqual(fileBytes)
  })

  it('an HTTP error names the status', async () => {
    server.mode = 'not-found'
    const error = await failure(downloadModel({ url: server.url, destination, deadlineMs: 30_000 }))
    expect(error.message).toMatch(/answered 404/)
    expect(error.isRetryable).toBe(false)
  })

  it('a size that differs from the expected one is refused before writing', async () => {
    const error = await failure(downloadModel({ url: server.url, destination, expectedBytes: 123, deadlineMs: 30_000 }))
    expect(error.message).toMatch(/offers 300000 bytes, but 123 were expected/)
    expect(existsSync(destination)).toBe(false)
  })
})

class Collect extends Writable {
  text = ''
  isTTY = false
  override _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.text += chunk.toString()
    callback()
  }
}

function terminalInput(answer: string): PassThrough & { isTTY: boolean } {
  const input = Object.assign(new PassThrough(), { isTTY: true })
  setImmediate(() => input.write(`${answer}\n`))
  return input
}

describe('model:pull', () => {
  const config = () => parseConfig({ LOCAL_MODEL: server.url, LOCAL_MODEL_SHA256: fileSha256 })

  it('never downloads without a yes when not on a terminal, and says how to say yes', async () => {
    const output = new Collect()
    const outcome = await pullLocalModel({ config: config(), assumeYes: false, input: new PassThrough(), output, modelDirectory: directory })
    expect(outcome.status).toBe('declined')
    expect(output.text).toMatch(/npm run model:pull -- --yes/)
    expect(server.ranges).toEqual([])
  })

  it('--yes downloads into the model directory, verified, with progress', async () => {
    const output = new Collect()
    const outcome = await pullLocalModel({ config: config(), assumeYes: true, output, modelDirectory: directory })
    expect(outcome).toMatchObject({ status: 'downloaded', path: destination, verified: true })
    expect(output.text).toMatch(/100%/)
    expect(output.text).toMatch(/sha256 verified/)
  })

  it('asks on a terminal; "n" downloads nothing', async () => {
    const output = new Collect()
    const outcome = await pullLocalModel({ config: config(), assumeYes: false, input: terminalInput('n'), output, modelDirectory: directory })
    expect(outcome.status).toBe('declined')
    expect(output.text).toMatch(/\[y\/N\]/)
    expect(server.ranges).toEqual([])
  })

  it('a file without a known checksum is downloaded but reported as not verified, with its sha256', async () => {
    const output = new Collect()
    const outcome = await pullLocalModel({ config: parseConfig({ LOCAL_MODEL: server.url }), assumeYes: true, output, modelDirectory: directory })
    expect(outcome).toMatchObject({ status: 'downloaded', verified: false })
    expect(output.text).toContain(`NOT verified`)
    expect(output.text).toContain(fileSha256)
  })

  it('a failed download reports the reason and what to do', async () => {
    server.mode = 'drop-midway'
    const output = new Collect()
    const outcome = await pullLocalModel({ config: config(), assumeYes: true, output, modelDirectory: directory })
    expect(outcome.status).toBe('failed')
    expect(output.text).toMatch(/run it again to resume/)
  })

  it('the first-start offer downloads on "y" at a terminal', async () => {
    const output = new Collect()
    const outcome = await offerLocalModelDownload({ config: config(), input: terminalInput('y'), output, modelDirectory: directory })
    expect(outcome).toMatchObject({ status: 'downloaded', verified: true })
    expect(output.text).toMatch(/messages never leave it/)
  })

  it('the first-start offer stays quiet when a hosted model is configured or when not on a terminal', async () => {
    const hosted = parseConfig({ LOCAL_MODEL: server.url, LLM_API_KEY: 'sk-fake-key' })
    expect(await offerLocalModelDownload({ config: hosted, input: terminalInput('y'), output: new Collect(), modelDirectory: directory })).toEqual({ status: 'not_needed' })
    expect(await offerLocalModelDownload({ config: config(), input: new PassThrough(), output: new Collect(), modelDirectory: directory })).toEqual({ status: 'not_interactive' })
    expect(server.ranges).toEqual([])
  })

  it('offline (closed port): says how to download the default model by hand, with its URL and LOCAL_MODEL=<file>', async () => {
    const closed = await closedPortUrl()
    // The default model's real URL is kept; only the connection goes to a port where nothing listens.
    const offline: typeof fetch = (_input, init) => fetch(closed, init)
    const output = new Collect()
    const outcome = await pullLocalModel({ config: parseConfig({}), assumeYes: true, output, modelDirectory: directory, fetch: offline })

    expect(outcome.status).toBe('failed')
    expect(output.text).toMatch(/Could not reach huggingface\.co \(ECONNREFUSED\)/)
    expect(output.text).toContain(defaultLocalModel.url)
    expect(output.text).toContain(defaultLocalModel.sha256)
    expect(output.text).toContain(`LOCAL_MODEL=<the downloaded ${defaultLocalModel.fileName}>`)
    expect(output.text).toContain(path.join(directory, defaultLocalModel.fileName))
  })

  it('a failing server (503) also gets the manual route for a LOCAL_MODEL URL', async () => {
    server.mode = 'unavailable'
    const output = new Collect()
    const outcome = await pullLocalModel({ config: config(), assumeYes: true, output, modelDirectory: directory })
    expect(outcome.status).toBe('failed')
    expect(output.text).toMatch(/answered 503/)
    expect(output.text).toContain(`\n  ${server.url}\n`)
    expect(output.text).toContain('LOCAL_MODEL=<the downloaded fake-model.gguf>')
  })

  it('the first-start offer is made once: after "n", later starts do not ask again and say how to get the model', async () => {
    const first = new Collect()
    expect(await offerLocalModelDownload({ config: config(), input: terminalInput('n'), output: first, modelDirectory: directory })).toMatchObject({ status: 'declined' })
    expect(first.text).toMatch(/\[y\/N\]/)

    const second = new Collect()
    const outcome = await offerLocalModelDownload({ config: config(), input: terminalInput('y'), output: second, modelDirectory: directory })
    expect(outcome).toEqual({ status: 'offered_before' })
    expect(second.text).not.toMatch(/\[y\/N\]/)
    expect(second.text).toContain('npm run model:pull')
    expect(server.ranges).toEqual([])

    // The explicit command still asks (and downloads) whatever was answered at start.
    const pulled = await pullLocalModel({ config: config(), assumeYes: false, input: terminalInput('y'), output: new Collect(), modelDirectory: directory })
    expect(pulled.status).toBe('downloaded')
  })

  it('the first-start offer is not remembered when it was never asked (no terminal)', async () => {
    expect(await offerLocalModelDownload({ config: config(), input: new PassThrough(), output: new Collect(), modelDirectory: directory })).toEqual({ status: 'not_interactive' })
    const asked = new Collect()
    await offerLocalModelDownload({ config: config(), input: terminalInput('n'), output: asked, modelDirectory: directory })
    expect(asked.text).toMatch(/\[y\/N\]/)
  })

  it('renders a bar with percentage, sizes and rate', () => {
    const line = renderProgressLine({ receivedBytes: 500_000_000, totalBytes: 1_000_000_000, resumedFromBytes: 0 }, 10_000, 100)
    expect(line).toMatch(/^\[#+-+\]\s+50%\s+500 MB \/ 1\.0 GB\s+50\.0 MB\/s\s+ETA 10 s$/)
  })
})
