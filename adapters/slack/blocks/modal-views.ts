// Modals: edit a draft before posting, give an optional intent for a thread reply, edit or add a hypothesis.
// They carry routing ids in private_metadata; draft text and profiles stay in the store behind the core.
import type { types } from '@slack/bolt'
import type { Hypothesis, HypothesisCategory } from '../../../src/core/types.js'
import { inputIds, viewIds } from '../action-ids.js'
import { encodeDraftTarget, encodeReplyTarget, type DraftTarget, type ReplyTarget } from '../draft-target.js'
import { escapeMrkdwn, quote, truncate } from '../mrkdwn.js'
import { editableLimit } from './draft-blocks.js'

const plain = (text: string) => ({ type: 'plain_text' as const, text })

export function editDraftModal(text: string, target: DraftTarget): types.ModalView {
  return {
    type: 'modal',
    callback_id: viewIds.editDraft,
    private_metadata: encodeDraftTarget(target, { withResponseUrl: true }),
    title: plain('Edit draft'),
    submit: plain('Post'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: inputIds.draftText.block,
        label: plain('Your message'),
        element: {
          type: 'plain_text_input',
          action_id: inputIds.draftText.action,
          multiline: true,
          max_length: editableLimit,
          initial_value: text.slice(0, editableLimit),
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Posting labels the message as AI-drafted, with you as the one who drafted it. Edited text is checked again before it is posted.' }] },
    ],
  }
}

export function replyIntentModal(target: ReplyTarget, messagePreview: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: viewIds.replyIntent,
    private_metadata: encodeReplyTarget(target),
    title: plain('Draft a reply'),
    submit: plain('Draft'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Replying to:\n${quote(escapeMrkdwn(truncate(messagePreview, 500)))}` } },
      {
        type: 'input',
        block_id: inputIds.intent.block,
        optional: true,
        label: plain('What do you want to say? (optional)'),
        element: { type: 'plain_text_input', action_id: inputIds.intent.action, multiline: true, max_length: 3000, placeholder: plain('e.g. agree, and offer to review the PR tomorrow') },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'The thread is read as context for this one draft. Only you will see the draft until you click Post.' }] },
    ],
  }
}

const categoryLabels: Record<HypothesisCategory, string> = {
  communication_strategy: 'Communication strategy',
  personality: 'Personality',
  writing_style: 'Writing style',
}

export function categoryLabel(category: HypothesisCategory): string {
  return categoryLabels[category]
}

export function editHypothesisModal(hypothesis: Hypothesis): types.ModalView {
  return {
    type: 'modal',
    callback_id: viewIds.editHypothesis,
    private_metadata: JSON.stringify({ h: hypothesis.id }),
    title: plain('Correct hypothesis'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: inputIds.statement.block,
        label: plain(categoryLabel(hypothesis.category)),
        element: { type: 'plain_text_input', action_id: inputIds.statement.action, multiline: true, max_length: 500, initial_value: truncate(hypothesis.statement, 500) },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Your correction always wins over what I infer later.' }] },
    ],
  }
}

export function addHypothesisModal(): types.ModalView {
  return {
    type: 'modal',
    callback_id: viewIds.addHypothesis,
    title: plain('Add a hypothesis'),
    submit: plain('Add'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: inputIds.category.block,
        label: plain('Kind'),
        element: {
          type: 'static_select',
          action_id: inputIds.category.action,
          initial_option: { text: plain(categoryLabels.writing_style), value: 'writing_style' },
          options: (Object.keys(categoryLabels) as HypothesisCategory[]).map((category) => ({ text: plain(categoryLabels[category]), value: category })),
        },
      },
      {
        type: 'input',
        block_id: inputIds.statement.block,
        label: plain('How you write or communicate'),
        element: { type: 'plain_text_input', action_id: inputIds.statement.action, multiline: true, max_length: 500, placeholder: plain('e.g. I keep replies short and skip greetings') },
      },
    ],
  }
}
