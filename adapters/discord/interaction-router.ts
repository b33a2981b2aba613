// Routes each interaction to its handler by command name or custom id, and turns any failure into a message for
// the member who caused it. Unknown custom ids (stale or forged) get a plain "out of date" reply.
import { MessageFlags, type Interaction } from 'discord.js'
import type { DiscordContext } from './discord-context.js'
import { handleAdminCommand } from './admin-commands.js'
import { handleAskCommand } from './ask-handler.js'
import { decodeCustomId } from './custom-ids.js'
import { commandNames } from './discord-commands.js'
import { handleDraftButton, handleDraftCommand, handleDraftEditModal, handleDraftReplyCommand, handleReplyModal } from './draft-handler.js'
import { replyWithFailure } from './interaction-replies.js'
import { handleHypothesisModal, handleMemberCommand, handleMemberComponent } from './member-commands.js'

const staleComponent = 'That button is out of date. Run the command again.'

export function createInteractionRouter(context: DiscordContext) {
  return async (interaction: Interaction): Promise<void> => {
    if (!interaction.isRepliable()) return
    try {
      if (interaction.isChatInputCommand()) {
        switch (interaction.commandName) {
          case commandNames.ask:
            return await handleAskCommand(context, interaction)
          case commandNames.draft:
            return await handleDraftCommand(context, interaction)
          case commandNames.member:
            return await handleMemberCommand(context, interaction)
          case commandNames.admin:
            return await handleAdminCommand(context, interaction)
          default:
            await interaction.reply({ content: 'I do not know that command. Try `/hyperalign help`.', flags: MessageFlags.Ephemeral })
            return
        }
      }
      if (interaction.isMessageContextMenuCommand() && interaction.commandName === commandNames.draftReply) {
        return await handleDraftReplyCommand(context, interaction)
      }
      if (interaction.isButton() || interaction.isStringSelectMenu()) {
        const id = decodeCustomId(interaction.customId)
        if (!id) return await interaction.reply({ content: staleComponent, flags: MessageFlags.Ephemeral }).then(() => undefined)
        switch (id.kind) {
          case 'draft-post':
          case 'draft-edit':
          case 'draft-regenerate':
            if (!interaction.isButton()) break
            return await handleDraftButton(context, interaction, id.kind === 'draft-post' ? 'post' : id.kind === 'draft-edit' ? 'edit' : 'regenerate', id.draftId, id.replyTo)
          case 'draft-discard':
            if (!interaction.isButton()) break
            return await handleDraftButton(context, interaction, 'discard', id.draftId)
          default:
            return await handleMemberComponent(context, interaction, id)
        }
      }
      if (interaction.isModalSubmit()) {
        const id = decodeCustomId(interaction.customId)
        switch (id?.kind) {
          case 'reply-modal':
            return await handleReplyModal(context, interaction, id)
          case 'draft-edit-modal':
            return await handleDraftEditModal(context, interaction, id.draftId, id.replyTo)
          case 'hypothesis-edit-modal':
          case 'hypothesis-add-modal':
            return await handleHypothesisModal(context, interaction, id)
          default:
            break
        }
      }
      await interaction.reply({ content: staleComponent, flags: MessageFlags.Ephemeral })
    } catch (error) {
      await replyWithFailure(interaction, error, context.logger)
    }
  }
}
