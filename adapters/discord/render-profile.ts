// Renders a member's own profile (consent, hypotheses with evidence and confidence, measured style) with the controls
// to edit, pin, delete or add hypotheses, learn from history and forget. Shown only to that member, ephemerally.
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, LabelBuilder, ModalBuilder, StringSelectMenuBuilder, TextInputBuilder, TextInputStyle } from 'discord.js'
import type { Hypothesis, HypothesisCategory, Profile, StyleSummary } from '../../src/core/types.js'
import { encodeCustomId } from './custom-ids.js'
import { colours, discordTime, percent, truncate } from './render-reply.js'

export const categoryTitles: Record<HypothesisCategory, string> = {
  communication_strategy: 'Communication strategies',
  personality: 'Personality (as it shows in writing)',
  writing_style: 'Writing style',
}

export function optInButtonRow() {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'optin' })).setLabel('Opt in').setStyle(ButtonStyle.Primary),
  )
}

export function renderProfile(profile: Profile) {
  if (!profile.optedIn) {
    const embed = new EmbedBuilder()
      .setColor(colours.neutral)
      .setTitle('You have not opted in')
      .setDescription(`Nothing is stored about you. If you opt in: ${profile.consentStatement}`)
    return { content: '', embeds: [embed], components: [optInButtonRow()] }
  }
  const summary = new EmbedBuilder().setColor(colours.neutral).setTitle('What hyperalign learned about you')
  const consent = profile.consent
  const lines = [
    consent ? `Opted in ${discordTime(consent.at, 'D')}${consent.via === 'admin' ? ' by an admin (you can opt out any time)' : consent.via === 'import' ? ' for an import' : ''}.` : 'Opted in.',
    `${profile.historySize} of your messages are kept, each for ${profile.retentionDays} days.`,
    profile.lastLearnedAt ? `Last learned ${discordTime(profile.lastLearnedAt, 'R')} (version ${profile.hypothesesVersion}).` : 'Not learned yet.',
  ]
  if (profile.learning.due) lines.push(`${profile.learning.newMessagesSinceLearn} new messages are waiting to be learned from.`)
  if (profile.learning.lastError) lines.push(`Last learning attempt failed: ${truncate(profile.learning.lastError, 200)}`)
  const latest = profile.changes.at(-1)
  if (latest && (latest.added.length > 0 || latest.removed.length > 0)) {
    lines.push(`Latest change (version ${latest.version}, by ${latest.by === 'member' ? 'you' : 'learning'}): ${latest.added.length} added, ${latest.removed.length} removed.`)
  }
  if (latest?.note) lines.push(`Learning ${latest.note}.`)
  summary.setDescription(lines.join('\n'))
  for (const category of Object.keys(categoryTitles) as HypothesisCategory[]) {
    const hypotheses = profile.hypotheses.filter((hypothesis) => hypothesis.category === category)
    if (hypotheses.length === 0) continue
    summary.addFields({ name: categoryTitles[category], value: truncate(hypotheses.map(hypothesisLine).join('\n'), 1024) })
  }
  if (profile.hypotheses.length === 0) summary.addFields({ name: 'Hypotheses', value: 'None yet. They appear once enough of your writing has been seen.' })

  const embeds = [summary]
  if (profile.attributes) embeds.push(styleEmbed(profile.attributes))

  const rows: ActionRowBuilder<StringSelectMenuBuilder | ButtonBuilder>[] = []
  if (profile.hypotheses.length > 0) {
    const select = new StringSelectMenuBuilder()
      .setCustomId(encodeCustomId({ kind: 'hypothesis-select' }))
      .setPlaceholder('Edit, pin or delete a hypothesis…')
      .addOptions(
        profile.hypotheses.slice(0, 25).map((hypothesis) => ({
          label: truncate(hypothesis.statement, 100),
          value: hypothesis.id,
          description: truncate(`${categoryTitles[hypothesis.category]} · ${percent(hypothesis.confidence)}${hypothesis.pinned ? ' · pinned' : ''}`, 100),
        })),
      )
    rows.push(new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select))
  }
  rows.push(
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'hypothesis-add' })).setLabel('Add a hypothesis').setStyle(ButtonStyle.Secondary),
      new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'backfill' })).setLabel('Learn from my recent messages').setStyle(ButtonStyle.Secondary),
      new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'forget-ask' })).setLabel('Forget me').setStyle(ButtonStyle.Danger),
    ),
  )
  return { content: '', embeds, components: rows }
}

function hypothesisLine(hypothesis: Hypothesis): string {
  const marks = [`${percent(hypothesis.confidence)} confident`]
  if (hypothesis.pinned) marks.push('pinned')
  if (hypothesis.source === 'member') marks.push('written by you')
  const evidence = hypothesis.evidence?.[0] ? `\n  ↳ “${truncate(hypothesis.evidence[0].replace(/\s+/g, ' '), 90)}”` : ''
  return `• ${truncate(hypothesis.statement, 200)} (${marks.join(', ')})${evidence}`
}

