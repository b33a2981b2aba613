// The core's retry queue for platforms that never redeliver, on Redis behind a TCP proxy the test cuts: what waits
// past its age bound is dropped and counted; a message whose append step reached the store just before the outage is
// stored exactly once; platforms that redeliver (no queue) get store_unavailable; nothing waits on disk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/open-store.js'
import { startTcpProxy, type TcpProxy } from '../testing/support/tcp-proxy.js'
import { actorFor, adminMember, createTestCore, dumpStore, enableWorkspace, memberA, message, workspace, type TestCore } from '../testing/support/test-core.js'

// Its own Redis database, so no other test file's clear() races this one.
const redisUrl = new URL(loadConfig().TEST_REDIS_URL)
const directUrl = `redis://${redisUrl.host}/11`

let proxy: TcpProxy
let test: TestCore
let now: number
beforeEach(async () => {
  const cleaner = await openStore(directUrl)
  await cleaner.clear()
  await cleaner.close()
  proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
  now = Date.now()
  test = await createTestCore({
    storeUrl: `redis://127.0.0.1:${proxy.port}/11`,
    settings: { RETRY_QUEUE_MAX_MINUTES: '30' },
    clock: () => now,
    retryDelays: { firstMs: 600_000, maxMs: 600_000 },
  })
  await enableWorkspace(test.core)
  await test.core.setConsent(actorFor(memberA), memberA, true)
})
afterEach(async () => {
  await proxy.restore()
  await test.close()
  await proxy.close()
})

const counts = () => test.core.admin.counts(actorFor(adminMember, true), workspace)
const queued = { queueWhenStoreDown: true }

describe('the retry queue while the store is down', () => {
  it('drops and counts messages that waited longer than RETRY_QUEUE_MAX_MINUTES', async () => {
    await proxy.cut()
    expect(await test.core.observe(message(memberA, 'OLD-WAITING-1'), queued)).toEqual({ status: 'queued' })
    expect(await test.core.observe(message(memberA, 'OLD-WAITING-2'), queued)).toEqual({ status: 'queued' })
    now += 31 * 60_000
    await proxy.restore()
    expect(await test.lifecycle.retryWaitingMessages()).toEqual({ stored: 0, ignored: 0, dropped: 2, waiting: 0 })
    expect(await counts()).toMatchObject({ messages: 0, messagesWaitingForStore: 0, messagesDroppedWhileStoreDown: 2 })
    expect((await dumpStore(test.store)).join('\n')).not.toContain('OLD-WAITING')
  })

  it('a message whose append step reached the store just before it went down is stored exactly once', async () => {
    const claimed = message(memberA, 'CLAIMED-THEN-CUT the deploy is done')
    // The append step (one script: consent, claim, number, row) reaches Redis and runs there; its reply does not.
    const cut = proxy.cutAfterForwarding(`message-owner:v1:slack:${workspace.workspaceId}:${claimed.channelId}:${claimed.messageId}`)
    expect(await test.core.observe(claimed, queued)).toEqual({ status: 'queued' })
    await cut
    await proxy.restore()
    // The retry finds the message stored by the step whose answer was lost: a duplicate, not a second row.
    expect(await test.lifecycle.retryWaitingMessages()).toEqual({ stored: 0, ignored: 1, dropped: 0, waiting: 0 })
    expect((await test.core.profile(actorFor(memberA), memberA)).historySize).toBe(1)
    // Replayed once: a second delivery of the same message is still a duplicate.
    expect(await test.core.observe(claimed, queued)).toEqual({ status: 'ignored', reason: 'duplicate' })
  })

  it('without the queue (platforms that redeliver) the caller gets store_unavailable and nothing waits', async () => {
    await proxy.cut()
    await expect(test.core.observe(message(memberA, 'REDELIVERED-LATER'))).rejects.toMatchObject({ code: 'store_unavailable' })
    await proxy.restore()
    expect(await counts()).toMatchObject({ messagesWaitingForStore: 0, messagesDroppedWhileStoreDown: 0 })
    expect(await test.lifecycle.retryWaitingMessages()).toEqual({ stored: 0, ignored: 0, dropped: 0, waiting: 0 })
  })
})
