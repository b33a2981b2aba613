// Plain data that crosses the adapter <-> core boundary. No platform SDK types and no store or model types here.
import type { ChannelKind, MemberRef, Platform, WorkspaceRef } from './identity/member-ref.js'

export type { ChannelKind, MemberRef, Platform, WorkspaceRef }

/** Who is acting. The adapter knows whether the platform calls them an admin; the core enforces what that allows. */
export type Actor = { member: MemberRef; isPlatformAdmin: boolean }

export type ObservedMessage = {
  kind: 'created' | 'edited' | 'deleted'
  workspace: WorkspaceRef
  /** Undefined for a deletion the platform reports without an author (the core looks the author up). */
  userId?: string
  channelId: string
  channelKind: ChannelKind
  messageId: string
  /** Raw platform text (markup is normalised by the core). Absent for deletions. */
  text?: string
  /**
   * Whose markup `text` is written in, when it is not the workspace platform's own: a Slack export imported on the
   * console is Slack text, and is normalised as such.
   */
  markup?: Platform
  /** Milliseconds since the epoch. */
  timestamp: number
  threadId?: string
  isBot?: boolean
}

export type ObserveOutcome =
  | { status: 'stored'; due: boolean }
  | { status: 'updated' }
  | { status: 'deleted' }
  | {
      status: 'ignored'
      reason: 'bot' | 'not_opted_in' | 'channel_not_enabled' | 'bot_disabled' | 'direct_message' | 'empty' | 'too_long' | 'duplicate' | 'unknown_message'
    }
  /** The store was down: kept in memory (never on disk) and stored once it is back, consent checked again then. */
  | { status: 'queued' }
  /** The store was down and the in-memory queue was full: lost, and counted in the admin status. */
  | { status: 'dropped'; reason: 'retry_queue_full' }

export type ObserveCallOptions = {
  /**
   * For platforms that never redeliver (Discord): when the store is down, keep the event in the bounded in-memory
   * retry queue instead of throwing `store_unavailable`. Platforms that redeliver (Slack) leave this off.
   */
  queueWhenStoreDown?: boolean
}

export type ContextMessage = { author: 'self' | 'other'; text: string; authorLabel?: string }

export type DraftRequest = {
  actor: Actor
  intent: string
  /** Thread or channel messages the reply is about; treated as data, never instructions. */
  context?: ContextMessage[]
  channelKind?: ChannelKind
  /** The channel the draft is for: examples from private channels are used only in that same channel. */
  channelId?: string
  /** Stable id of the platform request, so a retried delivery does not draft twice. */
  idempotencyKey?: string
  candidates?: number
}

export type AskRequest = {
  actor: Actor
  question: string
  context?: ContextMessage[]
  channelKind?: ChannelKind
  idempotencyKey?: string
}

export type SafetyDecision = 'comply' | 'safe_complete' | 'refuse'

/** What a member may learn of a safety check: the decision and the rules. The model's analysis is for the audit log only. */
export type Verdict = {
  decision: SafetyDecision
  ruleIds: string[]
  stage: 'request' | 'output'
}

/** How to compose after a request verdict of safe_complete: the spec's guidance for the cited rules. */
export type SafeCompletion = { ruleIds: string[]; guidance: string }

export type HypothesisCategory = 'communication_strategy' | 'personality' | 'writing_style'

export type Hypothesis = {
  id: string
  category: HypothesisCategory
  statement: string
  evidenceMessageIds: string[]
  /** Evidence quotes resolved from the member's own history, for their own screen only. */
  evidence?: string[]
  confidence: number
  source: 'inferred' | 'member'
  pinned: boolean
  updatedAt: number
}

export type StyleSummary = {
  messages: number
  words: { mean: number; median: number; p90: number }
  sentencesPerMessage: number
  lowercaseStartRate: number
  endsWithPunctuationRate: number
  questionRate: number
  exclamationRate: number
  emojiRate: number
  contractionRate: number
  codeRate: number
  linkRate: number
  /** Share of messages with a bulleted or numbered list. */
  listRate?: number
  greetings: string[]
  signOffs: string[]
  topFunctionWords: string[]
}

export type Profile = {
  member: MemberRef
  optedIn: boolean
  consent?: ConsentRecord
  historySize: number
  hypotheses: Hypothesis[]
  hypothesesVersion: number
  /** What changed in recent versions, newest last. */
  changes: {
    version: number
    at: number
    by: 'learning' | 'member'
    added: string[]
    removed: string[]
    /** How learning checked the revision: drafts of held-out messages, mean style match before and after. */
    check?: { messages: number; previous: number; revised: number; kept: boolean }
    /** Edited drafts the revision learned from. */
    fromEdits?: number
    /** One line for the member, e.g. "checked against 3 of your messages: 0.71 → 0.78; changed from your edits". */
    note?: string
  }[]
  lastLearnedAt?: number
  attributes?: StyleSummary
  learning: { due: boolean; newMessagesSinceLearn: number; lastError?: string; parked: boolean }
  /** What the member agreed to, shown with the opt-in toggle. */
  consentStatement: string
  retentionDays: number
  /** Where the workspace allows learning (channel ids, `*` = every public channel); members may know this. */
  learningChannels: string[]
  workspaceEnabled: boolean
  /** A platform credential the member granted (never the secret itself), e.g. to post drafts as them. */
  credential?: { kind: MemberCredential['kind']; scopes: string[]; grantedAt: number }
}

