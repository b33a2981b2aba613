// A handler for the fake OpenAI-compatible server that answers like a model would for each of the core's calls,
// told apart by the schema name the core sends (safety verdicts, hypotheses) or its absence (drafts, answers).
import { fakeReply, type FakeOpenAiHandler, type FakeOpenAiRequest } from '../fakes/fake-openai-server.js'

/** A verdict as the model writes it: the analysis first (the audit log's), then the decision and the cited rules. */
export type Verdict = { analysis: string; decision: 'comply' | 'safe_complete' | 'refuse'; rule_ids: string[] }

export type Script = {
  verdict?: (request: FakeOpenAiRequest, stage: 'request' | 'output') => Verdict
  hypotheses?: (request: FakeOpenAiRequest) => unknown
  text?: (request: FakeOpenAiRequest) => string
}

export const comply: Verdict = { analysis: 'No rule applies: ordinary work talk.', decision: 'comply', rule_ids: [] }

export function schemaName(request: FakeOpenAiRequest): string | undefined {
  const format = request.body.response_format
  if (format?.json_schema?.name) return format.json_schema.name
  const system = request.body.messages[0]?.content ?? ''
  if (format?.type === 'json_object') return system.includes('safety check') ? 'safety_verdict' : 'member_hypotheses'
  return undefined
}

export function stageOf(request: FakeOpenAiRequest): 'request' | 'output' {
  // Any user message: a repair request follows the original one in the same conversation.
  return request.body.messages.some((message) => message.role === 'user' && message.content.startsWith('Stage: output')) ? 'output' : 'request'
}

export function scriptedHandler(script: Script): FakeOpenAiHandler {
  return (request) => {
    const name = schemaName(request)
    if (name === 'safety_verdict') return fakeReply.json(script.verdict?.(request, stageOf(request)) ?? comply)
    if (name === 'member_hypotheses') return fakeReply.json(script.hypotheses?.(request) ?? defaultHypotheses)
    return fakeReply.text(script.text?.(request) ?? 'sounds good, will do')
  }
}

export const defaultHypotheses = {
  hypotheses: [
    { id: null, category: 'writing_style', statement: 'Writes short lower-case messages without final punctuation.', evidence: ['m1', 'm2'], confidence: 0.8 },
    { id: null, category: 'communication_strategy', statement: 'Leads with the answer, then gives one reason.', evidence: ['m3'], confidence: 0.6 },
    { id: null, category: 'personality', statement: 'Comes across as relaxed and friendly.', evidence: ['m999'], confidence: 0.7 },
  ],
}

/** Which of the core's free-text calls a request is, told apart by the opening of its system prompt. */
export function textKindOf(request: FakeOpenAiRequest): 'draft' | 'intent' | 'contrast' | 'other' {
  const system = request.body.messages[0]?.content ?? ''
  if (system.startsWith('You ghost-write one chat message')) return 'draft'
  if (system.startsWith('You read one chat message a person wrote')) return 'intent'
  if (system.startsWith('You compare a draft written in a person')) return 'contrast'
  return 'other'
}

/** The chat requests of one kind, for asserting on the prompts that reached the model. */
export function requestsOf(requests: FakeOpenAiRequest[], kind: 'safety' | 'hypotheses' | 'text'): FakeOpenAiRequest[] {
  return requests.filter((request) => {
    const name = schemaName(request)
    return kind === 'safety' ? name === 'safety_verdict' : kind === 'hypotheses' ? name === 'member_hypotheses' : name === undefined
  })
}