export function styleEmbed(style: StyleSummary): EmbedBuilder {
  const rate = (value: number) => percent(value)
  const list = (values: string[]) => (values.length > 0 ? values.slice(0, 6).map((value) => `“${truncate(value, 30)}”`).join(', ') : 'none seen')
  return new EmbedBuilder()
    .setColor(colours.neutral)
    .setTitle('Your measured style')
    .setDescription(`From ${style.messages} messages.`)
    .addFields(
      { name: 'Length', value: `${style.words.median} words typical (mean ${style.words.mean.toFixed(1)}, long ones ${style.words.p90}); ${style.sentencesPerMessage.toFixed(1)} sentences each`, inline: false },
      { name: 'Casing and punctuation', value: `starts lowercase ${rate(style.lowercaseStartRate)} · ends with punctuation ${rate(style.endsWithPunctuationRate)} · questions ${rate(style.questionRate)} · exclamations ${rate(style.exclamationRate)}`, inline: false },
      { name: 'Habits', value: `emoji ${rate(style.emojiRate)} · contractions ${rate(style.contractionRate)} · code ${rate(style.codeRate)} · links ${rate(style.linkRate)}`, inline: false },
      { name: 'Greetings and sign-offs', value: truncate(`${list(style.greetings)} / ${list(style.signOffs)}`, 1024), inline: false },
      { name: 'Favourite function words', value: truncate(style.topFunctionWords.slice(0, 12).join(', ') || 'not enough text yet', 1024), inline: false },
    )
}

export function renderHypothesis(hypothesis: Hypothesis) {
  const embed = new EmbedBuilder()
    .setColor(colours.neutral)
    .setTitle(categoryTitles[hypothesis.category])
    .setDescription(truncate(hypothesis.statement, 2000))
    .addFields(
      { name: 'Confidence', value: percent(hypothesis.confidence), inline: true },
      { name: 'Source', value: hypothesis.source === 'member' ? 'written by you' : 'inferred', inline: true },
      { name: 'Pinned', value: hypothesis.pinned ? 'yes (learning will not change it)' : 'no', inline: true },
    )
  const evidence = hypothesis.evidence ?? []
  if (evidence.length > 0) {
    embed.addFields({ name: 'Evidence from your messages', value: truncate(evidence.slice(0, 5).map((quote) => `> ${truncate(quote.replace(/\s+/g, ' '), 180)}`).join('\n'), 1024) })
  }
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'hypothesis-edit', hypothesisId: hypothesis.id })).setLabel('Correct').setStyle(ButtonStyle.Primary),
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: 'hypothesis-pin', hypothesisId: hypothesis.id, pinned: !hypothesis.pinned }))
      .setLabel(hypothesis.pinned ? 'Unpin' : 'Pin')
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'hypothesis-delete', hypothesisId: hypothesis.id })).setLabel('Delete').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'profile' })).setLabel('Back to profile').setStyle(ButtonStyle.Secondary),
  )
  return { content: '', embeds: [embed], components: [row] }
}

export function hypothesisModal(options: { hypothesisId?: string; statement?: string }): ModalBuilder {
  const input = new TextInputBuilder().setCustomId('statement').setStyle(TextInputStyle.Paragraph).setRequired(true).setMinLength(3).setMaxLength(500)
  if (options.statement) input.setValue(options.statement.slice(0, 500))
  const label = new LabelBuilder().setLabel('Hypothesis').setDescription('A short statement about how you communicate.').setTextInputComponent(input)
  const modal = new ModalBuilder()
    .setCustomId(encodeCustomId(options.hypothesisId ? { kind: 'hypothesis-edit-modal', hypothesisId: options.hypothesisId } : { kind: 'hypothesis-add-modal' }))
    .setTitle(options.hypothesisId ? 'Correct a hypothesis' : 'Add a hypothesis')
  if (!options.hypothesisId) {
    const category = new StringSelectMenuBuilder()
      .setCustomId('category')
      .setRequired(true)
      .addOptions(Object.entries(categoryTitles).map(([value, label]) => ({ label, value })))
    modal.addLabelComponents(new LabelBuilder().setLabel('Category').setStringSelectMenuComponent(category))
  }
  return modal.addLabelComponents(label)
}

export function forgetConfirmation() {
  const embed = new EmbedBuilder()
    .setColor(colours.refusal)
    .setTitle('Forget everything about you?')
    .setDescription('This erases, in this server, every message of yours that was kept, your measured style, every hypothesis, your drafts and the audit entries about you, and opts you out. It cannot be undone.')
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'forget-confirm' })).setLabel('Yes, forget me').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: 'forget-cancel' })).setLabel('Cancel').setStyle(ButtonStyle.Secondary),
  )
  return { content: '', embeds: [embed], components: [row] }
}
