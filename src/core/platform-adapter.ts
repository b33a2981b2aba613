// The contract every platform implements, and all that the composition root (app/) knows of one: a name, what it can
// do, start on a core, stop. A third platform: add its name to platformSchema (identity/member-ref.ts), implement this
// interface in adapters/<name>/ with one to-observed translator, and list it in app/platform-adapters.ts.
import type { BotCore } from './bot-core.js'
import type { Platform } from './types.js'

/** What members can do through an adapter; the README's platform table is read from the same facts. */
export type AdapterCapabilities = {
  /** Learns from members' messages as they write them (and mirrors edits and deletions). */
  learnsFromMessages: boolean
  /** Drafts in the member's voice on request. */
  drafts: boolean
  /** Posts a draft the member approved, labelled as AI-drafted. */
  postsDrafts: boolean
  /** Answers a member's questions the way they prefer to be spoken to. */
  answers: boolean
  /** Reads a member's recent messages on their request (backfill). */
  backfill: boolean
  /** Imports a conversation export. */
  imports: boolean
}

export interface PlatformAdapter {
  readonly name: Platform
  readonly capabilities: AdapterCapabilities
  /**
   * Connects to the platform and serves it through `core`, translating its events into core calls and rendering
   * what comes back; resolves once it is serving. An adapter never holds member state of its own.
   */
  start(core: BotCore): Promise<void>
  /** Stops taking events and disconnects. The composition root closes the core after every adapter has stopped. */
  stop(): Promise<void>
  /** Resolves when the adapter ends by itself (the console, when its input ends); absent where it runs until stopped. */
  finished?(): Promise<void>
}
