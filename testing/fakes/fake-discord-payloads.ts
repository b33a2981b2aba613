// Builders for Discord API v10 payloads (users, guilds, channels, messages, interactions) with scrubbed fake ids.
// Test data only: shapes follow the real API so the real discord.js parses them; never used by the bot itself.

/** Discord's epoch (2015-01-01), used to mint snowflakes whose timestamps discord.js can read. */
const discordEpoch = 1_420_070_400_000n
let snowflakeCounter = 0n

/** A fresh snowflake for "now"; monotonically increasing within the process, like Discord's. */
export function nextSnowflake(at: number = Date.now()): string {
  snowflakeCounter = (snowflakeCounter + 1n) % 4096n
  return (((BigInt(at) - discordEpoch) << 22n) | snowflakeCounter).toString()
}

export const fakeIds = {
  application: '200000000000000001',
  botUser: '200000000000000001',
  guild: '900000000000000001',
  otherGuild: '900000000000000002',
  everyoneRole: '900000000000000001',
  publicChannel: '910000000000000001',
  privateChannel: '910000000000000002',
  quietChannel: '910000000000000003',
  memberAlice: '100000000000000001',
  memberBob: '100000000000000002',
  admin: '100000000000000003',
  otherBot: '100000000000000009',
} as const

/** Permission bits used in fixtures (the real values from the Discord docs). */
export const permissionBits = {
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  embedLinks: 1n << 14n,
  readMessageHistory: 1n << 16n,
  manageGuild: 1n << 5n,
  administrator: 1n << 3n,
  useApplicationCommands: 1n << 31n,
} as const

export const memberPermissions = String(
  permissionBits.viewChannel | permissionBits.sendMessages | permissionBits.readMessageHistory | permissionBits.useApplicationCommands,
)
export const adminPermissions = String(BigInt(memberPermissions) | permissionBits.manageGuild)

export type FakeUser = { id: string; username: string; global_name: string | null; discriminator: string; avatar: null; bot?: boolean }

export function makeUser(id: string, username: string, options: { bot?: boolean } = {}): FakeUser {
  return { id, username, global_name: username, discriminator: '0', avatar: null, ...(options.bot ? { bot: true } : {}) }
}

export const fakeUsers = {
  bot: makeUser(fakeIds.botUser, 'hyperalign', { bot: true }),
  alice: makeUser(fakeIds.memberAlice, 'alice'),
  bob: makeUser(fakeIds.memberBob, 'bob'),
  admin: makeUser(fakeIds.admin, 'admin'),
  otherBot: makeUser(fakeIds.otherBot, 'otherbot', { bot: true }),
}

export type FakeChannel = {
  id: string
  type: number
  guild_id?: string
  name?: string
  position?: number
  parent_id?: string | null
  permission_overwrites?: { id: string; type: 0 | 1; allow: string; deny: string }[]
  recipients?: FakeUser[]
}

export function makeTextChannel(id: string, name: string, options: { private?: boolean; guildId?: string } = {}): FakeChannel {
  const guildId = options.guildId ?? fakeIds.guild
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    parent_id: null,
    // A private channel denies View Channel to @everyone (whose role id is the guild id).
    permission_overwrites: options.private ? [{ id: guildId, type: 0, allow: '0', deny: String(permissionBits.viewChannel) }] : [],
  }
}

export function makeDirectChannel(id: string, recipient: FakeUser): FakeChannel {
  return { id, type: 1, recipients: [recipient] }
}

export function makeGuildMember(user: FakeUser, options: { permissions?: string; roles?: string[] } = {}) {
  return {
    user,
    roles: options.roles ?? [],
    joined_at: '2024-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
  }
}

export type FakeGuild = {
  id: string
  name: string
  owner_id: string
  channels: FakeChannel[]
  members: ReturnType<typeof makeGuildMember>[]
}

export function makeGuild(options: Partial<FakeGuild> = {}): FakeGuild {
  return {
    id: options.id ?? fakeIds.guild,
    name: options.name ?? 'Fake Guild',
    owner_id: options.owner_id ?? fakeIds.admin,
    channels: options.channels ?? [
      makeTextChannel(fakeIds.publicChannel, 'general'),
      makeTextChannel(fakeIds.privateChannel, 'private-team', { private: true }),
      makeTextChannel(fakeIds.quietChannel, 'quiet'),
    ],
    members: options.members ?? [
      makeGuildMember(fakeUsers.bot),
      makeGuildMember(fakeUsers.alice),
      makeGuildMember(fakeUsers.bob),
      makeGuildMember(fakeUsers.admin),
    ],
  }
}

/** The full GUILD_CREATE payload for a guild (roles include @everyone with ordinary member rights). */
export function guildCreatePayload(guild: FakeGuild) {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.owner_id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      { id: guild.id, name: '@everyone', color: 0, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: memberPermissions, managed: false, mentionable: false, flags: 0 },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    joined_at: '2024-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: guild.members.length,
    voice_states: [],
    members: guild.members,
    channels: guild.channels.map(({ guild_id: _guildId, ...channel }) => channel),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  }
}

export type FakeMessage = {
  id: string
  channel_id: string
  guild_id?: string
  channel_type?: number
  author: FakeUser
  member?: { roles: string[]; joined_at: string; deaf: boolean; mute: boolean; flags: number }
  content: string
  timestamp: string
  edited_timestamp: string | null
  tts: boolean
  mention_everyone: boolean
  mentions: FakeUser[]
  mention_roles: string[]
  attachments: unknown[]
  embeds: unknown[]
  components?: unknown[]
  pinned: boolean
  type: number
  flags: number
  message_reference?: { message_id: string; channel_id: string; guild_id?: string }
  referenced_message?: FakeMessage | null
  webhook_id?: string
  application_id?: string
  interaction_metadata?: unknown
}

export function makeMessage(options: {
  author: FakeUser
  channelId: string
  content: string
  guildId?: string | null
  id?: string
  at?: number
  mentions?: FakeUser[]
  replyTo?: FakeMessage
  /** A system message type (18 = a thread was created, 6 = a message was pinned); default 0, or 19 for a reply. */
  type?: number
}): FakeMessage {
  const at = options.at ?? Date.now()
  const guildId = options.guildId === null ? undefined : (options.guildId ?? fakeIds.guild)
  return {
    id: options.id ?? nextSnowflake(at),
    channel_id: options.channelId,
    ...(guildId ? { guild_id: guildId, member: { roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 } } : { channel_type: 1 }),
    author: options.author,
    content: options.content,
    timestamp: new Date(at).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: options.mentions ?? [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: options.type ?? (options.replyTo ? 19 : 0),
    flags: 0,
    ...(options.replyTo
      ? { message_reference: { message_id: options.replyTo.id, channel_id: options.replyTo.channel_id, ...(guildId ? { guild_id: guildId } : {}) }, referenced_message: options.replyTo }
      : {}),
  }
}
