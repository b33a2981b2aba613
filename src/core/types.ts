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

export type Verdict = {
  decision: SafetyDecision
  ruleIds: string[]
  reason: string
  stage: 'request' | 'output'
}

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
  changes: { version: number; at: number; by: 'learning' | 'member'; added: string[]; removed: string[] }[]
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

export type AdminAction =
  | { action: 'get_policy' }
  | { action: 'set_enabled'; enabled: boolean }
  | { action: 'set_learning_channels'; channelIds: string[] }
  | { action: 'set_retention_days'; days: number }
  | { action: 'set_consent_mode'; mode: ConsentMode }
  | { action: 'set_member_consent'; userId: string; optedIn: boolean }
  | { action: 'list_members' }
  | { action: 'counts' }
  | { action: 'audit_log'; limit?: number }

export type AdminResult =
  | { action: 'policy'; policy: WorkspacePolicy }
  | { action: 'member_consent'; outcome: ConsentOutcome }
  | { action: 'members'; members: { userId: string; optedIn: boolean; via: ConsentRecord['via']; at: number; historySize: number }[] }
  | { action: 'counts'; counts: WorkspaceCounts }
  | { action: 'audit_log'; entries: AuditEntry[] }

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
}

export type ImportRequest = {
  actor: Actor
  messages: ObservedMessage[]
  /** Members whose consent this import relies on; each is recorded as opted in via `import`. */
  consentingUserIds: string[]
  /** Messages observed so far, then members whose style calibration was refreshed against the imported population. */
  onProgress?: (done: number, total: number, stage: 'messages' | 'calibration') => void
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

export type StoredDraft = {
  draftId: string
  member: MemberRef
  intent: string
  context?: ContextMessage[]
  channelKind?: ChannelKind
  channelId?: string
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
  | { status: 'ready_to_post'; text: string; label: string; draft: StoredDraft }
  | { status: 'discarded' }
  | { status: 'restored'; draft: StoredDraft }
  | { status: 'refused'; verdict: Verdict; message: string }

export interface BotCore {
  observe(message: ObservedMessage, options?: ObserveCallOptions): Promise<ObserveOutcome>
  draft(request: DraftRequest): Promise<DraftResult>
  /** The requesting member's own pending draft (for Post / Edit / Regenerate); not_found for anyone else. */
  getDraft(actor: Actor, draftId: string): Promise<StoredDraft>
  /** Draft again from the stored request of an earlier draft, keeping its context. */
  regenerateDraft(actor: Actor, draftId: string): Promise<DraftResult>
  /** Mark a draft posted (after the member's click; edited text is checked again) or discarded. Posting is the adapter's job. */
  finalizeDraft(actor: Actor, request: FinalizeDraftRequest): Promise<FinalizeDraftResult>
  answer(request: AskRequest): Promise<AnswerResult>
  setConsent(actor: Actor, member: MemberRef, optedIn: boolean): Promise<ConsentOutcome>
  profile(actor: Actor, member: MemberRef): Promise<Profile>
  editHypothesis(actor: Actor, member: MemberRef, edit: HypothesisEdit): Promise<Profile>
  forget(actor: Actor, member: MemberRef): Promise<ForgetReport>
  /** Runs a learning job for the member now (their own request, or after an import); returns the new profile. */
  learn(actor: Actor, member: MemberRef): Promise<Profile>
  /** Calibrated style match of any text against the member's own writing; works without a model. */
  scoreStyle(actor: Actor, text: string): Promise<{ styleMatch?: number; messages: number }>
  admin(actor: Actor, workspace: WorkspaceRef, action: AdminAction): Promise<AdminResult>
  /** Keeps a credential the member granted (their own, opted in only); replaces an earlier one. */
  saveCredential(actor: Actor, credential: MemberCredential): Promise<void>
  /** The member's credential, for the member themselves or a workspace admin (to revoke it before an erase). */
  credential(actor: Actor, member: MemberRef): Promise<MemberCredential | undefined>
  /** Drops the member's credential (their own choice, or after the platform rejected it); true when one existed. */
  removeCredential(actor: Actor, member: MemberRef): Promise<boolean>
  importMessages(request: ImportRequest): Promise<ImportReport>
  /**
   * Records one platform delivery (an adapter's fingerprint of a click or command, no member text) for `ttlMs`
   * (default one hour); true the first time, false when the same delivery was seen before, in any process.
   */
  claimDelivery(workspace: WorkspaceRef, deliveryId: string, ttlMs?: number): Promise<boolean>
  /** Applies retention now (also runs hourly): drops messages past each workspace's retention. */
  sweep(): Promise<{ members: number; messagesRemoved: number }>
  /** Tries the messages waiting for the store now (also runs on a timer with backoff while any wait). */
  retryWaitingMessages(): Promise<RetryReport>
  /** Resolves when background learning has nothing left to do. */
  idle(): Promise<void>
  close(): Promise<void>
}
