// Where the embedded model comes from and how many threads it gets, from settings alone (nothing is loaded here).
import { describe, expect, it } from 'vitest'
import { isBotError } from '../src/bot-error.js'
import { parseConfig } from '../src/config.js'
import { defaultLocalModel, missingModelMessage, modelUriToUrl, resolveLocalModelSource, resolveLocalThreads } from '../src/llm/local-model-source.js'
import { shouldUseLocalModel } from '../src/llm/model-pull.js'

describe('resolveLocalModelSource', () => {
  it('defaults to the pinned default model under models/, with its checksum', () => {
    const source = resolveLocalModelSource(parseConfig({}))
    expect(source.modelPath).toBe(`models/${defaultLocalModel.fileName}`)
    expect(source.download).toMatchObject({ url: defaultLocalModel.url, sha256: defaultLocalModel.sha256, sizeBytes: defaultLocalModel.sizeBytes })
  })

  it('an hf: URI becomes its download URL, with LOCAL_MODEL_SHA256 as the checksum', () => {
    const sha = 'a'.repeat(64)
    const source = resolveLocalModelSource(parseConfig({ LOCAL_MODEL: 'hf:someone/Some-Model-GGUF/some-model-q4_k_m.gguf#abc123', LOCAL_MODEL_SHA256: sha }))
    expect(source.modelPath).toBe('models/some-model-q4_k_m.gguf')
    expect(source.download).toMatchObject({ url: 'https://huggingface.co/someone/Some-Model-GGUF/resolve/abc123/some-model-q4_k_m.gguf', sha256: sha })
    expect(modelUriToUrl('hf:someone/repo/dir/file.gguf')).toBe('https://huggingface.co/someone/repo/resolve/main/dir/file.gguf')
  })

  it('a file path is used as it is and has nothing to download', () => {
    expect(resolveLocalModelSource(parseConfig({ LOCAL_MODEL: '../models/mine.gguf' }))).toEqual({ modelPath: '../models/mine.gguf' })
  })

  it('a URL that does not name a .gguf file is a settings error naming LOCAL_MODEL', () => {
    let caught: unknown
    try {
      resolveLocalModelSource(parseConfig({ LOCAL_MODEL: 'https://example.invalid/download?id=3' }))
    } catch (error) {
      caught = error
    }
    expect(isBotError(caught, 'config_invalid')).toBe(true)
    expect((caught as Error).message).toMatch(/^LOCAL_MODEL:/)
  })

  it('a checksum that is not 64 hex digits is refused at startup', () => {
    expect(() => parseConfig({ LOCAL_MODEL_SHA256: 'abc' })).toThrow(/LOCAL_MODEL_SHA256: must be 64 hex digits/)
  })

  it('the missing-file message names the path and both ways forward', () => {
    const message = missingModelMessage('models/x.gguf')
    expect(message).toContain('models/x.gguf')
    expect(message).toContain('npm run model:pull')
    expect(message).toContain('LLM_API_KEY')
  })
})

describe('resolveLocalThreads', () => {
  it('uses the setting when given, otherwise half the cores and never fewer than one', () => {
    expect(resolveLocalThreads(3, 2)).toBe(3)
    expect(resolveLocalThreads(0, 2)).toBe(1)
    expect(resolveLocalThreads(0, 1)).toBe(1)
    expect(resolveLocalThreads(0, 8)).toBe(4)
  })
})

describe('shouldUseLocalModel', () => {
  it('uses the embedded model with no hosted model configured, and LLM_PROVIDER overrides', () => {
    expect(shouldUseLocalModel(parseConfig({}))).toBe(true)
    expect(shouldUseLocalModel(parseConfig({ LLM_API_KEY: 'sk-fake' }))).toBe(false)
    expect(shouldUseLocalModel(parseConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }))).toBe(false)
    expect(shouldUseLocalModel(parseConfig({ LLM_API_KEY: 'sk-fake', LLM_PROVIDER: 'local' }))).toBe(true)
    expect(shouldUseLocalModel(parseConfig({ LLM_PROVIDER: 'openai' }))).toBe(false)
  })
})
