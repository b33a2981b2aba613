// Where the embedded model comes from: the default model, LOCAL_MODEL as a file path, an https URL or an `hf:` URI,
// and the local file each resolves to. Pure settings logic: it never downloads, loads or imports node-llama-cpp.
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { BotError } from '../bot-error.js'
import type { Config } from '../config.js'

/** Models are downloaded here, relative to the working directory (the repo when run with npm). */
export const localModelDirectory = 'models'

/**
 * The default: Qwen2.5 1.5B Instruct, Q4_K_M (Apache-2.0). Small enough for a 2-core CPU with 2-3 GB of RAM, and
 * the smallest Qwen2.5 that reliably follows formats and instructions. Pinned to a repository revision and a sha256.
 */
export const defaultLocalModel = {
  name: 'Qwen2.5-1.5B-Instruct Q4_K_M',
  fileName: 'qwen2.5-1.5b-instruct-q4_k_m.gguf',
  url: 'https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/91cad51170dc346986eccefdc2dd33a9da36ead9/qwen2.5-1.5b-instruct-q4_k_m.gguf',
  sha256: '6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e',
  sizeBytes: 1_117_320_736,
  licence: 'Apache-2.0',
} as const

export type LocalModelSource = {
  /** The GGUF file the bot loads (relative paths are relative to the working directory). */
  modelPath: string
  /** Where `npm run model:pull` gets it from; absent when LOCAL_MODEL names a file of the operator's own. */
  download?: { url: string; sha256?: string; sizeBytes?: number; name: string }
}

export function resolveLocalModelSource(
  config: Pick<Config, 'LOCAL_MODEL' | 'LOCAL_MODEL_SHA256'>,
  modelDirectory: string = localModelDirectory,
): LocalModelSource {
  const setting = config.LOCAL_MODEL
  if (!setting) {
    return {
      modelPath: path.join(modelDirectory, defaultLocalModel.fileName),
      download: { url: defaultLocalModel.url, sha256: defaultLocalModel.sha256, sizeBytes: defaultLocalModel.sizeBytes, name: defaultLocalModel.name },
    }
  }
  const url = modelUriToUrl(setting)
  if (!url) return { modelPath: setting }
  const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '')
  if (!/^[\w.+-]+\.gguf$/i.test(fileName)) {
    throw new BotError('config_invalid', `LOCAL_MODEL: the URL must end in a .gguf file name, got "${setting}"`)
  }
  const isDefault = url === defaultLocalModel.url
  return {
    modelPath: path.join(modelDirectory, fileName),
    download: {
      url,
      sha256: config.LOCAL_MODEL_SHA256 ?? (isDefault ? defaultLocalModel.sha256 : undefined),
      sizeBytes: isDefault ? defaultLocalModel.sizeBytes : undefined,
      name: fileName,
    },
  }
}

/** `https://…` stays; `hf:owner/repo/path/file.gguf[#revision]` becomes its download URL; a file path gives undefined. */
export function modelUriToUrl(value: string): string | undefined {
  if (/^https?:\/\//i.test(value)) return value
  if (!value.startsWith('hf:')) return undefined
  const match = /^hf:([\w.-]+)\/([\w.-]+)\/(.+?)(?:#([\w.\/-]+))?$/.exec(value)
  if (!match) {
    throw new BotError('config_invalid', `LOCAL_MODEL: expected hf:owner/repo/file.gguf (optionally #revision), got "${value}"`)
  }
  const [, owner, repo, file, revision] = match
  const encodedFile = file!.split('/').map(encodeURIComponent).join('/')
  return `https://huggingface.co/${owner}/${repo}/resolve/${encodeURIComponent(revision ?? 'main')}/${encodedFile}`
}

/**
 * Threads for inference. 0 means "choose": half the logical cores, at least one, because llama.cpp's own default
 * (4 or more) on a 2-core machine was measured about 1,000 times slower than one thread.
 */
export function resolveLocalThreads(configured: number, logicalCores = availableParallelism()): number {
  if (configured > 0) return configured
  return Math.max(1, Math.floor(logicalCores / 2))
}

/** The operator-facing text when the model file is missing: the path and the two ways forward. */
export function missingModelMessage(modelPath: string): string {
  return (
    `No embedded model file at ${modelPath}. Either run \`npm run model:pull\` to download it (once; it is verified ` +
    'and resumable), or set LLM_API_KEY (and LLM_BASE_URL for a server other than OpenAI) to use a hosted model.'
  )
}
