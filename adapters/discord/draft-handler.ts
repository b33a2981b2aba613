// /draft and "Draft a reply in my voice": deferred ephemeral drafts from the core, and the Post / Edit / Regenerate /
// Discard controls. The draft lives in the core's store; nothing is posted before the member's click or modal submit.
import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Collection,
  type Message,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
  type Snowflake,
} from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { Actor, ContextMessage } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { channelKindOf, requireActor } from './discord-actor.js'
import { noPings, withStillWorkingReply } from './interaction-replies.js'
import { discardedNotice, draftEditModal, isPostable, postableDraftLimit, postedNotice, renderDraftResult, replyIntentModal } from './render-draft.js'
import { colours, noticeEmbed, refusalEmbed, truncate } from './render-reply.js'
import { userMessageFor } from './user-message.js'
import { splitMessage, discordMessageLimit } from './split-message.js'

/** Messages of thread or channel context sent with a draft; the core bounds the prompt, this bounds the fetch. */
const contextMessages = 10

/** Used when the member leaves the reply modal empty: the reply should simply fit the message. */
export const defaultReplyIntent = 'Reply to the last message.'

export async function handleDraftCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const actor = requireActor(interaction)
  const intent = interaction.options.getString('intent', true)
  const result = await withStillWorkingReply(context, interaction, async () =>
    context.core.draft({
      actor,
      intent,
      context: await recentContext(interaction, actor.member.userId),
      channelKind: channelKindOf(interaction.channel),
      channelId: interaction.channelId,
      idempotencyKey: `discord:interaction:${interaction.id}`,
    }),
  )
  await interaction.editReply(renderDraftResult(result))
}

/** The context-menu command answers with a modal at once (a modal cannot follow a deferral). */
export async function handleDraftReplyCommand(_context: DiscordContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  requireActor(interaction)
  await interaction.showModal(replyIntentModal(interaction.targetMessage.channelId, interaction.targetId))
}

export async function handleReplyModal(context: DiscordContext, interaction: ModalSubmitInteraction, target: { channelId: string; messageId: string }): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const actor = requireActor(interaction)
  // The thread context must come from the channel the draft would be posted in, never from elsewhere.
  if (target.channelId !== interaction.channelId) throw new BotError('input_invalid', 'reply target in another channel', { userMessage: 'Start the reply from the message itself.' })
  const intent = interaction.fields.getTextInputValue('intent').trim() || defaultReplyIntent
  const result = await context.core.draft({
    actor,
    intent,
    context: await replyContext(interaction, target.messageId, actor.member.userId),
    channelKind: channelKindOf(interaction.channel),
    channelId: target.channelId,
    idempotencyKey: `discord:interaction:${interaction.id}`,
  })
  await interaction.editReply(renderDraftResult(result, { replyTo: target.messageId }))
}

export async function handleDraftButton(
  context: DiscordContext,
  interaction: ButtonInteraction,
  action: 'post' | 'edit' | 'regenerate' | 'discard',
  draftId: string,
  replyTo?: string,
): Promise<void> {
  const actor = requireActor(interaction)
  if (action === 'edit') {
    // A modal must be the first response; looking the draft up is a store read, well inside the deadline.
    const draft = await context.core.getDraft(actor, draftId)
    if (draft.status !== 'pending') throw new BotError('not_found', 'draft already used', { userMessage: 'That draft was already posted or discarded. Ask for a new one.' })
    await interaction.showModal(draftEditModal(draftId, draft.text, replyTo))
    return
  }
  await interaction.deferUpdate()
  if (action === 'regenerate') {
    const result = await context.core.regenerateDraft(actor, draftId)
    await interaction.editReply(renderDraftResult(result, { replyTo }))
    return
  }
  if (action === 'discard') {
    await context.core.finalizeDraft(actor, { action: 'discard', draftId })
    await interaction.editReply(discardedNotice())
    return
  }
  await finalizeAndPost(context, interaction, actor, draftId, undefined, replyTo)
}

export async function handleDraftEditModal(context: DiscordContext, interaction: ModalSubmitInteraction, draftId: string, replyTo?: string): Promise<void> {
  const actor = requireActor(interaction)
  if (interaction.isFromMessage()) await interaction.deferUpdate()
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  await finalizeAndPost(context, interaction, actor, draftId, interaction.fields.getTextInputValue('text'), replyTo)
}

