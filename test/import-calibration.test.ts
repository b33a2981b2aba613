// Style-match calibration around an import of the project's Slack export fixture: members are calibrated against
// the population as it is when calibration runs (the whole export, not the first messages of it), and a learning
// run that fails never leaves a member without a calibration.
import { readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { MemberRef } from '../src/core/types.js'
import { fakeReply } from '../testing/fakes/fake-openai-server.js'
import { runConsoleScript } from '../testing/support/console-script.js'
import { schemaName, scriptedHandler } from '../testing/support/scripted-model.js'
import { copySlackExport, fixtureMembers, slackExportFixture } from '../testing/support/slack-export-fixture.js'
import { createTestCore, type TestCore } from '../testing/support/test-core.js'

const cores: TestCore[] = []
afterEach(async () => {
  for (const each of cores.splice(0)) await each.close()
})

const consoleMember = (userId: string): MemberRef => ({ platform: 'console', workspaceId: 'local', userId })
const learners = [fixtureMembers.maya, fixtureMembers.tom, fixtureMembers.priya]
const memo = 'Dear colleagues, I am writing to formally request the quarterly budget report.'
const probes = [memo, 'yeah ok looking now', 'omg the new build is SO much faster!! great work everyone 🚀', 'Thank you. That resolves my question.']

async function started(options: Parameters<typeof createTestCore>[0] = {}) {
  const test = await createTestCore(options)
  cores.push(test)
  return test
}

async function scores(test: TestCore) {
  const result: Record<string, (number | undefined)[]> = {}
  for (const userId of learners) {
    const actor = { member: consoleMember(userId), isPlatformAdmin: false }
    result[userId] = await Promise.all(probes.map(async (text) => (await test.core.scoreStyle(actor, text)).styleMatch))
  }
  return result
}

/** Calibrated after the whole export is in, one member at a time: what every member's score should be. */
async function reference() {
  const test = await started()
  await runConsoleScript(test.core, [`import ${slackExportFixture}`, 'quit'])
  for (const userId of learners) await test.core.learn({ member: consoleMember(userId), isPlatformAdmin: false }, consoleMember(userId))
  return scores(test)
}

describe('calibration around an import', () => {
  it('calibrates every member against the whole imported population, even when learning starts during the import', async () => {
    // Members become due after five messages, so background learning would start early in the import.
    const test = await started({ backgroundLearning: true, settings: { LEARN_MIN_NEW_MESSAGES: '5', LEARN_MIN_INTERVAL_MINUTES: '60' } })
    await runConsoleScript(test.core, [`import ${slackExportFixture}`, 'quit'])
    await test.lifecycle.idle()
    const afterImport = await scores(test)
    expect(afterImport).toEqual(await reference())
    // A formal memo does not sound like the casual members.
    expect(afterImport[fixtureMembers.maya]![0]).toBeLessThan(0.5)
    expect(afterImport[fixtureMembers.priya]![0]).toBeLessThan(0.5)
  })

  it('keeps a calibration, computed against the population as it is, when a learning run fails', async () => {
    const failing = scriptedHandler({})
    const test = await started({ server: { handler: (request) => (schemaName(request) === 'member_hypotheses' ? fakeReply.status(500) : failing(request)) } })
    // First the export's first day, and a learning run (it fails at the model, after calibrating).
    const firstDay = copySlackExport()
    for (const folder of ['general', 'engineering', 'leads']) {
      for (const day of readdirSync(join(firstDay, folder))) if (day !== '2026-01-14.json') rmSync(join(firstDay, folder, day))
    }
    await runConsoleScript(test.core, [`import ${firstDay}`, 'quit'])
    const maya = { member: consoleMember(fixtureMembers.maya), isPlatformAdmin: false }
    await expect(test.core.learn(maya, maya.member)).rejects.toMatchObject({ code: 'llm_failed' })
    // Then the whole export (the first day is already in), and another run that fails.
    await runConsoleScript(test.core, [`import ${slackExportFixture}`, 'quit'])
    await expect(test.core.learn(maya, maya.member)).rejects.toMatchObject({ code: 'llm_failed' })
    const after = await scores(test)
    expect(after[fixtureMembers.maya]!.every((score) => score !== undefined)).toBe(true)
    expect(after).toEqual(await reference())
    rmSync(dirname(firstDay), { recursive: true, force: true })
  })
})
