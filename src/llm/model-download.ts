// Downloads one model file: resumable (HTTP Range into `<file>.partial`), verified (sha256) and bounded by an overall
// deadline and an idle timeout that hold even if the transport ignores its abort signal. Never replaces a good file.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rename, rm, stat, truncate } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import { BotError } from '../bot-error.js'

export type DownloadProgress = {
  receivedBytes: number
  /** Known from Content-Length / Content-Range (or the expected size); undefined when the server does not say. */
  totalBytes?: number
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFromBytes: number
}

export type DownloadOptions = {
  url: string
  /** The final file; the download goes to `<destination>.partial` and is renamed only once verified. */
  destination: string
  /** Lower-case hex. Without it the file is kept but reported as unverified. */
  sha256?: string
  expectedBytes?: number
  /** Overall deadline for this attempt, in milliseconds; the partial file stays for the next attempt. */
  deadlineMs: number
  /** Fails when no byte arrives for this long. */
  idleTimeoutMs?: number
  onProgress?: (progress: DownloadProgress) => void
  signal?: AbortSignal
  fetch?: typeof fetch
}

export type DownloadResult = { path: string; bytes: number; sha256: string; verified: boolean; resumedFromBytes: number }

export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const partial = `${options.destination}.partial`
  await mkdir(path.dirname(options.destination), { recursive: true })
  const controller = new AbortController()
  const abortWith = (reason: BotError) => controller.abort(reason)
  options.signal?.addEventListener('abort', () => abortWith(downloadError('The download was cancelled; run it again to resume.', options.signal?.reason)), { once: true })
  if (options.signal?.aborted) abortWith(downloadError('The download was cancelled; run it again to resume.'))

  let deadlineTimer: NodeJS.Timeout | undefined
  // The race is what makes the deadline hold: even a transport that ignores `abort` cannot keep us waiting.
  const deadline = new Promise<never>((_, reject) => {
    deadlineTimer = setTimeout(() => {
      const error = downloadError(`The download did not finish within ${formatDuration(options.deadlineMs)}; run it again to resume where it stopped.`)
      abortWith(error)
      reject(error)
    }, options.deadlineMs)
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  deadline.catch(() => {})
  try {
    return await Promise.race([attempt(options, partial, controller.signal, abortWith), deadline])
  } finally {
    clearTimeout(deadlineTimer)
    if (!controller.signal.aborted) controller.abort(downloadError('The download ended.'))
  }
}

async function attempt(options: DownloadOptions, partial: string, signal: AbortSignal, abortWith: (reason: BotError) => void): Promise<DownloadResult> {
  let offset = (await stat(partial).catch(() => undefined))?.size ?? 0
  if (options.expectedBytes !== undefined && offset > options.expectedBytes) {
    await truncate(partial, 0)
    offset = 0
  }
  const headers: Record<string, string> = { 'user-agent': 'hyperalign-bot model-pull' }
  if (offset > 0) headers.range = `bytes=${offset}-`
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000
  let idleTimer: NodeJS.Timeout | undefined
  const touch = () => {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => abortWith(downloadError(`No data arrived for ${formatDuration(idleTimeoutMs)}; run it again to resume.`)), idleTimeoutMs)
  }
  touch()
  let file: WriteStream | undefined
  try {
    const response = await (options.fetch ?? fetch)(options.url, { headers, signal, redirect: 'follow' }).catch((error: unknown) => {
      throw signal.aborted ? signal.reason : downloadError(`Could not reach ${new URL(options.url).host} (${describe(error)}); check the network and run it again.`, error)
    })
    touch()
    let totalBytes: number | undefined
    if (response.status === 416 && offset > 0) {
      // Nothing past what we have: either the partial file is already complete or it is longer than the file.
      await response.body?.cancel().catch(() => {})
      const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1])
      if (total === offset) return await finish(options, partial, offset, offset)
      await truncate(partial, 0)
      return await attempt(options, partial, signal, abortWith)
    }
    if (response.status === 206 && offset > 0) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '')
      if (!range || Number(range[1]) !== offset) {
        throw downloadError(`The server answered a resume request with the wrong range (${response.headers.get('content-range') ?? 'none'}).`)
      }
      totalBytes = range[3] === '*' ? undefined : Number(range[3])
    } else if (response.status === 200) {
      if (offset > 0) {
        // The server ignored the Range header and sends the whole file again: start over.
        await truncate(partial, 0)
        offset = 0
      }
      const length = Number(response.headers.get('content-length'))
      totalBytes = Number.isFinite(length) && length > 0 ? length : undefined
    } else {
      await response.body?.cancel().catch(() => {})
      throw downloadError(`The server answered ${response.status} ${response.statusText} for ${options.url}.`, undefined, response.status >= 500 || response.status === 429)
    }
    if (!response.body) throw downloadError('The server sent no body.')
    totalBytes ??= options.expectedBytes
    if (options.expectedBytes !== undefined && totalBytes !== undefined && totalBytes !== options.expectedBytes) {
      throw downloadError(`The server offers ${totalBytes} bytes, but ${options.expectedBytes} were expected; the URL may point to another file.`, undefined, false)
    }
    const hash = createHash('sha256')
    if (offset > 0) await hashFile(partial, hash)
    const resumedFromBytes = offset
    let received = offset
    options.onProgress?.({ receivedBytes: received, totalBytes, resumedFromBytes })
    file = createWriteStream(partial, { flags: 'a' })
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      touch()
      hash.update(chunk)
      received += chunk.byteLength
      if (!file.write(chunk)) await once(file, 'drain', { signal })
      options.onProgress?.({ receivedBytes: received, totalBytes, resumedFromBytes })
    }
    await closeFile(file)
    file = undefined
    if (totalBytes !== undefined && received !== totalBytes) {
      throw downloadError(`The connection ended after ${received} of ${totalBytes} bytes; run it again to resume.`)
    }
    return await finish(options, partial, received, resumedFromBytes, hash.digest('hex'))
  } catch (error) {
    if (error instanceof BotError) throw error
    throw signal.aborted ? signal.reason : downloadError(`The download broke off (${describe(error)}); run it again to resume.`, error)
  } finally {
    clearTimeout(idleTimer)
    if (file) await closeFile(file).catch(() => {})
  }
}

async function finish(options: DownloadOptions, partial: string, bytes: number, resumedFromBytes: number, digest?: string): Promise<DownloadResult> {
  const sha256 = digest ?? (await hashFile(partial, createHash('sha256'))).digest('hex')
  if (options.sha256 && sha256 !== options.sha256.toLowerCase()) {
    // A corrupt partial file would fail the same way forever: remove it so the next run starts clean.
    await rm(partial, { force: true })
    throw downloadError(
      `The downloaded file's sha256 is ${sha256}, but ${options.sha256} was expected. It was deleted; run the download ` +
        'again. If this repeats, the file at the URL has changed: check LOCAL_MODEL and LOCAL_MODEL_SHA256.',
      undefined,
      false,
    )
  }
  await rename(partial, options.destination)
  return { path: options.destination, bytes, sha256, verified: Boolean(options.sha256), resumedFromBytes }
}

async function hashFile(file: string, hash: Hash): Promise<Hash> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash
}

function closeFile(file: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

function downloadError(message: string, cause?: unknown, isRetryable = true): BotError {
  return new BotError('llm_not_configured', `Model download failed: ${message}`, { cause, isRetryable })
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${milliseconds} ms`
  const seconds = Math.round(milliseconds / 1000)
  if (seconds < 120) return `${seconds} s`
  return `${Math.round(seconds / 60)} min`
}
