// Which prompt tokens the embedded model may keep evaluated after a request: only the start of the rendered prompt
// that comes from a system message declared free of member data (`sharedPrefix`), never a token past it. Also ranks the
// free sequences so a request lands where its start is already evaluated, and a plain request does not evict it.
import type { ChatWrapper, Token, Tokenizer } from 'node-llama-cpp'
import type { ChatMessage } from './language-model.js'
import { toChatHistory } from './local-chat-history.js'

/** Tokens rendered the same whether or not anything follows messages[0] (plus the fixed `extraSystem` text). */
export function sharedPrefixTokens(chatWrapper: ChatWrapper, tokenizer: Tokenizer, promptTokens: readonly Token[], messages: readonly ChatMessage[], extraSystem: string | undefined): Token[] {
  const first = messages[0]
  if (first?.role !== 'system') return []
  const alone = chatWrapper.generateContextState({ chatHistory: toChatHistory([first], extraSystem) }).contextText.tokenize(tokenizer)
  // The common start of the two renderings: a token the template or the tokenizer merges with what follows (a
  // separator, the next turn's header) differs between them and is not kept.
  return alone.slice(0, commonPrefixLength(alone, promptTokens))
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const end = Math.min(a.length, b.length)
  let index = 0
  while (index < end && a[index] === b[index]) index++
  return index
}

/**
 * How well a sequence holding `held` suits a request whose reusable start is `wanted` (empty for a plain request): the
 * longest reuse that evicts nothing first (an empty sequence scores 0), else the least recently used (`lastUsed`, a
 * counter), so a neighbouring stage's prefix that shares a start with this one is not the one given up.
 */
export function sequenceRank(held: readonly Token[], wanted: readonly Token[], lastUsed: number): number {
  const reused = commonPrefixLength(held, wanted)
  return reused === held.length ? reused : -1 - lastUsed
}
