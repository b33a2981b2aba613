// `npm run model:pull` and the first-start offer: asks before downloading the embedded model (unless told yes), shows
// progress, and explains every outcome, with the manual route when the download fails. It never downloads without a
// yes, never runs when a hosted model is set, and the first-start offer is made once.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline/promises'
import { isBotError } from '../bot-error.js'
import type { Config } from '../config.js'
import { silentLogger, type Logger } from '../logger.js'
import { downloadOfferRecord } from './download-offer-record.js'
import { localModelDirectory, resolveLocalModelSource } from './local-model-source.js'
import { downloadModel, formatDuration, type DownloadProgress } from './model-download.js'

type Input = NodeJS.ReadableStream & { isTTY?: boolean }
type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

export type PullOptions = {
  config: Config
  /** `--yes`: download without asking. */
  assumeYes: boolean
  input?: Input
  output?: Output
  deadlineMs?: number
  idleTimeoutMs?: number
  fetch?: typeof fetch
  signal?: AbortSignal
  /** Where downloads go; `models` (relative to the working directory) unless a test says otherwise. */
  modelDirectory?: string
}

export type PullOutcome =
  | { status: 'present'; path: string }
  | { status: 'downloaded'; path: string; sha256: string; verified: boolean }
  | { status: 'declined' | 'not_downloadable'; path: string }
  | { status: 'failed'; path: string; message: string }

/** An hour covers 1.1 GB at about 300 KB/s; a slower line resumes on the next run. */
export const defaultPullDeadlineMs = 60 * 60_000

/** The embedded model is used when LLM_PROVIDER=local, or when it is `auto` and no hosted model is configured. */
export function shouldUseLocalModel(config: Pick<Config, 'LLM_PROVIDER' | 'LLM_API_KEY' | 'LLM_BASE_URL'>): boolean {
  if (config.LLM_PROVIDER === 'local') return true
  if (config.LLM_PROVIDER === 'openai') return false
  return !config.LLM_API_KEY && !config.LLM_BASE_URL
}

export async function pullLocalModel(options: PullOptions): Promise<PullOutcome> {
  const output = options.output ?? process.stderr
  const source = resolveLocalModelSource(options.config, options.modelDirectory)
  const say = (line: string) => output.write(`${line}\n`)
  if (existsSync(source.modelPath)) {
    say(`The model is already at ${source.modelPath}.`)
    return { status: 'present', path: source.modelPath }
  }
  if (!source.download) {
    say(`LOCAL_MODEL points to ${source.modelPath}, which does not exist. Copy the .gguf file there, or set LOCAL_MODEL to an https:// URL or hf:owner/repo/file.gguf to download one.`)
    return { status: 'not_downloadable', path: source.modelPath }
  }
  const { url, sha256, sizeBytes, name } = source.download
  const size = sizeBytes ? ` (${formatBytes(sizeBytes)})` : ''
  if (!options.assumeYes) {
    const input = options.input ?? process.stdin
    if (!input.isTTY) {
      say(`Not downloading ${name}${size} without a yes: run \`npm run model:pull -- --yes\` to download it to ${source.modelPath}.`)
      return { status: 'declined', path: source.modelPath }
    }
    const answer = await ask(input, output, `Download ${name}${size} to ${source.modelPath}? [y/N] `)
    if (!/^y(es)?$/i.test(answer.trim())) {
      say('Not downloaded. Run `npm run model:pull` when you want it, or set LLM_API_KEY to use a hosted model.')
      return { status: 'declined', path: source.modelPath }
    }
  }
  const deadlineMs = options.deadlineMs ?? defaultPullDeadlineMs
  say(`Downloading ${name}${size} from ${new URL(url).host} to ${source.modelPath} (gives up after ${formatDuration(deadlineMs)}; run again to resume).`)
  const progress = createProgressPrinter(output)
  try {
    const result = await downloadModel({
      url,
      destination: source.modelPath,
      sha256,
      expectedBytes: sizeBytes,
      deadlineMs,
      idleTimeoutMs: options.idleTimeoutMs,
      onProgress: progress.update,
      fetch: options.fetch,
      signal: options.signal,
    })
    progress.done()
    if (result.verified) say(`Done: ${result.path} (${formatBytes(result.bytes)}, sha256 verified).`)
    else say(`Done: ${result.path} (${formatBytes(result.bytes)}). NOT verified: no checksum is known for this file. Its sha256 is ${result.sha256}; set LOCAL_MODEL_SHA256 to pin it.`)
    return { status: 'downloaded', path: result.path, sha256: result.sha256, verified: result.verified }
  } catch (error) {
    progress.done()
    const message = isBotError(error) ? error.message : `Model download failed: ${String(error)}`
    say(message)
    // Offline, behind a proxy, or the host is down: the same file can come another way.
    say(`To get it by hand (in a browser, or on a machine with internet access), download:\n  ${url}`)
    if (sha256) say(`  (sha256 ${sha256}; check it after downloading)`)
    say(`then save it as ${source.modelPath}, or anywhere and set LOCAL_MODEL=<the downloaded ${path.basename(source.modelPath)}>.`)
    return { status: 'failed', path: source.modelPath, message }
  }
}

