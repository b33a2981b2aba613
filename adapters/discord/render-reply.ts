// Shared rendering pieces: colours, refusal embed (the rule ids and the core's message, never the refused text),
// and a plain error notice. Renders only; decides nothing.
import { EmbedBuilder } from 'discord.js'
import type { Verdict } from '../../src/core/types.js'

export const colours = { neutral: 0x5865f2, refusal: 0xed4245, success: 0x57f287, warning: 0xfee75c } as const

/** What a member sees when the safety check refuses: which rules, and the core's explanation. */
export function refusalEmbed(verdict: Verdict, message: string): EmbedBuilder {
  const rules = verdict.ruleIds.length > 0 ? verdict.ruleIds.map((rule) => `\`${rule}\``).join(', ') : 'the safety spec'
  return new EmbedBuilder()
    .setColor(colours.refusal)
    .setTitle('Not shown: the safety check refused this')
    .setDescription(truncate(message, 3500))
    .addFields({ name: verdict.ruleIds.length > 1 ? 'Rules' : 'Rule', value: truncate(rules, 1024) })
    .setFooter({ text: verdict.stage === 'request' ? 'Checked before writing anything.' : 'The text was checked after writing and withheld.' })
}

export function refusalText(verdict: Verdict, message: string): string {
  const rules = verdict.ruleIds.length > 0 ? verdict.ruleIds.map((rule) => `\`${rule}\``).join(', ') : 'the safety spec'
  return `Not shown: the safety check refused this (${verdict.ruleIds.length > 1 ? 'rules' : 'rule'} ${rules}).\n${message}`
}

export function noticeEmbed(text: string, colour: number = colours.warning): EmbedBuilder {
  return new EmbedBuilder().setColor(colour).setDescription(truncate(text, 4000))
}

export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`
}

/** Discord's timestamp markup, shown in each reader's own time zone. */
export function discordTime(milliseconds: number, style: 'd' | 'D' | 'f' | 'R' = 'f'): string {
  return `<t:${Math.floor(milliseconds / 1000)}:${style}>`
}
