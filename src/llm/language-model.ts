// The one narrow interface every model provider implements (hosted OpenAI-compatible, embedded llama.cpp, fakes).
// Providers translate transport failures into BotError codes; they never decide policy or touch the store.
import type { z } from 'zod'
import type { MemberRef, WorkspaceRef } from '../core/identity/member-ref.js'

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string }

export type TokenUsage = { promptTokens: number; completionTokens: number }

/** Who a call is for, so usage can be accounted per workspace and member and budgets enforced. */
export type CallContext = {
  workspace: WorkspaceRef
  /** The member the call is on behalf of, when there is one. */
  member?: MemberRef
  purpose: 'learn' | 'draft' | 'answer' | 'safety' | 'repair' | 'eval'
}

export type GenerateTextRequest = {
  messages: ChatMessage[]
  context: CallContext
  maxTokens?: number
  temperature?: number
  seed?: number
  signal?: AbortSignal
  /** messages[0] is a system message with no member data, so it may stay evaluated in the embedded model. */
  sharedPrefix?: boolean
}

export type GenerateObjectRequest<T> = GenerateTextRequest & {
  schema: z.ZodType<T>
  /** A short identifier for the schema (letters, digits, underscores), sent as the JSON schema name. */
  schemaName: string
}

export type TextResult = { text: string; usage: TokenUsage; model: string }
export type ObjectResult<T> = { object: T; usage: TokenUsage; model: string }

export interface LanguageModel {
  /** Human-readable provider and model name, e.g. `openai:gpt-4o-mini` or `local:stories260K.gguf`. */
  readonly name: string
  generateText(request: GenerateTextRequest): Promise<TextResult>
  /** Returns an object that passed `schema`, or throws BotError `llm_output_invalid`. */
  generateObject<T>(request: GenerateObjectRequest<T>): Promise<ObjectResult<T>>
  close?(): Promise<void>
}
