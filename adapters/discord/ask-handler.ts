// The personalized assistant: /ask, a mention of the bot in a server, or a direct message → core.answer, replied to
// privately (ephemeral, or by DM). Deferred first so Discord's 3-second deadline holds however slow the model is.
import { DiscordAPIError, MessageFlags, PermissionFlagsBits, RESTJSONErrorCodes, type ChatInputCommandInteraction, type Message } from 'discord.js'
import type { AnswerResult, ContextMessage } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { actorFor, actorFromInteraction, channelKindOf, memberOf } from './discord-actor.js'
import { directMessageMember, noSharedServerMessage } from './direct-message-member.js'
import { noPings, replyInPieces, withStillWorkingReply } from './interaction-replies.js'
import { refusalText } from './render-reply.js'
import { splitMessage } from './split-message.js'
import { userMessageFor } from './user-message.js'
import { isBotError } from '../../src/bot-error.js'

/** How a member opts in here, added to the core's invitation line. */
export const optInHint = 'Run `/hyperalign optin` in your server.'

/** The text of an answer; a member who is not opted in also gets the one-line invitation under it. */
export function answerText(result: AnswerResult): string {
  if (result.status === 'refused') return refusalText(result.verdict, result.message)
  if (result.personalized) return result.notice ? `${result.text}\n\n-# ${result.notice}` : result.text
  return `${result.text}\n\n-# ${[result.notice, optInHint].filter(Boolean).join(' ')}`
}

export async function handleAskCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  // Acknowledge before any other work: nothing below may delay this.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const question = interaction.options.getString('question', true)
  const actor = interaction.guildId ? actorFromInteraction(interaction) : await directMessageActor(context, interaction.user.id)
  if (!actor) {
    await interaction.editReply({ content: noSharedServerMessage })
    return
  }
  const result = await withStillWorkingReply(context, interaction, () =>
    context.core.answer({
      actor,
      question,
      channelKind: interaction.guildId ? channelKindOf(interaction.channel) : 'direct',
      idempotencyKey: `discord:interaction:${interaction.id}`,
    }),
  )
  await replyInPieces(interaction, answerText(result))
}

/** A message that mentions the bot in a server, or any message in a DM with it. Answers by DM either way. */
export async function handleConversationMessage(context: DiscordContext, message: Message): Promise<void> {
  const botId = context.client.user?.id
  const question = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), '').trim()
  if (!question) {
    await deliverPrivately(context, message, 'Ask me anything: mention me with your question, DM me, or use `/ask`.')
    return
  }
  if (message.channel.isSendable()) await message.channel.sendTyping().catch(() => undefined)
  const member = message.inGuild() ? memberOf(message.guildId, message.author.id) : await directMessageMember(context, message.author.id)
  if (!member) {
    await deliverPrivately(context, message, noSharedServerMessage)
    return
  }
  const isPlatformAdmin = message.inGuild() ? (message.member?.permissions.has(PermissionFlagsBits.ManageGuild) ?? false) : false
  let text: string
  try {
    const result = await context.core.answer({
      actor: actorFor(member, isPlatformAdmin),
      question,
      context: await referencedContext(message),
      channelKind: message.inGuild() ? channelKindOf(message.channel) : 'direct',
      idempotencyKey: `discord:message:${message.id}`,
    })
    text = answerText(result)
  } catch (error) {
    // The same message delivered twice (another shard or process has it): that delivery answers.
    if (isBotError(error, 'duplicate')) return
    context.logger.warn('discord_answer_failed', { messageId: message.id, error })
    text = userMessageFor(error)
  }
  await deliverPrivately(context, message, text)
}

async function directMessageActor(context: DiscordContext, userId: string) {
  const member = await directMessageMember(context, userId)
  return member ? actorFor(member) : undefined
}

/** The message this one replies to, as context (same channel, so nothing crosses from elsewhere). */
async function referencedContext(message: Message): Promise<ContextMessage[] | undefined> {
  if (!message.reference?.messageId) return undefined
  try {
    const referenced = await message.fetchReference()
    if (!referenced.content) return undefined
    return [{ author: referenced.author.id === message.author.id ? 'self' : 'other', text: referenced.content, authorLabel: referenced.member?.displayName ?? referenced.author.username }]
  } catch {
    return undefined
  }
}

/**
 * Replies go privately first: in a DM, in that DM; for a mention in a server, by DM to the member. When the member
 * does not accept DMs, a short pointer to /ask goes to the channel instead of the answer.
 */
async function deliverPrivately(context: DiscordContext, message: Message, text: string): Promise<void> {
  const pieces = splitMessage(text)
  try {
    if (!message.inGuild()) {
      if (!message.channel.isSendable()) return
      for (const piece of pieces) await message.channel.send({ content: piece, allowedMentions: noPings })
      return
    }
    for (const piece of pieces) await message.author.send({ content: piece, allowedMentions: noPings })
  } catch (error) {
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser && message.inGuild()) {
      await message
        .reply({ content: 'I answer privately, but your DMs are closed to me. Use `/ask` here instead; only you will see the answer.', allowedMentions: noPings })
        .catch((replyError: unknown) => context.logger.warn('discord_reply_failed', { messageId: message.id, error: replyError }))
      return
    }
    context.logger.warn('discord_dm_failed', { messageId: message.id, error })
  }
}
