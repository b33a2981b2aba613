// The action, callback and command names the Slack app listens to, in one place so blocks, handlers, the
// manifest and tests agree. Names only; no behaviour.

export const commands = { draft: '/draft', hyperalign: '/hyperalign' } as const

export const shortcutIds = { draftReply: 'hyperalign_draft_reply' } as const

export const viewIds = {
  editDraft: 'hyperalign_edit_draft',
  replyIntent: 'hyperalign_reply_intent',
  editHypothesis: 'hyperalign_edit_hypothesis',
  addHypothesis: 'hyperalign_add_hypothesis',
} as const

export const actionIds = {
  // draft message
  draftPost: 'draft_post',
  draftEdit: 'draft_edit',
  draftRegenerate: 'draft_regenerate',
  draftDiscard: 'draft_discard',
  // consent and member actions (ephemeral messages and App Home)
  optIn: 'member_opt_in',
  optOut: 'member_opt_out',
  backfill: 'member_backfill',
  forgetConfirm: 'member_forget_confirm',
  forgetCancel: 'member_forget_cancel',
  hypothesisMenu: 'hypothesis_menu',
  hypothesisAdd: 'hypothesis_add',
  // posting as the member (App Home): a link to Slack's consent page, and taking the permission back
  postingConnect: 'posting_connect',
  postingDisconnect: 'posting_disconnect',
  // admin controls (App Home); re-checked by the core on every use
  adminEnabled: 'admin_enabled',
  adminLearningChannels: 'admin_learning_channels',
  adminAllChannels: 'admin_all_channels',
  adminRetention: 'admin_retention',
  adminConsentMode: 'admin_consent_mode',
  adminMemberOptOut: 'admin_member_opt_out',
  adminMemberOptIn: 'admin_member_opt_in',
} as const

/** Block and action ids of inputs inside modals, read back from `view.state.values`. */
export const inputIds = {
  draftText: { block: 'draft_text', action: 'draft_text_input' },
  intent: { block: 'intent', action: 'intent_input' },
  statement: { block: 'statement', action: 'statement_input' },
  category: { block: 'category', action: 'category_input' },
} as const
