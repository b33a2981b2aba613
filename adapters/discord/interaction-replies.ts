// Sends results back on an interaction: long text split across an edited reply plus ephemeral follow-ups, and
// failures rendered as the member-facing message. Mentions in anything the bot sends never ping anyone.
import { MessageFlags, type MessageMentionOptions, type RepliableInteraction } from 'discord.js'
import type { Logger } from '../../src/logger.js'
import { isBotError } from '../../src/bot-error.js'
import { stillWorkingText, withStillWorkingNotice } from '../still-working-notice.js'
import { optInButtonRow } from './render-profile.js'
import { splitMessage } from './split-message.js'
import { userMessageFor } from './user-message.js'

export const noPings: MessageMentionOptions = { parse: [] }

/**
 * Runs the core call behind a deferred reply; if it is slow, the deferred reply says it is still working. The
 * caller's editReply with the result (or the failure reply) then replaces that notice.
 */
export function withStillWorkingReply<T>(context: { stillWorkingAfterMs: number; logger: Logger }, interaction: RepliableInteraction, work: () => Promise<T>): Promise<T> {
  return withStillWorkingNotice(
    {
      afterMs: context.stillWorkingAfterMs,
      show: () => interaction.editReply({ content: stillWorkingText, embeds: [], components: [], allowedMentions: noPings }),
      onShowFailed: (error) => context.logger.warn('discord_notice_failed', { interactionId: interaction.id, error }),
    },
    work,
  )
}

/** Edits the deferred reply with the first piece and sends the rest as ephemeral follow-ups, in order. */
export async function replyInPieces(interaction: RepliableInteraction, text: string): Promise<void> {
  const pieces = splitMessage(text)
  const [first = '…', ...rest] = pieces
  await interaction.editReply({ content: first, embeds: [], components: [], allowedMentions: noPings })
  for (const piece of rest) await interaction.followUp({ content: piece, flags: MessageFlags.Ephemeral, allowedMentions: noPings })
}

/**
 * Shows a failure to the member who caused it. A deferred command's reply is replaced; a component or modal
 * interaction gets an ephemeral follow-up so the draft or profile it came from stays usable.
 */
export async function replyWithFailure(interaction: RepliableInteraction, error: unknown, logger: Logger): Promise<void> {
  const content = userMessageFor(error)
  // A member who needs to opt in first gets the button to do it right there.
  const components = isBotError(error, 'consent_required') ? [optInButtonRow()] : []
  logger.warn('discord_interaction_failed', { interactionId: interaction.id, error })
  try {
    const repliesOnItsOwnMessage = interaction.isChatInputCommand() || interaction.isContextMenuCommand() || (interaction.isModalSubmit() && !interaction.isFromMessage())
    if (interaction.deferred && repliesOnItsOwnMessage) {
      await interaction.editReply({ content, embeds: [], components, allowedMentions: noPings })
    } else if (interaction.deferred || interaction.replied) {
      await interaction.followUp({ content, components, flags: MessageFlags.Ephemeral, allowedMentions: noPings })
    } else {
      await interaction.reply({ content, components, flags: MessageFlags.Ephemeral, allowedMentions: noPings })
    }
  } catch (replyError) {
    logger.error('discord_failure_reply_failed', { interactionId: interaction.id, error: replyError })
  }
}
