// Renders a draft as an ephemeral embed with its style-match score, the hypotheses that shaped it, and the
// Post / Edit / Regenerate / Discard buttons; also the Edit modal and the "posted" confirmation. Renders only.
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js'
import type { DraftResult } from '../../src/core/types.js'
import { encodeCustomId } from './custom-ids.js'
import { colours, percent, refusalEmbed, truncate } from './render-reply.js'

type Drafted = Extract<DraftResult, { status: 'drafted' }>

/** Discord caps an embed description at 4,096 characters and a modal text input at 4,000. */
const embedDescriptionLimit = 4096
export const modalTextLimit = 4000

/**
 * Post publishes exactly what the member saw. A draft longer than an embed can show was never seen in full, so it
 * cannot be posted from Discord (the member regenerates or asks for something shorter); anything shorter is.
 */
export const postableDraftLimit = embedDescriptionLimit
export const isPostable = (text: string) => text.length <= postableDraftLimit

export function renderDraftResult(result: DraftResult, options: { replyTo?: string } = {}) {
  if (result.status === 'refused') return { content: '', embeds: [refusalEmbed(result.verdict, result.message)], components: [] }
  return renderDraft(result, options)
}

export function renderDraft(result: Drafted, options: { replyTo?: string } = {}) {
  const embed = new EmbedBuilder()
    .setColor(colours.neutral)
    .setTitle(options.replyTo ? 'Reply drafted in your voice' : 'Drafted in your voice')
    .setDescription(truncate(result.text, embedDescriptionLimit))
    .addFields({ name: 'Style match', value: styleMatchLine(result.styleMatch), inline: true })
  if (result.hypothesesUsed.length > 0) {
    const lines = result.hypothesesUsed.slice(0, 5).map((hypothesis) => `• ${truncate(hypothesis.statement, 180)}`)
    embed.addFields({ name: 'Shaped by', value: truncate(lines.join('\n'), 1024) })
  }
  const postable = isPostable(result.text)
  const footer = ['Only you can see this. Nothing is posted until you click Post; a posted draft is labelled as AI-drafted.']
  if (!postable) {
    footer.push(`This draft is ${count(result.text.length)} characters and Discord shows at most ${count(postableDraftLimit)}, so it cannot be posted from here: Regenerate it, or ask for something shorter.`)
  } else if (result.text.length > 2000) footer.push('It is long, so Post sends it as several messages, each labelled.')
  if (result.notice) footer.unshift(result.notice)
  embed.setFooter({ text: truncate(footer.join(' '), 2048) })
  const replyTo = options.replyTo
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'draft-post', draftId: result.draftId, replyTo })).setLabel('Post').setStyle(ButtonStyle.Success).setDisabled(!postable),
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: 'draft-edit', draftId: result.draftId, replyTo }))
      .setLabel('Edit')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(result.text.length > modalTextLimit),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'draft-regenerate', draftId: result.draftId, replyTo })).setLabel('Regenerate').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'draft-discard', draftId: result.draftId })).setLabel('Discard').setStyle(ButtonStyle.Danger),
  )
  return { content: '', embeds: [embed], components: [buttons] }
}

const count = (value: number) => value.toLocaleString('en-US')

export function styleMatchLine(styleMatch: number | undefined): string {
  if (styleMatch === undefined) return 'Not measured yet: too little of your writing is known.'
  const filled = Math.max(0, Math.min(10, Math.round(styleMatch * 10)))
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${percent(styleMatch)} (100% = like your own writing)`
}

export function draftEditModal(draftId: string, text: string, replyTo?: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ kind: 'draft-edit-modal', draftId, replyTo }))
    .setTitle('Edit, then post')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('Your message')
        .setDescription('Submitting posts it, labelled as AI-drafted and edited by you.')
        .setTextInputComponent(
          new TextInputBuilder().setCustomId('text').setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(modalTextLimit).setValue(text.slice(0, modalTextLimit)),
        ),
    )
}

export function replyIntentModal(channelId: string, messageId: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ kind: 'reply-modal', channelId, messageId }))
    .setTitle('Draft a reply in my voice')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('What do you want to say? (optional)')
        .setDescription('Leave empty for a fitting reply to the message.')
        .setTextInputComponent(new TextInputBuilder().setCustomId('intent').setStyle(TextInputStyle.Paragraph).setRequired(false).setMaxLength(modalTextLimit)),
    )
}

export function postedNotice(links: string[]) {
  const embed = new EmbedBuilder().setColor(colours.success).setDescription(`Posted, labelled as AI-drafted. ${links[0] ? `[Jump to it](${links[0]})` : ''}`.trim())
  return { content: '', embeds: [embed], components: [] }
}

export function discardedNotice() {
  return { content: '', embeds: [new EmbedBuilder().setColor(colours.neutral).setDescription('Discarded. Nothing was posted.')], components: [] }
}
