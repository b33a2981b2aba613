// Bounds how many calls run at once against a model (LLM_MAX_CONCURRENCY), in this process. Waiting calls queue
// FIFO per workspace and workspaces take turns, so one busy team cannot starve the others. No budgets here.
import type { WorkspaceRef } from '../core/identity/member-ref.js'
import type { GenerateObjectRequest, GenerateTextRequest, LanguageModel } from './language-model.js'

export type LimitedLanguageModel = LanguageModel & {
  /** Calls waiting for a slot (for metrics). */
  readonly queueDepth: number
  /** Calls running now, never more than maxConcurrency. */
  readonly running: number
}

type Waiter = { start: () => void }

/** One queue per workspace; the two ids cannot run into each other (JSON keeps them apart). */
const turnKey = (workspace: WorkspaceRef) => JSON.stringify([workspace.platform, workspace.workspaceId])

export function createLimitedModel(model: LanguageModel, maxConcurrency: number): LimitedLanguageModel {
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new RangeError(`maxConcurrency must be a whole number >= 1, got ${maxConcurrency}`)
  let running = 0
  let queueDepth = 0
  // Map iteration order is insertion order: the first key is the workspace whose turn it is.
  const queues = new Map<string, Waiter[]>()

  function acquire(workspaceKey: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (running < maxConcurrency && queueDepth === 0) {
      running++
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const queue = queues.get(workspaceKey) ?? []
        const index = queue.indexOf(waiter)
        if (index === -1) return
        queue.splice(index, 1)
        queueDepth--
        if (queue.length === 0) queues.delete(workspaceKey)
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        start() {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const queue = queues.get(workspaceKey)
      if (queue) queue.push(waiter)
      else queues.set(workspaceKey, [waiter])
      queueDepth++
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  function release() {
    running--
    while (running < maxConcurrency) {
      const turn = queues.entries().next()
      if (turn.done) return
      const [workspaceKey, queue] = turn.value
      const waiter = queue.shift()!
      queueDepth--
      // Served workspaces go to the back of the line.
      queues.delete(workspaceKey)
      if (queue.length > 0) queues.set(workspaceKey, queue)
      running++
      waiter.start()
    }
  }

  async function limited<R>(request: GenerateTextRequest, call: () => Promise<R>): Promise<R> {
    await acquire(turnKey(request.context.workspace), request.signal)
    try {
      return await call()
    } finally {
      release()
    }
  }

  return {
    name: model.name,
    get queueDepth() {
      return queueDepth
    },
    get running() {
      return running
    },
    generateText: (request: GenerateTextRequest) => limited(request, () => model.generateText(request)),
    generateObject: <T>(request: GenerateObjectRequest<T>) => limited(request, () => model.generateObject(request)),
    ...(model.close ? { close: () => model.close!() } : {}),
  }
}
