// The core's public contract: what platforms report, what members and admins call (the core checks every actor),
// the "what may this actor do" query, and the lifecycle handle that only the composition root holds.
// Plain data in and out (./types.ts); nothing here knows a platform, the store or a model.
import type {
  Actor,
  AnswerResult,
  AskRequest,
  AuditEntry,
  BackfillChannel,
  ChannelKind,
  ConsentMode,
  ConsentOutcome,
  DraftRequest,
  DraftResult,
  DraftView,
  FinalizeDraftRequest,
  FinalizeDraftResult,
  ForgetReport,
  HypothesisEdit,
  ImportReport,
  ImportRequest,
  MemberCredential,
  MemberRef,
  MemberSummary,
  ObserveCallOptions,
  ObservedMessage,
  ObserveOutcome,
  Permissions,
  Profile,
  RetryReport,
  WorkspaceCounts,
  WorkspacePolicy,
  WorkspaceRef,
} from './types.js'

/** What a member calls about themselves: drafts, answers, consent and what was learned. Only their own, always. */
export interface MemberCore {
  draft(request: DraftRequest): Promise<DraftResult>
  /** The requesting member's own draft (for Post / Edit / Regenerate); not_found for anyone else. */
  getDraft(actor: Actor, draftId: string): Promise<DraftView>
  /** Draft again from the stored request of an earlier draft, keeping its context. */
  regenerateDraft(actor: Actor, draftId: string): Promise<DraftResult>
  /** Mark a draft posted (after the member's click; edited text is checked again) or discarded. Posting is the adapter's job. */
  finalizeDraft(actor: Actor, request: FinalizeDraftRequest): Promise<FinalizeDraftResult>
  answer(request: AskRequest): Promise<AnswerResult>
  /** The member's own opt-in or opt-out (an opt-out erases everything); an admin's, in the admin consent mode. */
  setConsent(actor: Actor, member: MemberRef, optedIn: boolean): Promise<ConsentOutcome>
  profile(actor: Actor, member: MemberRef): Promise<Profile>
  editHypothesis(actor: Actor, member: MemberRef, edit: HypothesisEdit): Promise<Profile>
  forget(actor: Actor, member: MemberRef): Promise<ForgetReport>
  /** Runs a learning job for the member now (their own request, or after an import); returns the new profile. */
  learn(actor: Actor, member: MemberRef): Promise<Profile>
  /** Calibrated style match of any text against the member's own writing; works without a model. */
  scoreStyle(actor: Actor, text: string): Promise<{ styleMatch?: number; messages: number }>
  /**
   * Which of these channels a backfill of the actor's own messages may read, in the order given: none while the
   * workspace is off or the member has not opted in. The core still checks every message it is then given.
   */
  backfillChannels(actor: Actor, channels: BackfillChannel[]): Promise<string[]>
  /**
   * Whether a channel's messages may be read as context for this member's draft: only for an opted-in member, in a
   * switched-on workspace, where learning is allowed (the observe path's rule), never a direct message.
   */
  mayReadAsContext(actor: Actor, channel: { channelId: string; channelKind: ChannelKind }): Promise<boolean>
  /** Keeps a credential the member granted (their own, opted in only); replaces an earlier one. */
  saveCredential(actor: Actor, credential: MemberCredential): Promise<void>
  /** The member's credential, for the member themselves or a workspace admin (to revoke it before an erase). */
  credential(actor: Actor, member: MemberRef): Promise<MemberCredential | undefined>
  /** Drops the member's credential (their own choice, or after the platform rejected it); true when one existed. */
  removeCredential(actor: Actor, member: MemberRef): Promise<boolean>
}

/** What a workspace admin calls. Each method checks that the actor administers that workspace, whatever was sent. */
export interface AdminCore {
  policy(actor: Actor, workspace: WorkspaceRef): Promise<WorkspacePolicy>
  setEnabled(actor: Actor, workspace: WorkspaceRef, enabled: boolean): Promise<WorkspacePolicy>
  /** Channel ids where learning is allowed; `*` allows every public channel. */
  setLearningChannels(actor: Actor, workspace: WorkspaceRef, channelIds: string[]): Promise<WorkspacePolicy>
  setRetentionDays(actor: Actor, workspace: WorkspaceRef, days: number): Promise<WorkspacePolicy>
  setConsentMode(actor: Actor, workspace: WorkspaceRef, mode: ConsentMode): Promise<WorkspacePolicy>
  /** Opts a member in (admin consent mode only; the outcome says what to tell them) or out (erasing everything). */
  setMemberConsent(actor: Actor, workspace: WorkspaceRef, userId: string, optedIn: boolean): Promise<ConsentOutcome>
  /** Opted-in members with counts, never their messages or hypotheses. */
  members(actor: Actor, workspace: WorkspaceRef): Promise<MemberSummary[]>
  counts(actor: Actor, workspace: WorkspaceRef): Promise<WorkspaceCounts>
  /** The newest entries first, at most `limit` (default 50, at most 500). */
  auditLog(actor: Actor, workspace: WorkspaceRef, limit?: number): Promise<AuditEntry[]>
  /** Imports a conversation export into the actor's own workspace, opting in the members it names. */
  importMessages(request: ImportRequest): Promise<ImportReport>
}

/** The one contract every adapter talks to. */
export interface BotCore extends MemberCore {
  /** A message the platform saw (also edits and deletions); the core decides whether anything is stored. Never calls a model. */
  observe(message: ObservedMessage, options?: ObserveCallOptions): Promise<ObserveOutcome>
  /**
   * Records one platform delivery (an adapter's fingerprint of a click or command, no member text) for `ttlMs`
   * (default one hour); true the first time, false when the same delivery was seen before, in any process.
   */
  claimDelivery(workspace: WorkspaceRef, deliveryId: string, ttlMs?: number): Promise<boolean>
  /** What the actor may do in the workspace, so a screen shows only the controls that will work. */
  permissions(actor: Actor, workspace: WorkspaceRef): Promise<Permissions>
  readonly admin: AdminCore
}

/** Background work and shutdown: held by whoever started the core (the composition root, tests), never by an adapter. */
export interface CoreLifecycle {
  /** Applies retention now (also runs hourly): drops messages past each workspace's retention. */
  sweep(): Promise<{ members: number; messagesRemoved: number }>
  /** Tries the messages waiting for the store now (also runs on a timer with backoff while any wait). */
  retryWaitingMessages(): Promise<RetryReport>
  /** Resolves when background learning has nothing left to do. */
  idle(): Promise<void>
  /** Stores every member's style counts as of now (also runs on a timer; reads never wait for it). */
  flushStyle(): Promise<void>
  close(): Promise<void>
}

export type RunningCore = { core: BotCore; lifecycle: CoreLifecycle }
