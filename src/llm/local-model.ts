// The embedded model: one GGUF file loaded once through node-llama-cpp (imported lazily, only here), shared by every
// request through a fixed set of context sequences. After each request a sequence keeps at most the evaluated start of
// a `sharedPrefix` system message (no member data: the safety prompt), so the next check with it evaluates only what
// follows; everything else is erased. It never downloads or builds anything, and never logs prompt text.
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { BotError, isBotError, withTokensUsed } from '../bot-error.js'
import { silentLogger, type Logger } from '../logger.js'
import type { GenerateObjectRequest, GenerateTextRequest, LanguageModel, ObjectResult, TextResult, TokenUsage } from './language-model.js'
import { toChatHistory, withSchemaInstruction } from './local-chat-history.js'
import { grammarSchemaFor } from './local-grammar-schema.js'
import { missingModelMessage } from './local-model-source.js'
import { abortedError, createSequencePool } from './local-sequence-pool.js'
import { commonPrefixLength, sequenceRank, sharedPrefixTokens } from './local-shared-prefix.js'

type NodeLlamaCpp = typeof import('node-llama-cpp')
type Llama = import('node-llama-cpp').Llama
type LlamaModel = import('node-llama-cpp').LlamaModel
type LlamaContextSequence = import('node-llama-cpp').LlamaContextSequence
type LlamaGrammar = import('node-llama-cpp').LlamaGrammar
type Token = import('node-llama-cpp').Token

export type LocalModelOptions = {
  modelPath: string
  /** Threads for inference; set explicitly (see resolveLocalThreads): the library's default was ~1,000x slower on 2 cores. */
  threads: number
  /** Tokens per sequence: prompt plus answer must fit. */
  contextSize: number
  /** Requests evaluated at once; the rest wait in line. */
  maxSequences: number
  logger?: Logger
  /** Requests allowed to wait for a sequence before new ones are turned away as busy. */
  maxWaiting?: number
  /** Use a GPU build when one is installed and works; off by default (CPU servers are the target). */
  gpu?: 'auto' | false
  /**
   * Keep a `sharedPrefix` request's system message evaluated for the next request (default true). False clears every
   * sequence after every request, the design before warm prefixes, kept as the benchmark's baseline.
   */
  reuseSharedPrefix?: boolean
}

/** The embedded model, plus what llama.cpp holds and has evaluated, for the benchmark and the privacy tests. */
export type LocalModel = LanguageModel & {
  /** Tokens llama.cpp has evaluated (prompt) and generated since loading, over all sequences: its token meters. */
  evaluatedTokens(): { input: number; output: number }
  /** A copy of the tokens each context sequence holds now. */
  heldTokens(): Token[][]
  tokenize(text: string): Token[]
}

/** Defaults when a request leaves them open: JSON is decided greedily, free text with a little variety. */
const defaultObjectTemperature = 0
const defaultTextTemperature = 0.7
const defaultObjectMaxTokens = 1024
const defaultTextMaxTokens = 512
/** A prompt that leaves fewer tokens than this for the answer is refused up front. */
const minimumAnswerRoom = 64

