// A vitest reporter that ends the run with what was skipped and why: each skip reason (from the test's meta, or
// vitest's own note) with the tests it skipped, so a fresh clone's `npm test` never skips anything silently.
import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

type Skipped = { file: string; name: string }

const noReason = 'skipped in the test file, without a reason given'

export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, Skipped[]>()
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result()
        if (result.state !== 'skipped') continue
        const reason = test.meta().skipReason ?? result.note ?? noReason
        if (!byReason.has(reason)) byReason.set(reason, [])
        byReason.get(reason)!.push({ file: relative(process.cwd(), module.moduleId), name: test.fullName })
      }
    }
    const total = [...byReason.values()].reduce((sum, tests) => sum + tests.length, 0)
    if (total === 0) return
    const lines = ['', `⚠ Skipped ${total} test${total === 1 ? '' : 's'}:`]
    for (const [reason, tests] of byReason) {
      lines.push(`  ${tests.length} because ${reason}`)
      for (const test of tests) lines.push(`      ${test.file} › ${test.name}`)
    }
    process.stdout.write(`${lines.join('\n')}\n\n`)
  }
}
