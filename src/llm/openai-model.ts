// The hosted-model provider: any OpenAI-compatible chat-completions server through the openai SDK, with our own
// deadline, retries, structured output (json_schema, else JSON mode where the server says it lacks json_schema; zod
// and one repair either way) and usage accounting.
// It never reads the environment (settings come in as options) and never logs prompts or replies.
import OpenAI from 'openai'
import { BotError, withTokensUsed } from '../bot-error.js'
import { silentLogger, type Logger } from '../logger.js'
import type { CallContext, ChatMessage, GenerateObjectRequest, GenerateTextRequest, LanguageModel, ObjectResult, TextResult, TokenUsage } from './language-model.js'
import { requestCompletion, requestStreamedCompletion, type CompletionReply, type CompletionRequest } from './openai-chat-completion.js'
import { startDeadline, type Deadline } from './openai-deadline.js'
import { isJsonSchemaRejection } from './openai-errors.js'
import { createParameterSupport } from './openai-parameter-support.js'
import { callWithRetries, type RetryPolicy } from './openai-retries.js'
import { createStructuredModeTracker, type ReprobePolicy, type StructuredMode } from './openai-structured-mode.js'
import { jsonObjectFormat, parseObjectReply, schemaFormats, withRepairRequest, withSchemaInstructions, type ObjectOutcome } from './openai-structured-output.js'

export type OpenAiModelOptions = {
  /** Base URL ending in `/v1`; default OpenAI's. */
  baseUrl?: string
  /** Optional for local servers that need none. */
  apiKey?: string
  model: string
  /** Bound on a whole generateText / generateObject call: every request, retry wait and repair shares it. */
  timeoutMs: number
  /** Retries of one request after 429, 5xx or a dropped connection. */
  maxRetries: number
  logger?: Logger
  /** Longest retry-after we wait out (default 10 s); a longer one fails with `llm_rate_limited` + `retryAfterSeconds`. */
  maxRetryAfterMs?: number
  /** First backoff step when the server gives no retry-after (default 500 ms, doubling, at most 8 s). */
  retryBaseDelayMs?: number
  /** Stream text replies over SSE (default true), so the deadline also covers a reply that stalls mid-way. */
  streamText?: boolean
  /** Sees the usage of every request, including those of calls that end in an error (repairs, fallbacks). */
  onUsage?: (usage: TokenUsage, context: CallContext) => void
  /** After the server said it lacks json_schema: when to try it again (default every 100 calls or 15 minutes). */
  reprobeJsonSchema?: Partial<ReprobePolicy>
  /** Time source for the re-probe (tests). */
  clock?: () => number
}

export type OpenAiLanguageModel = LanguageModel & {
  /** `json_object` after this server answered that it does not support json_schema, until a probe says it does. */
  readonly structuredOutputMode: StructuredMode
}

type Mode = StructuredMode

