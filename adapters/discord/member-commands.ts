// /hyperalign help | optin | optout | profile | learn-history | forget, and the profile's controls (edit, pin, delete,
// add a hypothesis; forget with confirmation). Every result is shown only to the member; the core decides consent.
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type RepliableInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { Actor, ForgetReport, HypothesisCategory, HypothesisEdit } from '../../src/core/types.js'
import { requireActor } from './discord-actor.js'
import type { DiscordContext } from './discord-context.js'
import { encodeCustomId, type CustomId } from './custom-ids.js'
import { runBackfill } from './backfill.js'
import { colours } from './render-reply.js'
import { forgetConfirmation, hypothesisModal, renderHypothesis, renderProfile } from './render-profile.js'

const helpText = [
  '**hyperalign** learns how you write, only if you opt in, and only in channels your admins allow.',
  '• `/ask` (or mention me, or DM me): answers shaped the way you like to be spoken to, shown only to you.',
  '• `/draft` and the message menu *Apps → Draft a reply in my voice*: a draft in your voice, only for you, posted only if you click Post (labelled as AI-drafted).',
  '• `/hyperalign optin` / `optout`: start or stop. Opting out erases everything learned about you.',
  '• `/hyperalign profile`: see, correct, pin or delete what was learned, and your measured style.',
  '• `/hyperalign learn-history`: learn from your recent messages.',
  '• `/hyperalign forget`: erase everything about you, after a confirmation.',
  'Kept: the text of your messages in allowed channels (for the retention period your admins set), your measured style, the hypotheses and your drafts. Direct messages are never learned from.',
].join('\n')

export async function handleMemberCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const actor = requireActor(interaction)
  switch (interaction.options.getSubcommand()) {
    case 'help':
      await interaction.editReply({ content: helpText })
      return
    case 'optin':
      await optIn(context, interaction, actor)
      return
    case 'optout': {
      const outcome = await context.core.setConsent(actor, actor.member, false)
      await interaction.editReply({ content: `You are opted out. ${erasedLine(outcome.erased)} Nothing more is learned about you here.`, embeds: [], components: [] })
      return
    }
    case 'profile':
      await interaction.editReply(renderProfile(await context.core.profile(actor, actor.member)))
      return
    case 'learn-history':
      await backfill(context, interaction, actor)
      return
    case 'forget':
      await interaction.editReply(forgetConfirmation())
      return
    default:
      throw new BotError('input_invalid', 'unknown subcommand', { userMessage: 'I do not know that command. Try `/hyperalign help`.' })
  }
}

/** Buttons and selects on the member's own ephemeral messages. */
export async function handleMemberComponent(context: DiscordContext, interaction: ButtonInteraction | StringSelectMenuInteraction, id: CustomId): Promise<void> {
  const actor = requireActor(interaction)
  switch (id.kind) {
    case 'hypothesis-edit': {
      const hypothesis = await findHypothesis(context, actor, id.hypothesisId)
      await interaction.showModal(hypothesisModal({ hypothesisId: hypothesis.id, statement: hypothesis.statement }))
      return
    }
    case 'hypothesis-add':
      await interaction.showModal(hypothesisModal({}))
      return
    default:
      break
  }
  await interaction.deferUpdate()
  switch (id.kind) {
    case 'optin':
      await optIn(context, interaction, actor)
      return
    case 'backfill':
      await backfill(context, interaction, actor)
      return
    case 'forget-ask':
      await interaction.editReply(forgetConfirmation())
      return
    case 'forget-confirm': {
      const report = await context.core.forget(actor, actor.member)
      await interaction.editReply({ content: `Forgotten. ${erasedLine(report)} You are opted out.`, embeds: [], components: [] })
      return
    }
    case 'forget-cancel':
      await interaction.editReply({ content: 'Cancelled. Nothing was erased.', embeds: [], components: [] })
      return
    case 'profile':
      await interaction.editReply(renderProfile(await context.core.profile(actor, actor.member)))
      return
    case 'hypothesis-select': {
      const selected = interaction.isStringSelectMenu() ? interaction.values[0] : undefined
      await interaction.editReply(renderHypothesis(await findHypothesis(context, actor, selected ?? '')))
      return
    }
    case 'hypothesis-pin':
      await editAndShow(context, interaction, actor, { action: 'pin', hypothesisId: id.hypothesisId, pinned: id.pinned }, id.hypothesisId)
      return
    case 'hypothesis-delete': {
      const profile = await context.core.editHypothesis(actor, actor.member, { action: 'delete', hypothesisId: id.hypothesisId })
      await interaction.editReply(renderProfile(profile))
      return
    }
    default:
      throw new BotError('input_invalid', `unexpected member component ${id.kind}`, { userMessage: 'That button is out of date. Run `/hyperalign profile` again.' })
  }
}