export async function createLocalModel(options: LocalModelOptions): Promise<LocalModel> {
  const logger = options.logger ?? silentLogger
  for (const [name, value] of [['threads', options.threads], ['contextSize', options.contextSize], ['maxSequences', options.maxSequences]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${value}`)
  }
  await assertModelFile(options.modelPath)
  const library = await importNodeLlamaCpp()
  const started = performance.now()
  let llama: Llama
  try {
    llama = await library.getLlama({
      gpu: options.gpu ?? false,
      // Prebuilt binaries only: never download or compile llama.cpp on a server.
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      maxThreads: options.threads,
      logLevel: library.LlamaLogLevel.warn,
      logger: (level, message) => logger.debug('local_model.llama_log', { llamaLevel: level, message: message.trim().slice(0, 300) }),
    })
  } catch (error) {
    throw new BotError(
      'llm_not_configured',
      `No usable llama.cpp binary for this machine (${process.platform}-${process.arch}). Reinstall with \`npm ci\`, ` +
        'or for a CPU-only install run `npm run install:slim`; or set LLM_API_KEY to use a hosted model.',
      { cause: error, isRetryable: false },
    )
  }
  let model: LlamaModel
  try {
    model = await llama.loadModel({ modelPath: path.resolve(options.modelPath), gpuLayers: options.gpu === 'auto' ? 'auto' : 0 })
  } catch (error) {
    await llama.dispose().catch(() => {})
    throw new BotError('llm_not_configured', `The model file ${options.modelPath} could not be loaded (is it a complete GGUF file?). ` +
      'Delete it and run `npm run model:pull` again, or set LLM_API_KEY to use a hosted model.', { cause: error, isRetryable: false })
  }
  const context = await model
    .createContext({ contextSize: options.contextSize, sequences: options.maxSequences, threads: options.threads })
    .catch(async (error: unknown) => {
      await model.dispose().catch(() => {})
      await llama.dispose().catch(() => {})
      throw new BotError('llm_failed', `Could not create a context of ${options.contextSize} tokens for the local model (LOCAL_CONTEXT_SIZE).`, {
        cause: error,
        isRetryable: false,
      })
    })
  const sequences: LlamaContextSequence[] = Array.from({ length: options.maxSequences }, () => context.getSequence())
  const pool = createSequencePool(sequences, { maxWaiting: options.maxWaiting ?? 64 })
  const chatWrapper = library.resolveChatWrapper(model)
  const reuseSharedPrefix = options.reuseSharedPrefix ?? true
  // When each sequence was last handed out, so the warm prefix given up for a new one is the least recently used.
  const lastUsed = new Map<LlamaContextSequence, number>()
  let handedOut = 0
  const name = `local:${path.basename(options.modelPath)}`
  logger.info('local_model.loaded', { model: name, threads: options.threads, contextSize: context.contextSize, sequences: options.maxSequences, loadMs: Math.round(performance.now() - started) })

  // Compiling a grammar costs milliseconds per call; the same few schemas come back all the time.
  const grammars = new Map<string, Promise<LlamaGrammar>>()
  function grammarFor<T>(request: GenerateObjectRequest<T>): { grammar: Promise<LlamaGrammar>; jsonSchema: object } {
    const jsonSchema = grammarSchemaFor(request.schema, request.schemaName)
    const key = JSON.stringify(jsonSchema)
    let grammar = grammars.get(key)
    if (!grammar) {
      grammar = llama.createGrammarForJsonSchema(jsonSchema as never) as Promise<LlamaGrammar>
      grammars.set(key, grammar)
      grammar.catch(() => grammars.delete(key))
    }
    return { grammar, jsonSchema }
  }

  let closed = false
  async function run(request: GenerateTextRequest, system: string | undefined, grammar: LlamaGrammar | undefined, defaults: { temperature: number; maxTokens: number }) {
    if (closed) throw new BotError('llm_failed', 'The local model was closed.', { isRetryable: false })
    const history = toChatHistory(request.messages, system)
    const prompt = chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer)
    // What this request may leave evaluated; nothing for a plain request (or in the baseline design).
    const keep = reuseSharedPrefix && request.sharedPrefix ? sharedPrefixTokens(chatWrapper, model.tokenizer, prompt, request.messages, system) : []
    const sequence = await pool.acquire(request.signal, (candidate) => sequenceRank(candidate.contextTokens, keep, lastUsed.get(candidate) ?? 0))
    lastUsed.set(sequence, ++handedOut)
    try {
      // The library reuses the sequence's tokens that match the prompt's start and erases the rest before evaluating.
      const chat = new library.LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false })
      try {
        const promptTokens = prompt.length
        const room = sequence.contextSize - promptTokens
        if (room < minimumAnswerRoom) {
          throw new BotError('input_too_large', `The prompt (${promptTokens} tokens) leaves no room for an answer in the local model's context of ${sequence.contextSize} tokens (LOCAL_CONTEXT_SIZE).`, {
            isRetryable: false,
            userMessage: 'That request is too long for the local model. Shorten it, or ask an admin to raise LOCAL_CONTEXT_SIZE.',
          })
        }
        // Capped to the room left, so the library never shifts (silently drops) the start of the prompt to go on.
        const maxTokens = Math.min(request.maxTokens ?? defaults.maxTokens, room)
        const before = sequence.tokenMeter.getState()
        const temperature = request.temperature ?? defaults.temperature
        const response = await chat.generateResponse(history, {
          maxTokens,
          temperature,
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          ...(grammar ? { grammar } : {}),
          signal: request.signal,
        })
        const used = sequence.tokenMeter.diff(before)
        const usage: TokenUsage = { promptTokens: used.usedInputTokens, completionTokens: used.usedOutputTokens }
        return { text: response.response, stopReason: response.metadata.stopReason, usage }
      } finally {
        chat.dispose()
      }
    } catch (error) {
      if (isBotError(error)) throw error
      if (request.signal?.aborted) throw abortedError(request.signal)
      throw new BotError('llm_failed', `The local model failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    } finally {
      // No member's text stays in a sequence another request will use: only tokens of `keep` survive, whatever happened.
      await eraseAfter(sequence, commonPrefixLength(sequence.contextTokens, keep))
        // A partial erase that failed falls back to erasing everything, as before warm prefixes.
        .catch(() => sequence.clearHistory())
        .catch((error: unknown) => logger.warn('local_model.clear_failed', { error }))
      pool.release(sequence)
    }
  }

  async function eraseAfter(sequence: LlamaContextSequence, kept: number) {
    if (kept === 0) await sequence.clearHistory()
    else await sequence.eraseContextTokenRanges([{ start: kept, end: sequence.nextTokenIndex }])
  }

  return {
    name,
    evaluatedTokens() {
      const states = sequences.map((sequence) => sequence.tokenMeter.getState())
      return { input: states.reduce((sum, state) => sum + state.usedInputTokens, 0), output: states.reduce((sum, state) => sum + state.usedOutputTokens, 0) }
    },
    heldTokens: () => sequences.map((sequence) => [...sequence.contextTokens]),
    tokenize: (text) => model.tokenize(text),
    async generateText(request: GenerateTextRequest): Promise<TextResult> {
      const result = await run(request, undefined, undefined, { temperature: defaultTextTemperature, maxTokens: defaultTextMaxTokens })
      if (result.stopReason === 'abort' && request.signal?.aborted) throw abortedError(request.signal)
      return { text: result.text.trim(), usage: result.usage, model: name }
    },
    async generateObject<T>(request: GenerateObjectRequest<T>): Promise<ObjectResult<T>> {
      const { grammar, jsonSchema } = grammarFor(request)
      const system = withSchemaInstruction(jsonSchema)
      const result = await run(request, system, await grammar, { temperature: defaultObjectTemperature, maxTokens: defaultObjectMaxTokens })
      if (result.stopReason === 'abort' && request.signal?.aborted) throw abortedError(request.signal)
      const object = parseOutput(result.text, request, result.stopReason, result.usage)
      logger.debug('local_model.object', { schema: request.schemaName, purpose: request.context.purpose, ...result.usage })
      return { object, usage: result.usage, model: name }
    },
    async close() {
      if (closed) return
      closed = true
      pool.close()
      await context.dispose()
      await model.dispose()
      await llama.dispose()
    },
  }
}

function parseOutput<T>(text: string, request: GenerateObjectRequest<T>, stopReason: string, usage: TokenUsage): T {
  const why = stopReason === 'maxTokens' ? `it stopped at the ${usage.completionTokens}-token limit before the JSON was complete` : undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw withTokensUsed(invalidOutput(request.schemaName, why ?? 'it was not valid JSON', error), usage)
  }
  const parsed = request.schema.safeParse(value)
  if (!parsed.success) {
    // Only paths and zod's codes: the values may quote member text.
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    throw withTokensUsed(invalidOutput(request.schemaName, why ?? `it did not match the schema (${issues.join('; ')})`, parsed.error), usage)
  }
  return parsed.data
}

function invalidOutput(schemaName: string, why: string, cause: unknown): BotError {
  return new BotError('llm_output_invalid', `The local model's answer for "${schemaName}" was unusable: ${why}.`, {
    cause,
    userMessage: 'The model gave an answer the bot could not use, so nothing is shown. Try again.',
  })
}

async function assertModelFile(modelPath: string) {
  const found = await stat(modelPath).catch(() => undefined)
  if (!found?.isFile()) {
    throw new BotError('llm_not_configured', missingModelMessage(modelPath), {
      isRetryable: false,
      userMessage:
        'This needs a language model, and none is set up yet. An admin can run `npm run model:pull` on the server, ' +
        'or set LLM_API_KEY to use a hosted model.',
    })
  }
}

/** The package is optional at run time: without it the bot still starts and uses a hosted model when one is set. */
export async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp')
  } catch (error) {
    throw new BotError(
      'llm_not_configured',
      'The embedded model needs the node-llama-cpp package, which is not installed. Run `npm ci` (or `npm run install:slim` ' +
        'for a CPU-only install), or set LLM_API_KEY to use a hosted model.',
      { cause: error, isRetryable: false },
    )
  }
}