export function createOpenAiModel(options: OpenAiModelOptions): OpenAiLanguageModel {
  const baseURL = options.baseUrl ?? 'https://api.openai.com/v1'
  const logger = options.logger ?? silentLogger
  // Every credential is passed explicitly so the SDK never falls back to reading the environment itself.
  const client = new OpenAI({
    baseURL,
    apiKey: options.apiKey || 'no-key-needed',
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: options.timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
  })
  const host = new URL(baseURL).host
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries,
    baseDelayMs: options.retryBaseDelayMs ?? 500,
    maxDelayMs: 8_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
  }
  const structuredMode = createStructuredModeTracker({ logger, model: options.model, host, reprobe: options.reprobeJsonSchema, clock: options.clock })
  const parameters = createParameterSupport(logger, options.model)
  const warnedSchemas = new Set<string>()

  async function send(deadline: Deadline, request: CompletionRequest, context: CallContext, stream: boolean): Promise<CompletionReply> {
    let reply: CompletionReply | undefined
    // At most one adaptation per parameter, then the error stands.
    for (let attempt = 0; !reply; attempt += 1) {
      const adapted = parameters.apply(request)
      try {
        reply = await callWithRetries(
          (signal) => (stream ? requestStreamedCompletion(client, adapted, signal) : requestCompletion(client, adapted, signal)),
          { deadline, policy, timeoutMs: options.timeoutMs, host, logger },
        )
      } catch (error) {
        if (attempt >= 3 || !parameters.learnFrom(error)) throw error
      }
    }
    options.onUsage?.(reply.usage, context)
    logger.debug('llm_call', { model: reply.model, purpose: context.purpose, ...reply.usage, usageEstimated: reply.usageEstimated })
    return reply
  }

  async function withDeadline<T>(signal: AbortSignal | undefined, run: (deadline: Deadline) => Promise<T>): Promise<T> {
    const deadline = startDeadline(options.timeoutMs, signal)
    try {
      return await run(deadline)
    } finally {
      deadline.dispose()
    }
  }

  return {
    name: `openai:${options.model}`,
    get structuredOutputMode() {
      return structuredMode.mode
    },

    generateText(request: GenerateTextRequest): Promise<TextResult> {
      return withDeadline(request.signal, async (deadline) => {
        const reply = await send(deadline, completionRequest(options.model, request, request.messages), request.context, options.streamText ?? true)
        if (reply.refusal) throw withTokensUsed(refusedError('a text reply'), reply.usage)
        return { text: reply.content ?? '', usage: reply.usage, model: reply.model }
      })
    },

    generateObject<T>(request: GenerateObjectRequest<T>): Promise<ObjectResult<T>> {
      return withDeadline(request.signal, async (deadline) => {
        const formats = schemaFormats(request.schema, request.schemaName)
        if (formats.notStrictBecause && !warnedSchemas.has(request.schemaName)) {
          warnedSchemas.add(request.schemaName)
          logger.warn('llm_schema_not_strict', { schemaName: request.schemaName, reason: formats.notStrictBecause })
        }
        let usage: TokenUsage = { promptTokens: 0, completionTokens: 0 }
        const ask = async (messages: ChatMessage[], askMode: Mode) => {
          const responseFormat = askMode === 'json_schema' ? formats.jsonSchema : jsonObjectFormat
          const reply = await send(deadline, { ...completionRequest(options.model, request, messages), responseFormat }, request.context, false)
          usage = { promptTokens: usage.promptTokens + reply.usage.promptTokens, completionTokens: usage.completionTokens + reply.usage.completionTokens }
          return reply
        }

        // A garbled or refused reply, or a repair that timed out, still used tokens: the budget must see them.
        const structured = async (): Promise<ObjectResult<T>> => {
          let askMode = structuredMode.next()
          let messages = askMode === 'json_schema' ? request.messages : withSchemaInstructions(request.messages, formats.schemaText)
          let reply: CompletionReply
          try {
            reply = await ask(messages, askMode)
            if (askMode === 'json_schema') structuredMode.accepted()
          } catch (error) {
            // Only the server's own "json_schema is not supported" changes the mode; any other error is this call's.
            if (askMode !== 'json_schema' || !(error instanceof BotError) || !isJsonSchemaRejection(error.cause)) throw error
            structuredMode.rejected()
            askMode = 'json_object'
            messages = withSchemaInstructions(request.messages, formats.schemaText)
            reply = await ask(messages, askMode)
          }

          const first = parseObjectReply(reply, request.schema)
          if (first.kind === 'valid') return { object: first.object, usage, model: reply.model }
          if (first.kind === 'refused') throw refusedError(request.schemaName)
          // A garbled reply says nothing about the server's json_schema support (models slip, proxies cut): it gets
          // one repair in the same mode, then fails this call alone.
          logger.info('llm_output_repair', { schemaName: request.schemaName, problem: first.kind, mode: askMode })
          const schemaText = askMode === 'json_schema' ? formats.schemaText : undefined
          const repaired = await ask(withRepairRequest(messages, reply.content ?? '', first.problem, schemaText), askMode)
          const second: ObjectOutcome<T> = parseObjectReply(repaired, request.schema)
          if (second.kind === 'valid') return { object: second.object, usage, model: repaired.model }
          if (second.kind === 'refused') throw refusedError(request.schemaName)
          throw new BotError('llm_output_invalid', `the model's reply did not match the ${request.schemaName} schema after one repair attempt`, {
            cause: second.cause,
            userMessage:
              'The language model answered twice in a form the bot cannot use. Try again; if it keeps happening, an operator may need a more capable model (LLM_MODEL).',
          })
        }
        return structured().catch((error: unknown) => {
          throw withTokensUsed(error, usage)
        })
      })
    },
  }
}

function completionRequest(model: string, request: GenerateTextRequest, messages: ChatMessage[]): CompletionRequest {
  return { model, messages, maxTokens: request.maxTokens, temperature: request.temperature, seed: request.seed }
}

function refusedError(what: string): BotError {
  return new BotError('llm_output_invalid', `the model refused to produce ${what}`, {
    isRetryable: false,
    userMessage: 'The language model declined this request. Try rephrasing it.',
  })
}
