// Maps the bot's chat messages onto node-llama-cpp's chat history (the model's own chat template does the rest), and
// words the instruction that tells a model which JSON to write. Never reorders or drops a message.
import type { ChatHistoryItem } from 'node-llama-cpp'
import type { ChatMessage } from './language-model.js'

/**
 * System messages are joined into one at the top (several templates accept only one), `extraSystem` is appended to it,
 * and an empty model turn is added for the answer.
 */
export function toChatHistory(messages: readonly ChatMessage[], extraSystem?: string): ChatHistoryItem[] {
  const systemParts = messages.filter((message) => message.role === 'system').map((message) => message.content)
  if (extraSystem) systemParts.push(extraSystem)
  const history: ChatHistoryItem[] = systemParts.length > 0 ? [{ type: 'system', text: systemParts.join('\n\n') }] : []
  for (const message of messages) {
    if (message.role === 'user') history.push({ type: 'user', text: message.content })
    else if (message.role === 'assistant') history.push({ type: 'model', response: [message.content] })
  }
  history.push({ type: 'model', response: [] })
  return history
}

/** The grammar fixes the syntax; this tells the model what the fields mean (names, enums, descriptions). */
export function withSchemaInstruction(jsonSchema: object): string {
  return `Answer with one JSON object, and nothing else, that matches this JSON schema:\n${JSON.stringify(jsonSchema)}`
}
