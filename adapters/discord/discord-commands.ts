// The application commands this app registers (slash commands and the message context-menu command), as REST JSON.
// Admin commands carry default_member_permissions = Manage Server; the core re-checks every admin action anyway.
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js'

export const commandNames = {
  ask: 'ask',
  draft: 'draft',
  draftReply: 'Draft a reply in my voice',
  member: 'hyperalign',
  admin: 'hyperalign-admin',
} as const

/** Discord's own cap on a string option; the core applies MAX_INPUT_CHARS on top and explains when it is hit. */
const stringOptionLimit = 6000

export function discordCommands(options: { maxInputChars: number }): RESTPostAPIApplicationCommandsJSONBody[] {
  const inputLimit = Math.min(stringOptionLimit, options.maxInputChars)
  const ask = new SlashCommandBuilder()
    .setName(commandNames.ask)
    .setDescription('Ask a question; the answer is shaped the way you like to be spoken to.')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .addStringOption((option) => option.setName('question').setDescription('Your question').setRequired(true).setMaxLength(inputLimit))

  const draft = new SlashCommandBuilder()
    .setName(commandNames.draft)
    .setDescription('Draft a message in your own voice. Only you see it until you click Post.')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) => option.setName('intent').setDescription('What you want to say').setRequired(true).setMaxLength(inputLimit))

  const draftReply = new ContextMenuCommandBuilder()
    .setName(commandNames.draftReply)
    .setType(ApplicationCommandType.Message)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)

  const member = new SlashCommandBuilder()
    .setName(commandNames.member)
    .setDescription('Your hyperalign settings: opt in or out, see and edit what was learned, forget me.')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((command) => command.setName('help').setDescription('What hyperalign does and what it stores'))
    .addSubcommand((command) => command.setName('optin').setDescription('Let hyperalign learn how you write in this server'))
    .addSubcommand((command) => command.setName('optout').setDescription('Stop learning and erase everything learned about you'))
    .addSubcommand((command) => command.setName('profile').setDescription('See, correct or delete what was learned about you'))
    .addSubcommand((command) => command.setName('learn-history').setDescription('Learn from your recent messages in channels where learning is on'))
    .addSubcommand((command) => command.setName('forget').setDescription('Erase everything hyperalign stored about you (asks first)'))

  const admin = new SlashCommandBuilder()
    .setName(commandNames.admin)
    .setDescription('Server settings for hyperalign (Manage Server)')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((command) => command.setName('status').setDescription('Policy and counts for this server'))
    .addSubcommand((command) =>
      command
        .setName('enable')
        .setDescription('Switch hyperalign on or off in this server')
        .addBooleanOption((option) => option.setName('enabled').setDescription('On or off').setRequired(true)),
    )
    .addSubcommandGroup((group) =>
      group
        .setName('learning')
        .setDescription('Channels where hyperalign may learn from opted-in members')
        .addSubcommand((command) =>
          command
            .setName('allow')
            .setDescription('Allow learning in a channel')
            .addChannelOption((option) =>
              option.setName('channel').setDescription('Channel').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum),
            ),
        )
        .addSubcommand((command) =>
          command
            .setName('deny')
            .setDescription('Stop learning in a channel')
            .addChannelOption((option) =>
              option.setName('channel').setDescription('Channel').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum),
            ),
        )
        .addSubcommand((command) => command.setName('all-public').setDescription('Allow learning in every public channel'))
        .addSubcommand((command) => command.setName('none').setDescription('Stop learning everywhere')),
    )
    .addSubcommand((command) =>
      command
        .setName('retention')
        .setDescription('How many days learned messages are kept')
        .addIntegerOption((option) => option.setName('days').setDescription('Days (1 to 3650)').setRequired(true).setMinValue(1).setMaxValue(3650)),
    )
    .addSubcommand((command) =>
      command
        .setName('consent-mode')
        .setDescription('Who opts members in')
        .addStringOption((option) =>
          option
            .setName('mode')
            .setDescription('member: each member opts in; admin: admins opt members in and they are told')
            .setRequired(true)
            .addChoices({ name: 'member (default)', value: 'member' }, { name: 'admin', value: 'admin' }),
        ),
    )
    .addSubcommand((command) =>
      command
        .setName('member')
        .setDescription("Opt a member out (or in, in the admin consent mode; they are told by DM)")
        .addUserOption((option) => option.setName('user').setDescription('Member').setRequired(true))
        .addBooleanOption((option) => option.setName('opted-in').setDescription('Opted in?').setRequired(true)),
    )
    .addSubcommand((command) => command.setName('members').setDescription('Members who opted in'))
    .addSubcommand((command) =>
      command
        .setName('audit')
        .setDescription('Safety audit log (refusals with rule ids)')
        .addIntegerOption((option) => option.setName('limit').setDescription('Entries (1 to 25)').setMinValue(1).setMaxValue(25)),
    )

  return [ask.toJSON(), draft.toJSON(), draftReply.toJSON(), member.toJSON(), admin.toJSON()]
}
