// One chat-completion request through the openai SDK, plain or streamed (SSE), reduced to content + usage.
// Checks the reply's shape itself (local servers and proxies send odd bodies); no retries and no policy here.
import type OpenAI from 'openai'
import { z } from 'zod'
import type { ChatMessage, TokenUsage } from './language-model.js'
import { NotAChatCompletionError } from './openai-errors.js'

export type ResponseFormat = OpenAI.Chat.ChatCompletionCreateParams['response_format']

export type CompletionRequest = {
  model: string
  messages: ChatMessage[]
  maxTokens?: number
  temperature?: number
  seed?: number
  responseFormat?: ResponseFormat
  /** `max_completion_tokens` for servers that reject `max_tokens` (OpenAI's reasoning models). */
  tokenLimitParam?: 'max_tokens' | 'max_completion_tokens'
}

export type CompletionReply = {
  content: string | null
  refusal: string | null
  finishReason: string | null
  usage: TokenUsage
  /** True when the server sent no usage and `usage` is our estimate (see estimateTokens). */
  usageEstimated: boolean
  model: string
}

const usageShape = z.object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() })

const completionShape = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageShape.nullish(),
})

const chunkShape = z.object({
  model: z.string().optional(),
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() }))
    .optional(),
  usage: usageShape.nullish(),
})

export async function requestCompletion(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<CompletionReply> {
  const body: unknown = await client.chat.completions.create({ ...requestBody(request), stream: false }, { signal })
  const parsed = completionShape.safeParse(body)
  if (!parsed.success) throw new NotAChatCompletionError(typeof body === 'string' ? 'body is not JSON' : 'unexpected JSON shape')
  const choice = parsed.data.choices[0]!
  const content = choice.message.content ?? null
  return {
    content,
    refusal: choice.message.refusal ?? null,
    finishReason: choice.finish_reason ?? null,
    ...usageOrEstimate(parsed.data.usage, request.messages, content ?? ''),
    model: parsed.data.model ?? request.model,
  }
}

/** Streams the completion and assembles it; asks for usage in the final chunk (`stream_options.include_usage`). */
export async function requestStreamedCompletion(client: OpenAI, request: CompletionRequest, signal: AbortSignal): Promise<CompletionReply> {
  const stream = await client.chat.completions.create(
    { ...requestBody(request), stream: true, stream_options: { include_usage: true } },
    { signal },
  )
  let content = ''
  let refusal: string | null = null
  let finishReason: string | null = null
  let usage: z.infer<typeof usageShape> | null | undefined
  let model: string | undefined
  let chunks = 0
  for await (const rawChunk of stream) {
    const chunk = chunkShape.safeParse(rawChunk)
    if (!chunk.success) throw new NotAChatCompletionError('unexpected stream chunk shape')
    chunks++
    model ??= chunk.data.model
    usage = chunk.data.usage ?? usage
    const choice = chunk.data.choices?.[0]
    content += choice?.delta?.content ?? ''
    if (choice?.delta?.refusal) refusal = (refusal ?? '') + choice.delta.refusal
    finishReason = choice?.finish_reason ?? finishReason
  }
  // The SDK ends the iteration quietly when the signal aborts; partial text must not pass as a whole reply.
  if (signal.aborted) throw signal.reason
  // A server that ignores `stream: true` answers with one JSON body, which carries no SSE events at all.
  if (chunks === 0) throw new NotAChatCompletionError('the server sent no stream events')
  return { content, refusal, finishReason, ...usageOrEstimate(usage, request.messages, content), model: model ?? request.model }
}

/**
 * Token estimate for servers that report no usage: about four characters per token (OpenAI's rule of thumb for
 * English) plus four tokens of framing per chat message. Good enough for budgets, not for billing.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

export function estimatePromptTokens(messages: ChatMessage[]): number {
  return messages.reduce((total, message) => total + 4 + estimateTokens(message.content), 0)
}

function usageOrEstimate(usage: z.infer<typeof usageShape> | null | undefined, messages: ChatMessage[], completion: string) {
  if (usage) return { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }, usageEstimated: false }
  return { usage: { promptTokens: estimatePromptTokens(messages), completionTokens: estimateTokens(completion) }, usageEstimated: true }
}

function requestBody(request: CompletionRequest) {
  return {
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    ...(request.maxTokens === undefined ? {} : { [request.tokenLimitParam ?? 'max_tokens']: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.responseFormat === undefined ? {} : { response_format: request.responseFormat }),
  }
}
