// Builders for Discord API v10 interaction payloads (slash and message commands, buttons, selects, modal submits)
// as Discord sends them in INTERACTION_CREATE. Test data only; the permissions field is what Discord computed.
import { fakeIds, makeGuildMember, makeTextChannel, memberPermissions, nextSnowflake, permissionBits, type FakeChannel, type FakeMessage, type FakeUser } from './fake-discord-payloads.js'

type InteractionBase = {
  guildId?: string | null
  channel?: FakeChannel
  user: FakeUser
  /** Permission bitfield string of the invoking member (guild only); Discord computes it, so it is authoritative. */
  permissions?: string
  id?: string
  token?: string
}

function interactionEnvelope(type: number, base: InteractionBase) {
  const id = base.id ?? nextSnowflake()
  const guildId = base.guildId === null ? undefined : (base.guildId ?? fakeIds.guild)
  const channel = base.channel ?? makeTextChannel(fakeIds.publicChannel, 'general')
  const appPermissions = String(BigInt(memberPermissions) | permissionBits.embedLinks)
  return {
    id,
    application_id: fakeIds.application,
    type,
    token: base.token ?? `fake-interaction-token-${id}`,
    version: 1,
    locale: 'en-US',
    app_permissions: appPermissions,
    entitlements: [],
    attachment_size_limit: 10_485_760,
    channel_id: channel.id,
    channel: { ...channel },
    ...(guildId
      ? {
          guild_id: guildId,
          guild_locale: 'en-US',
          guild: { id: guildId, locale: 'en-US', features: [] },
          member: makeGuildMember(base.user, { permissions: base.permissions ?? memberPermissions }),
          authorizing_integration_owners: { '0': guildId },
          context: 0,
        }
      : { user: base.user, authorizing_integration_owners: { '0': fakeIds.guild }, context: 1 }),
  }
}

export type SlashOption = { name: string; type: number; value?: string | number | boolean; options?: SlashOption[] }

/** A CHAT_INPUT command interaction. Options are the raw API option tree (subcommands nest). */
export function makeSlashInteraction(base: InteractionBase & { name: string; options?: SlashOption[]; resolved?: unknown }) {
  return {
    ...interactionEnvelope(2, base),
    data: {
      id: commandIdFor(base.name),
      name: base.name,
      type: 1,
      options: base.options ?? [],
      ...(base.resolved ? { resolved: base.resolved } : {}),
      ...(base.guildId === null ? {} : { guild_id: base.guildId ?? fakeIds.guild }),
    },
  }
}

/** A MESSAGE context-menu command interaction on `target`. */
export function makeMessageCommandInteraction(base: InteractionBase & { name: string; target: FakeMessage }) {
  return {
    ...interactionEnvelope(2, base),
    data: {
      id: commandIdFor(base.name),
      name: base.name,
      type: 3,
      target_id: base.target.id,
      resolved: { messages: { [base.target.id]: base.target } },
    },
  }
}

/** A button click (MESSAGE_COMPONENT) on `message`, which is the message that carried the button. */
export function makeButtonInteraction(base: InteractionBase & { customId: string; message: FakeMessage; ephemeral?: boolean }) {
  const message = base.ephemeral ? { ...base.message, flags: base.message.flags | 64 } : base.message
  return { ...interactionEnvelope(3, base), message, data: { custom_id: base.customId, component_type: 2 } }
}

/** A string select choice (MESSAGE_COMPONENT with component_type 3). */
export function makeSelectInteraction(base: InteractionBase & { customId: string; values: string[]; message: FakeMessage }) {
  return { ...interactionEnvelope(3, base), message: base.message, data: { custom_id: base.customId, component_type: 3, values: base.values } }
}

/** A modal submission with text inputs, in the label layout discord.js 14.28 parses. */
export function makeModalSubmitInteraction(base: InteractionBase & { customId: string; fields: Record<string, string>; message?: FakeMessage }) {
  return {
    ...interactionEnvelope(5, base),
    ...(base.message ? { message: base.message } : {}),
    data: {
      custom_id: base.customId,
      // Type 18 is a Label wrapping one text input (type 4), the layout Discord sends for label-based modals.
      components: Object.entries(base.fields).map(([customId, value], index) => ({ type: 18, id: index + 1, component: { type: 4, id: index + 100, custom_id: customId, value } })),
    },
  }
}

function commandIdFor(name: string): string {
  let hash = 0n
  for (const character of name) hash = (hash * 31n + BigInt(character.charCodeAt(0))) % 1_000_000_000n
  return (300_000_000_000_000_000n + hash).toString()
}