async function finalizeAndPost(
  context: DiscordContext,
  interaction: ButtonInteraction | ModalSubmitInteraction,
  actor: Actor,
  draftId: string,
  editedText: string | undefined,
  replyTo: string | undefined,
): Promise<void> {
  // What is posted must be what the member saw: a draft too long to show in full is refused before anything changes.
  const shown = editedText ?? (await context.core.getDraft(actor, draftId)).text
  if (!isPostable(shown)) {
    throw new BotError('input_too_large', 'draft longer than Discord can show', {
      userMessage: `This draft is longer than Discord can show (${postableDraftLimit.toLocaleString('en-US')} characters), so it cannot be posted: what is posted must be what you saw. Regenerate it, or ask for something shorter.`,
    })
  }
  const outcome = await context.core.finalizeDraft(actor, { action: 'post', draftId, ...(editedText === undefined ? {} : { text: editedText }) })
  if (outcome.status === 'refused') {
    await interaction.editReply({ content: '', embeds: [refusalEmbed(outcome.verdict, outcome.message)], components: [] })
    return
  }
  if (outcome.status !== 'ready_to_post') {
    await interaction.editReply(discardedNotice())
    return
  }
  let links: string[]
  try {
    links = await postInChannel(context, interaction, outcome.text, outcome.label, replyTo)
  } catch (error) {
    // The member clicked Post; if Discord refuses, give them their text so the click is not lost.
    context.logger.warn('discord_post_failed', { interactionId: interaction.id, error })
    // The click is not lost: the draft becomes postable again, and the failure comes as a separate private note.
    await context.core.finalizeDraft(actor, { action: 'restore', draftId }).catch(() => {})
    await interaction.followUp({ embeds: [postFailedEmbed(error, outcome.text)], flags: MessageFlags.Ephemeral })
    return
  }
  await interaction.editReply(postedNotice(links))
}

/**
 * Posts the approved text where the draft was requested, split at Discord's limit. Every piece carries the label
 * (numbered when there are several), so no part of a draft reads as if the member typed it.
 */
async function postInChannel(context: DiscordContext, interaction: ButtonInteraction | ModalSubmitInteraction, text: string, label: string, replyTo?: string): Promise<string[]> {
  const channel = interaction.channel ?? (interaction.channelId ? await context.client.channels.fetch(interaction.channelId) : null)
  if (!channel || !channel.isSendable()) {
    throw new BotError('platform_failed', 'channel not sendable', { userMessage: 'I cannot post in this channel. Ask an admin to let me send messages here, or copy the draft yourself.' })
  }
  const labelLine = `-# ${label}, on behalf of <@${interaction.user.id}>`
  // Room for the label line and its widest numbering, " (99/99)".
  const pieces = splitMessage(text, discordMessageLimit - labelLine.length - ' (99/99)'.length - 1)
  const links: string[] = []
  for (const [index, piece] of pieces.entries()) {
    const numbering = pieces.length > 1 ? ` (${index + 1}/${pieces.length})` : ''
    const sent = await channel.send({
      content: `${piece}\n${labelLine}${numbering}`,
      allowedMentions: noPings,
      ...(index === 0 && replyTo ? { reply: { messageReference: replyTo, failIfNotExists: false } } : {}),
    })
    links.push(sent.url)
  }
  return links
}

async function recentContext(interaction: ChatInputCommandInteraction, userId: string): Promise<ContextMessage[] | undefined> {
  const channel = interaction.channel
  if (!channel || !channel.isTextBased() || channel.isDMBased()) return undefined
  try {
    const messages = await channel.messages.fetch({ limit: contextMessages })
    return toContext(messages, userId, interaction.client.user.id)
  } catch {
    // Without Read Message History the draft simply has no context.
    return undefined
  }
}

async function replyContext(interaction: ModalSubmitInteraction, messageId: string, userId: string): Promise<ContextMessage[] | undefined> {
  const channel = interaction.channel
  if (!channel || !channel.isTextBased()) return undefined
  try {
    const target = await channel.messages.fetch(messageId)
    const before = await channel.messages.fetch({ limit: contextMessages - 1, before: messageId })
    before.set(target.id, target)
    return toContext(before, userId, interaction.client.user.id)
  } catch {
    return undefined
  }
}

function toContext(messages: Collection<Snowflake, Message>, userId: string, botId: string): ContextMessage[] {
  return [...messages.values()]
    .filter((message) => message.content.trim().length > 0 && message.author.id !== botId)
    .sort((left, right) => left.createdTimestamp - right.createdTimestamp)
    .map((message) => ({
      author: message.author.id === userId ? ('self' as const) : ('other' as const),
      text: message.content,
      authorLabel: message.member?.displayName ?? message.author.globalName ?? message.author.username,
    }))
}

function postFailedEmbed(error: unknown, text: string) {
  const reason = error instanceof BotError ? userMessageFor(error) : 'Discord did not accept the message (missing permission to send here?).'
  return noticeEmbed(`Not posted. ${reason}\nYour text, to copy:\n\n${truncate(text, 3500)}`, colours.warning)
}