export async function handleHypothesisModal(context: DiscordContext, interaction: ModalSubmitInteraction, id: CustomId): Promise<void> {
  const actor = requireActor(interaction)
  if (interaction.isFromMessage()) await interaction.deferUpdate()
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const statement = interaction.fields.getTextInputValue('statement').trim()
  if (id.kind === 'hypothesis-edit-modal') {
    await editAndShow(context, interaction, actor, { action: 'correct', hypothesisId: id.hypothesisId, statement }, id.hypothesisId)
    return
  }
  const category = (interaction.fields.getStringSelectValues('category')[0] ?? 'writing_style') as HypothesisCategory
  const profile = await context.core.editHypothesis(actor, actor.member, { action: 'add', category, statement })
  await interaction.editReply(renderProfile(profile))
}

async function editAndShow(context: DiscordContext, interaction: RepliableInteraction, actor: Actor, edit: HypothesisEdit, hypothesisId: string) {
  const profile = await context.core.editHypothesis(actor, actor.member, edit)
  const hypothesis = profile.hypotheses.find((candidate) => candidate.id === hypothesisId)
  await interaction.editReply(hypothesis ? renderHypothesis(hypothesis) : renderProfile(profile))
}

async function findHypothesis(context: DiscordContext, actor: Actor, hypothesisId: string) {
  const profile = await context.core.profile(actor, actor.member)
  const hypothesis = profile.hypotheses.find((candidate) => candidate.id === hypothesisId)
  if (!hypothesis) throw new BotError('not_found', 'hypothesis not found', { userMessage: 'That hypothesis is gone (it may have been relearned). Run `/hyperalign profile` again.' })
  return hypothesis
}

async function optIn(context: DiscordContext, interaction: RepliableInteraction, actor: Actor) {
  const outcome = await context.core.setConsent(actor, actor.member, true)
  const profile = await context.core.profile(actor, actor.member)
  const embed = new EmbedBuilder()
    .setColor(colours.success)
    .setTitle('You are opted in')
    .setDescription(
      [
        profile.consentStatement,
        `In this server messages are kept for ${profile.retentionDays} days. Direct messages are never learned from. See or correct everything with \`/hyperalign profile\`; \`/hyperalign optout\` or \`/hyperalign forget\` erases it all.`,
        'Want me to learn from your recent messages now?',
      ].join('\n\n'),
    )
    .setFooter({ text: `Policy version ${outcome.record.policyVersion}` })
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'backfill' })).setLabel('Learn from my recent messages').setStyle(ButtonStyle.Primary),
  )
  await interaction.editReply({ content: '', embeds: [embed], components: [row] })
}

async function backfill(context: DiscordContext, interaction: RepliableInteraction, actor: Actor) {
  const guild = interaction.guild ?? (interaction.guildId ? await context.client.guilds.fetch(interaction.guildId) : null)
  if (!guild) throw new BotError('input_invalid', 'backfill outside a server', { userMessage: 'Run this inside your server.' })
  const report = await runBackfill(context, interaction, guild, actor.member)
  if (report.learned > 0) {
    // Learning calls the model; the member already has their report, so it runs in the background.
    context.core.learn(actor, actor.member).catch((error: unknown) => context.logger.warn('discord_learn_after_backfill_failed', { error }))
  }
}

function erasedLine(report: ForgetReport | undefined): string {
  if (!report) return ''
  return `Erased ${report.messages} messages, ${report.hypotheses} hypotheses, ${report.drafts} drafts and ${report.auditEntries + report.otherRecords} other records.`
}