/** A secret the member granted the app, sealed by the adapter (the core never reads it). */
export type MemberCredential = {
  kind: 'slack_user_token'
  sealed: string
  scopes: string[]
  grantedAt: number
}

export type DraftResult =
  | {
      status: 'drafted'
      draftId: string
      text: string
      /** Calibrated: 1 = like the member's own held-out writing, 0 = like other members; undefined with too little history. */
      styleMatch?: number
      hypothesesUsed: { id: string; statement: string }[]
      verdict: Verdict
      notice?: string
    }
  | { status: 'refused'; verdict: Verdict; message: string }

export type AnswerResult =
  | { status: 'answered'; text: string; personalized: boolean; verdict: Verdict; notice?: string }
  | { status: 'refused'; verdict: Verdict; message: string }

export type ConsentMode = 'member' | 'admin'

export type ConsentRecord = {
  optedIn: boolean
  at: number
  by: MemberRef
  /** `self`, or `admin` when an admin opted the member in under the admin consent mode. */
  via: 'self' | 'admin' | 'import'
  policyVersion: string
}

export type ConsentOutcome = {
  record: ConsentRecord
  /** When an admin opted the member in: a private notice the adapter must deliver to the member. */
  notifyMember?: string
  erased?: ForgetReport
}

export type HypothesisEdit =
  | { action: 'pin'; hypothesisId: string; pinned: boolean }
  | { action: 'correct'; hypothesisId: string; statement: string }
  | { action: 'delete'; hypothesisId: string }
  | { action: 'add'; category: HypothesisCategory; statement: string }

export type ForgetReport = {
  messages: number
  hypotheses: number
  drafts: number
  auditEntries: number
  otherRecords: number
}

export type WorkspacePolicy = {
  enabled: boolean
  /** Channels where learning is allowed; empty means none, `*` means every public channel. */
  learningChannels: string[]
  retentionDays: number
  consentMode: ConsentMode
  adminUserIds: string[]
  updatedAt: number
  updatedBy?: string
}

export type AuditEntry = {
  id: string
  at: number
  kind: 'refusal' | 'check_failed' | 'consent' | 'policy' | 'forget' | 'import'
  memberUserId?: string
  actorUserId?: string
  decision?: SafetyDecision
  ruleIds?: string[]
  reason: string
}

/** What an admin sees about one opted-in member: how and when they opted in, and how much is kept. */
export type MemberSummary = { userId: string; optedIn: boolean; via: ConsentRecord['via']; at: number; historySize: number }

/** What the actor may do in a workspace (the core decides; an adapter only renders the controls that will work). */
export type Permissions = {
  /** Change the workspace policy and members' opt-in, see counts, members and the audit log. */
  administer: boolean
}

/** A channel a backfill could read, as the platform describes it. */
export type BackfillChannel = { channelId: string; channelKind: ChannelKind }

export type WorkspaceCounts = {
  optedInMembers: number
  messages: number
  drafts: number
  answers: number
  refusals: number
  tokensToday: number
  dailyTokenBudget: number
  /** Messages of this workspace waiting in this process's memory for the store to come back. */
  messagesWaitingForStore: number
  /** Messages of this workspace lost since this process started: the store stayed down past the queue's bounds. */
  messagesDroppedWhileStoreDown: number
  /** Members whose learning job failed and waits for a retry. */
  learningRetrying: number
  /** Members whose learning job failed every attempt (a dead letter) and waits for the member to ask again. */
  learningDeadLetters: number
}

export type ImportRequest = {
  actor: Actor
  /**
   * The messages, in order. An async iterable (a file read as it goes) is taken a batch at a time, so the import
   * holds about two batches of it, never the whole export.
   */
  messages: readonly ObservedMessage[] | AsyncIterable<ObservedMessage>
  /** How many messages `messages` yields, for progress (an array's own length when not given). */
  total?: number
  /** Members whose consent this import relies on; each is recorded as opted in via `import`. */
  consentingUserIds: string[]
  /**
   * Messages observed so far (after each batch, with how many of them were stored), then members whose style
   * calibration was refreshed against the imported population.
   */
  onProgress?: (done: number, total: number, stage: 'messages' | 'calibration', counts?: { stored: number; ignored: number }) => void
}

export type RetryReport = { stored: number; ignored: number; dropped: number; waiting: number }

export type ImportIgnoredReason = Extract<ObserveOutcome, { status: 'ignored' }>['reason']

export type ImportReport = {
  total: number
  stored: number
  ignored: number
  /** The ignored messages by why they were not stored. */
  ignoredBy: Partial<Record<ImportIgnoredReason, number>>
  members: number
}

/** A member's own draft as their screen needs it (what was drafted and whether it is still waiting), not the stored request. */
export type DraftView = {
  draftId: string
  text: string
  styleMatch?: number
  hypothesesUsed: { id: string; statement: string }[]
  status: 'pending' | 'posted' | 'discarded'
  createdAt: number
}

export type FinalizeDraftRequest =
  | { action: 'post'; draftId: string; /** The member's edited text, when they edited before posting. */ text?: string }
  | { action: 'discard'; draftId: string }
  /** The platform refused the post: make the draft pending again so the member can retry. */
  | { action: 'restore'; draftId: string }

export type FinalizeDraftResult =
  | { status: 'ready_to_post'; text: string; label: string; draft: DraftView }
  | { status: 'discarded' }
  | { status: 'restored'; draft: DraftView }
  | { status: 'refused'; verdict: Verdict; message: string }