/**
 * For the app's first interactive start: when the embedded model is the one to use and its file is missing, offer the
 * download. Returns without asking when not on a terminal, when a hosted model is configured, or when the file exists.
 */
export async function offerLocalModelDownload(
  options: Omit<PullOptions, 'assumeYes'> & { logger?: Logger },
): Promise<PullOutcome | { status: 'not_needed' | 'not_interactive' | 'offered_before' }> {
  const logger = options.logger ?? silentLogger
  if (!shouldUseLocalModel(options.config)) return { status: 'not_needed' }
  const source = resolveLocalModelSource(options.config, options.modelDirectory)
  if (existsSync(source.modelPath)) return { status: 'not_needed' }
  const input = options.input ?? process.stdin
  if (!input.isTTY || !source.download) {
    logger.warn('local_model.missing', { path: source.modelPath, next: 'npm run model:pull, or set LLM_API_KEY' })
    return { status: 'not_interactive' }
  }
  const output = options.output ?? process.stderr
  const offer = downloadOfferRecord(options.modelDirectory ?? localModelDirectory)
  if (offer.answered()) {
    // Asked on an earlier start: a reminder, not the question again.
    output.write('No language model yet: drafting, answering and learning need one. Run `npm run model:pull` for the embedded model (it resumes a stopped download), or set LLM_API_KEY.\n')
    return { status: 'offered_before' }
  }
  output.write('No language model is set up yet. Everything except drafting, answering and learning works without one.\n')
  output.write('You can download the embedded model now (it runs on this machine; messages never leave it), or set LLM_API_KEY later.\n')
  const outcome = await pullLocalModel({ ...options, assumeYes: false, input, output })
  if (outcome.status === 'declined' || outcome.status === 'downloaded' || outcome.status === 'failed') offer.record(outcome.status === 'declined' ? 'no' : 'yes')
  return outcome
}

async function ask(input: Input, output: Output, question: string): Promise<string> {
  const reader = createInterface({ input, output, terminal: Boolean(input.isTTY) })
  try {
    return await reader.question(question)
  } finally {
    reader.close()
  }
}

/** One redrawn line on a terminal; a line per 10% elsewhere (logs stay readable). */
export function createProgressPrinter(output: Output, now: () => number = Date.now) {
  const started = now()
  let lastPrinted = -1
  let lastDraw = 0
  let drewLine = false
  return {
    update(progress: DownloadProgress) {
      const percent = progress.totalBytes ? Math.floor((progress.receivedBytes / progress.totalBytes) * 100) : undefined
      if (output.isTTY) {
        if (now() - lastDraw < 100 && percent !== 100) return
        lastDraw = now()
        output.write(`\r${renderProgressLine(progress, now() - started, output.columns ?? 80)}`)
        drewLine = true
        return
      }
      const step = percent === undefined ? Math.floor(progress.receivedBytes / 100_000_000) : Math.floor(percent / 10)
      if (step === lastPrinted) return
      lastPrinted = step
      output.write(`${renderProgressLine(progress, now() - started, 0)}\n`)
    },
    done() {
      if (drewLine) output.write('\n')
      drewLine = false
    },
  }
}

/** `[#########-----------]  45%  500 MB / 1.1 GB  12.3 MB/s  ETA 40 s`, the bar sized to the terminal width. */
export function renderProgressLine(progress: DownloadProgress, elapsedMs: number, columns: number): string {
  const { receivedBytes, totalBytes, resumedFromBytes } = progress
  const rate = elapsedMs > 0 ? ((receivedBytes - resumedFromBytes) / elapsedMs) * 1000 : 0
  const parts: string[] = []
  if (totalBytes) {
    const fraction = Math.min(1, receivedBytes / totalBytes)
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`, `${formatBytes(receivedBytes)} / ${formatBytes(totalBytes)}`)
    if (rate > 0) parts.push(`${formatBytes(rate)}/s`, `ETA ${formatDuration(((totalBytes - receivedBytes) / rate) * 1000)}`)
    const text = parts.join('  ')
    const width = Math.max(10, Math.min(40, columns - text.length - 4))
    const filled = Math.round(fraction * width)
    return columns > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}` : text
  }
  parts.push(formatBytes(receivedBytes))
  if (rate > 0) parts.push(`${formatBytes(rate)}/s`)
  return parts.join('  ')
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`
}

export { formatDuration }
