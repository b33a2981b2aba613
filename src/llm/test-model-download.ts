// `npm run test:fetch-model`: downloads the tiny GGUF model the embedded-model tests run (stories260K, 1.2 MB) from
// its public source, pinned to a revision and a sha256, with the model downloader (progress, resume, checksum).
// For tests and benchmarks only; the bot itself never loads this model unless LOCAL_MODEL names it.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { testModelLocations } from '../config.js'
import { isBotError } from '../bot-error.js'
import { createProgressPrinter } from './model-pull.js'
import { downloadModel } from './model-download.js'

/**
 * Karpathy's llama2.c TinyStories 260K model as GGUF, the file llama.cpp's own server tests load (Hugging Face
 * ggml-org/models-moved, tinyllamas/stories260K.gguf, at a fixed revision).
 */
export const testModel = {
  name: 'stories260K.gguf (TinyStories 260K, GGUF)',
  url: 'https://huggingface.co/ggml-org/models-moved/resolve/499bc8821c6b12b4e53c5bffcb21ec206f212d81/tinyllamas/stories260K.gguf',
  sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
  sizeBytes: 1_185_376,
} as const

export type TestModelSource = { url: string; sha256: string; sizeBytes?: number }

export type FetchTestModelOptions = {
  /** Default `models/test/stories260K.gguf`, where TEST_MODEL_PATH looks first when unset. */
  destination?: string
  /** Another source (tests serve the file from 127.0.0.1). */
  source?: TestModelSource
  output?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  deadlineMs?: number
  idleTimeoutMs?: number
  fetch?: typeof fetch
  signal?: AbortSignal
}

export type FetchTestModelOutcome = { status: 'present' | 'downloaded'; path: string } | { status: 'failed'; path: string; message: string }

export async function fetchTestModel(options: FetchTestModelOptions = {}): Promise<FetchTestModelOutcome> {
  const destination = options.destination ?? testModelLocations[0]
  const source = options.source ?? testModel
  const output = options.output ?? process.stderr
  const say = (line: string) => output.write(`${line}\n`)
  if (existsSync(destination)) {
    if ((await sha256Of(destination)) === source.sha256) {
      say(`The test model is already at ${destination} (sha256 verified).`)
      return { status: 'present', path: destination }
    }
    say(`${destination} is not the expected file (its sha256 differs); downloading it again.`)
  }
  say(`Downloading the test model from ${new URL(source.url).host} to ${destination}.`)
  const progress = createProgressPrinter(output)
  try {
    await downloadModel({
      url: source.url,
      destination,
      sha256: source.sha256,
      expectedBytes: source.sizeBytes,
      deadlineMs: options.deadlineMs ?? 10 * 60_000,
      idleTimeoutMs: options.idleTimeoutMs,
      onProgress: progress.update,
      fetch: options.fetch,
      signal: options.signal,
    })
    progress.done()
    say(`Done: ${destination} (sha256 verified). The embedded-model tests now run; TEST_MODEL_PATH looks there when unset.`)
    return { status: 'downloaded', path: destination }
  } catch (error) {
    progress.done()
    const message = isBotError(error) ? error.message : `Download failed: ${String(error)}`
    say(message)
    say(`To get it by hand: download ${source.url}`)
    say(`(sha256 ${source.sha256}), save it as ${destination} or anywhere, and set TEST_MODEL_PATH=<that file>.`)
    return { status: 'failed', path: destination, message }
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
