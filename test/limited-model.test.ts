// The concurrency limit: never more than N calls at once, FIFO within a workspace, workspaces taking turns, aborts
// honoured while queued; and end to end, the fake server never sees more than N requests in flight.
import { afterEach, describe, expect, it } from 'vitest'
import type { CallContext, GenerateTextRequest, LanguageModel, TextResult } from '../src/llm/language-model.js'
import { createLimitedModel } from '../src/llm/limited-model.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import { fakeReply, startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'

const usage = { promptTokens: 1, completionTokens: 1 }

/** An in-process model whose calls finish only when the test says so, in any order. */
function gatedModel() {
  const started: string[] = []
  const gates = new Map<string, () => void>()
  let running = 0
  let maxRunning = 0
  const model: LanguageModel = {
    name: 'gated',
    async generateText(request: GenerateTextRequest): Promise<TextResult> {
      const label = request.messages[0]!.content
      started.push(label)
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise<void>((resolve) => gates.set(label, resolve))
      running--
      return { text: label, usage, model: 'gated' }
    },
    async generateObject() {
      throw new Error('not used')
    },
  }
  return {
    model,
    started,
    maxRunning: () => maxRunning,
    async finish(label: string) {
      await expect.poll(() => gates.has(label)).toBe(true)
      gates.get(label)!()
      gates.delete(label)
    },
  }
}

function call(model: LanguageModel, label: string, workspaceId = 'T00FAKETEAM1', signal?: AbortSignal) {
  return model.generateText({ messages: [{ role: 'user', content: label }], context: { workspace: { platform: 'slack', workspaceId }, purpose: 'draft' }, signal })
}

describe('createLimitedModel', () => {
  it('limited model never runs more than N at once, in FIFO order', async () => {
    const gated = gatedModel()
    const limited = createLimitedModel(gated.model, 2)
    const calls = ['a', 'b', 'c', 'd', 'e'].map((label) => call(limited, label))

    await expect.poll(() => gated.started).toEqual(['a', 'b'])
    expect(limited.running).toBe(2)
    expect(limited.queueDepth).toBe(3)
    await gated.finish('b')
    await expect.poll(() => gated.started).toEqual(['a', 'b', 'c'])
    for (const label of ['a', 'c', 'd', 'e']) await gated.finish(label)

    expect((await Promise.all(calls)).map((result) => result.text)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(gated.maxRunning()).toBe(2)
    expect(limited.queueDepth).toBe(0)
    expect(limited.running).toBe(0)
  })

  it('honours abort while queued: the call rejects with the reason and never reaches the model', async () => {
    const gated = gatedModel()
    const limited = createLimitedModel(gated.model, 1)
    const controller = new AbortController()
    const first = call(limited, 'first')
    const queued = call(limited, 'queued', undefined, controller.signal)
    const last = call(limited, 'last')
    await expect.poll(() => limited.queueDepth).toBe(2)

    const reason = new Error('member left')
    controller.abort(reason)
    await expect(queued).rejects.toBe(reason)
    expect(limited.queueDepth).toBe(1)
    await gated.finish('first')
    await gated.finish('last')
    await Promise.all([first, last])
    expect(gated.started).toEqual(['first', 'last'])
  })

  it('rejects at once when the signal is already aborted', async () => {
    const gated = gatedModel()
    const limited = createLimitedModel(gated.model, 1)
    const controller = new AbortController()
    controller.abort(new Error('too late'))
    await expect(call(limited, 'never', undefined, controller.signal)).rejects.toThrow('too late')
    expect(gated.started).toEqual([])
  })

  it('a busy workspace cannot starve another: workspaces take turns', async () => {
    const gated = gatedModel()
    const limited = createLimitedModel(gated.model, 1)
    const busy = 'slack:T00FAKEBUSY'
    const calls = [call(limited, 'busy-0', busy), call(limited, 'busy-1', busy), call(limited, 'busy-2', busy), call(limited, 'busy-3', busy)]
    calls.push(call(limited, 'quiet-0', 'T00FAKEQUIET'))
    await expect.poll(() => limited.queueDepth).toBe(4)

    for (const label of ['busy-0', 'busy-1', 'quiet-0', 'busy-2', 'busy-3']) await gated.finish(label)
    await Promise.all(calls)
    expect(gated.started).toEqual(['busy-0', 'busy-1', 'quiet-0', 'busy-2', 'busy-3'])
  })

  it('rejects a limit below one', () => {
    expect(() => createLimitedModel(gatedModel().model, 0)).toThrow(RangeError)
  })
})

describe('limited hosted model against the fake server', () => {
  let server: FakeOpenAiServer | undefined
  afterEach(async () => {
    await server?.close()
  })

  it('the server never sees more than N requests in flight', async () => {
    let inFlight = 0
    let maxInFlight = 0
    server = await startFakeOpenAiServer({
      handler: async () => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 20))
        // The next request can only arrive after this reply reached the client and freed its slot.
        inFlight--
        return fakeReply.text('ok')
      },
    })
    const hosted = createOpenAiModel({ baseUrl: server.url, model: 'fake-model', timeoutMs: 5_000, maxRetries: 0 })
    const limited = createLimitedModel(hosted, 2)
    const context: CallContext = { workspace: { platform: 'discord', workspaceId: 'T00FAKETEAM1' }, purpose: 'answer' }

    const results = await Promise.all(Array.from({ length: 6 }, () => limited.generateText({ messages: [{ role: 'user', content: 'hi' }], context })))
    expect(results.map((result) => result.text)).toEqual(Array(6).fill('ok'))
    expect(server.chatRequests()).toHaveLength(6)
    expect(maxInFlight).toBe(2)
  })
})
