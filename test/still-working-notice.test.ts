// The shared "still working" timer on its own: the notice goes out once for slow work and never for quick work, the
// result waits for a notice in flight (so the notice can never land over it), and a failed notice fails nothing.
import { describe, expect, it } from 'vitest'
import { withStillWorkingNotice } from '../adapters/still-working-notice.js'

describe('withStillWorkingNotice', () => {
  it('settles only after a notice in flight has gone out, so the final reply always comes after it', async () => {
    const order: string[] = []
    let noticeStarted!: () => void
    const started = new Promise<void>((resolve) => (noticeStarted = resolve))
    let finishNotice!: () => void
    const noticeHeld = new Promise<void>((resolve) => (finishNotice = resolve))
    const watched = withStillWorkingNotice(
      {
        afterMs: 0,
        show: async () => {
          noticeStarted()
          await noticeHeld
          order.push('notice')
        },
      },
      async () => {
        await started // the work finishes while the notice is still being sent
        order.push('work')
        return 'result'
      },
    ).then((value) => (order.push('settled'), value))

    await started
    await new Promise((resolve) => setImmediate(resolve))
    expect(order).toEqual(['work'])
    finishNotice()
    expect(await watched).toBe('result')
    expect(order).toEqual(['work', 'notice', 'settled'])
  })

  it('shows nothing for work that finishes first, and passes its error through', async () => {
    let shown = 0
    const notice = { afterMs: 60_000, show: async () => void (shown += 1) }
    expect(await withStillWorkingNotice(notice, async () => 42)).toBe(42)
    await expect(withStillWorkingNotice(notice, async () => Promise.reject(new Error('model failed')))).rejects.toThrow('model failed')
    expect(shown).toBe(0)
  })

  it('a notice that cannot be shown is reported and the work’s result still arrives', async () => {
    const failures: unknown[] = []
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const result = withStillWorkingNotice(
      {
        afterMs: 0,
        show: async () => {
          release()
          throw new Error('unknown webhook')
        },
        onShowFailed: (error) => failures.push(error),
      },
      async () => (await held, 'draft'),
    )
    expect(await result).toBe('draft')
    expect(failures).toHaveLength(1)
  })
})
