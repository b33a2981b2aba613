// Slack as a platform adapter: builds the Bolt app (create-slack-app.ts) on the core it is started with and serves
// it in Socket Mode or over HTTP. What it can do is in its capabilities; the handlers live beside create-slack-app.ts.
import type { BotCore } from '../../src/core/bot-core.js'
import type { PlatformAdapter } from '../../src/core/platform-adapter.js'
import { createSlackApp, type SlackApp, type SlackAppOptions } from './create-slack-app.js'

export type SlackAdapter = PlatformAdapter & {
  readonly mode: 'http' | 'socket'
  /** The bound HTTP port once started in HTTP mode (PORT=0 picks a free one). */
  readonly port: number | undefined
  /** Resolves when background work this process started (backfills) has finished. */
  idle(): Promise<void>
}

export function createSlackAdapter(options: Omit<SlackAppOptions, 'core'>): SlackAdapter {
  let app: SlackApp | undefined
  return {
    name: 'slack',
    capabilities: { learnsFromMessages: true, drafts: true, postsDrafts: true, answers: false, backfill: true, imports: false },
    mode: options.config.SLACK_APP_TOKEN ? 'socket' : 'http',
    get port() {
      return app?.port
    },
    async start(core: BotCore) {
      app = createSlackApp({ ...options, core })
      await app.start()
    },
    async stop() {
      await app?.stop()
    },
    idle: () => app?.idle() ?? Promise.resolve(),
  }
}
