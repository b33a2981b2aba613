// Test runner settings: the whole suite runs in separate forks so native modules (sqlite3, llama.cpp) stay isolated,
// and the run ends with a summary of what was skipped and why (testing/support/skip-summary-reporter.ts).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './testing/support/skip-summary-reporter.ts'],
  },
})
