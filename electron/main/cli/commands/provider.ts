import {
  emailProviderInputSchema,
  smsProviderInputSchema,
  smsTextSchema,
  type EmailProviderInput,
  type EmailProviderView,
  type LastSend,
  type ProvidersView,
  type SmsProviderInput,
  type SmsProviderView,
} from '../../../shared/provider-schemas'
import {
  flagOption,
  stringOption,
  stringsOption,
  UsageError,
  type CommandContext,
  type CommandDefinition,
  type OptionSpec,
} from '../command'
import { withKeyhold } from '../open-data-dir'
import { formatFields, shortTime } from '../output'
import { checkInput, withOptionNames, type OptionNames } from './mfa'

/**
 * `keyhold provider …`: the site's SMTP server and SMS gateway. S20: secrets
 * (the SMTP and Kannel passwords, a Twilio auth token, a secret header's value)
 * come only from stdin, never from argv (visible in `ps`, kept in shell
 * history), and are never printed: views say only whether one is set.
 */
type Kind = 'email' | 'sms'

function kindArg(value: string, command: CommandDefinition): Kind {
  if (value === 'email' || value === 'sms') return value
  throw new UsageError(`the provider is email or sms, not "${value}"`, command)
}

function secretState(set: boolean): string {
  return set ? 'set (never shown)' : 'not set'
}

function describeEmail(view: EmailProviderView | null): [string, string][] {
  if (view === null) return [['Email (SMTP)', 'not set up']]
  return [
    [
      'Email (SMTP)',
      `${view.host}:${view.port}, security ${view.security}${view.unencryptedSignIn ? ' (signs in without encryption, as chosen)' : ''}`,
    ],
    ['  Sign-in', view.username === null ? 'none' : `${view.username}, password ${secretState(view.passwordSet)}`],
    ['  From', view.from],
    ['  Subject', view.subject],
    ['  Text', view.text],
  ]
}

function describeSms(view: SmsProviderView | null): [string, string][] {
  if (view === null) return [['SMS', 'not set up']]
  switch (view.kind) {
    case 'kannel':
      return [
        ['SMS', `Kannel at ${view.url}`],
        ['  User', `${view.username}, password ${secretState(view.passwordSet)}`],
        ['  Sender', view.from ?? "Kannel's default"],
      ]
    case 'http':
      return [
        ['SMS', `HTTP ${view.method} ${view.url}`],
        ...Object.entries(view.headers).map(([name, value]): [string, string] => ['  Header', `${name}: ${value}`]),
        ...view.secretHeaderNames.map((name): [string, string] => ['  Header', `${name}: (secret, never shown)`]),
        ['  Body', view.body === null ? 'none' : `${view.body} (${view.bodyEncoding}-encoded)`],
      ]
    case 'twilio':
      return [
        ['SMS', `Twilio at ${view.baseUrl}`],
        ['  Account SID', view.accountSid],
        ['  Auth token', secretState(view.authTokenSet)],
        ['  From', view.from],
      ]
    case 'email':
      return [
        ['SMS', 'as email, through the email provider'],
        ['  Address', view.addressTemplate],
      ]
  }
}

/** "sent 2026-11-28 09:00 UTC (test message to +44 •••••••958)", or the refusal after "failed". */
export function describeLastSend(last: LastSend | null): string {
  if (last === null) return 'none yet'
  const what = `${last.purpose === 'test' ? 'test message' : 'code'} to ${last.to}`
  if (last.ok) return `sent ${shortTime(last.at)} (${what})`
  return `failed ${shortTime(last.at)} (${what}): ${last.detail ?? 'no reason given'}`
}

function describeSmsCountries(countries: readonly string[] | null): string {
  return countries === null ? 'any country' : `only ${countries.join(', ')}`
}

function describeProviders(providers: ProvidersView): string {
  const lastSend = (kind: 'email' | 'sms'): [string, string][] =>
    providers[kind] === null && providers.lastSend[kind] === null
      ? []
      : [['  Last send', describeLastSend(providers.lastSend[kind])]]
  return formatFields([
    ...describeEmail(providers.email),
    ...lastSend('email'),
    ...describeSms(providers.sms),
    ...lastSend('sms'),
    ['SMS text', providers.smsText],
    ['SMS countries', describeSmsCountries(providers.smsCountries)],
  ])
}

const get: CommandDefinition = {
  words: ['provider', 'get'],
  args: [],
  options: {},
  usage: 'provider get',
  summary:
    'Show the email and SMS providers (secrets only as set or not set), the SMS text, the countries SMS may go to, and how the last send through each went',
  async run({ dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const providers = keyhold.services.providers.get()
      output.result(providers, describeProviders(providers))
    })
  },
}

/** The older name of `provider get`, kept for scripts that use it. */
const list: CommandDefinition = {
  ...get,
  words: ['provider', 'list'],
  usage: 'provider list',
  summary: 'Same as provider get',
}

/** Options that must be given, as a usage error naming all that are missing. */
function requireOptions(context: CommandContext, command: CommandDefinition, names: readonly string[], what: string) {
  const missing = names.filter((name) => stringOption(context.options, name) === undefined)
  if (missing.length > 0) {
    throw new UsageError(`${what} needs ${missing.map((name) => `--${name}`).join(', ')}`, command)
  }
}

function refuseOptions(context: CommandContext, command: CommandDefinition, names: readonly string[], what: string) {
  const wrong = names.find((name) => context.options[name] !== undefined)
  if (wrong) throw new UsageError(`--${wrong} does not go with ${what}`, command)
}

const emailNames: OptionNames = {
  host: '--host',
  port: '--port',
  security: '--security',
  username: '--username',
  password: '--password-stdin',
  unencryptedSignIn: '--unencrypted-sign-in',
  from: '--from',
  subject: '--subject',
  text: '--text',
}

const setEmail: CommandDefinition = {
  words: ['provider', 'set', 'email'],
  args: [],
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    security: { type: 'string' },
    username: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    'unencrypted-sign-in': { type: 'boolean' },
    from: { type: 'string' },
    subject: { type: 'string' },
    text: { type: 'string' },
  },
  usage:
    'provider set email --host HOST --port N --security none|starttls|tls [--username USER [--password-stdin < password]] [--unencrypted-sign-in] --from ADDRESS [--subject TEXT] [--text TEXT]',
  summary:
    'Set the SMTP server for codes and notifications; templates may use {code} {minutes} {account} {site}; without --password-stdin a stored password is kept while the server, user and security stay the same; --unencrypted-sign-in is needed to sign in with --security none (the password then crosses the network in clear)',
  async run(context) {
    const { options } = context
    requireOptions(context, setEmail, ['host', 'port', 'security', 'from'], 'provider set email')
    const port = stringOption(options, 'port')!
    if (!/^\d{1,5}$/.test(port)) throw new UsageError('--port must be a whole number from 1 to 65535', setEmail)
    const input: EmailProviderInput = {
      host: stringOption(options, 'host')!,
      port: Number(port),
      security: stringOption(options, 'security') as EmailProviderInput['security'],
      username: stringOption(options, 'username') ?? null,
      unencryptedSignIn: flagOption(options, 'unencrypted-sign-in'),
      from: stringOption(options, 'from')!,
      subject: stringOption(options, 'subject'),
      text: stringOption(options, 'text'),
    }
    // Checked before the password is read, so a typo does not cost the operator a password prompt.
    checkInput(emailProviderInputSchema, input, emailNames)
    const password = flagOption(options, 'password-stdin') ? await context.readPassword() : undefined
    await withKeyhold(context.dataDir, { mustExist: true }, async (keyhold) => {
      const view = await withOptionNames(emailNames, () =>
        keyhold.services.providers.setEmail(
          { ...input, ...(password === undefined ? {} : { password }) },
          context.actor,
        ),
      )
      context.output.result(view, `Set the email provider.\n\n${formatFields(describeEmail(view))}`)
    })
  },
}

const smsNames: OptionNames = {
  kind: '--kind',
  url: '--url',
  username: '--username',
  password: '--password-stdin',
  from: '--from',
  method: '--method',
  headers: '--header',
  secretHeaders: '--secret-header',
  body: '--body',
  bodyEncoding: '--body-encoding',
  accountSid: '--account-sid',
  authToken: '--auth-token-stdin',
  baseUrl: '--base-url',
  addressTemplate: '--address',
  '': '--text',
}

/** Which options each kind takes; the others are refused, so a mistyped kind does not pass unnoticed. */
const smsKindOptions = {
  kannel: ['url', 'username', 'password-stdin', 'from'],
  http: ['method', 'url', 'header', 'secret-header', 'body', 'body-encoding'],
  twilio: ['account-sid', 'auth-token-stdin', 'from', 'base-url'],
  email: ['address'],
} as const

type SmsKind = keyof typeof smsKindOptions
const smsKinds = Object.keys(smsKindOptions) as SmsKind[]
const isSmsKind = (kind: string | undefined): kind is SmsKind => smsKinds.includes(kind as SmsKind)
const smsKindList = `${smsKinds.slice(0, -1).join(', ')} or ${smsKinds.at(-1)}`

const smsOptions: Record<string, OptionSpec> = {
  kind: { type: 'string' },
  url: { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  from: { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string', multiple: true },
  'secret-header': { type: 'string' },
  body: { type: 'string' },
  'body-encoding': { type: 'string' },
  'account-sid': { type: 'string' },
  'auth-token-stdin': { type: 'boolean' },
  'base-url': { type: 'string' },
  address: { type: 'string' },
  text: { type: 'string' },
}

/** `--header 'Name: value'`, as curl takes it. */
function parseHeaders(values: readonly string[], command: CommandDefinition): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const value of values) {
    const colon = value.indexOf(':')
    const name = colon > 0 ? value.slice(0, colon).trim() : ''
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`--header must look like "Name: value", not "${value}"`, command)
    }
    headers[name] = value.slice(colon + 1).trim()
  }
  return headers
}

/** The input without its secret (read from stdin later), and where the secret goes. */
function smsInput(context: CommandContext, command: CommandDefinition): { input: SmsProviderInput; secret?: string } {
  const { options } = context
  const kind = stringOption(options, 'kind')
  if (!isSmsKind(kind)) {
    throw new UsageError(
      kind === undefined
        ? `provider set sms needs --kind ${smsKindList}`
        : `--kind must be ${smsKindList}, not "${kind}"`,
      command,
    )
  }
  const others = Object.entries(smsKindOptions)
    .filter(([other]) => other !== kind)
    .flatMap(([, names]) => names)
    .filter((name) => !(smsKindOptions[kind] as readonly string[]).includes(name))
  refuseOptions(context, command, others, `--kind ${kind}`)
  const value = (name: string) => stringOption(options, name)
  switch (kind) {
    case 'kannel':
      requireOptions(context, command, ['url', 'username'], '--kind kannel')
      return {
        input: { kind, url: value('url')!, username: value('username')!, from: value('from') ?? null },
        ...(flagOption(options, 'password-stdin') ? { secret: 'password' } : {}),
      }
    case 'http': {
      requireOptions(context, command, ['method', 'url'], '--kind http')
      const secretHeader = value('secret-header')
      return {
        input: {
          kind,
          method: value('method')!.toUpperCase() as 'GET' | 'POST',
          url: value('url')!,
          headers: parseHeaders(stringsOption(options, 'header'), command),
          body: value('body') ?? null,
          bodyEncoding: value('body-encoding') as 'url' | 'json' | undefined,
        },
        ...(secretHeader === undefined ? {} : { secret: `header:${secretHeader}` }),
      }
    }
    case 'twilio':
      requireOptions(context, command, ['account-sid', 'from'], '--kind twilio')
      return {
        input: { kind, accountSid: value('account-sid')!, from: value('from')!, baseUrl: value('base-url') },
        ...(flagOption(options, 'auth-token-stdin') ? { secret: 'authToken' } : {}),
      }
    case 'email':
      // No secret: the messages go through the email provider and its sign-in.
      requireOptions(context, command, ['address'], '--kind email')
      return { input: { kind, addressTemplate: value('address')! } }
  }
}

function withSecret(input: SmsProviderInput, secret: string | undefined, value: string): SmsProviderInput {
  if (secret === undefined || input.kind === 'email') return input
  if (input.kind === 'kannel') return { ...input, password: value }
  if (input.kind === 'twilio') return { ...input, authToken: value }
  return { ...input, secretHeaders: { [secret.slice('header:'.length)]: value } }
}

const setSms: CommandDefinition = {
  words: ['provider', 'set', 'sms'],
  args: [],
  options: smsOptions,
  usage:
    'provider set sms --kind kannel --url SENDSMS_URL --username USER [--password-stdin < password] [--from SENDER]' +
    ' | --kind http --method GET|POST --url URL [--header "Name: value"]… [--secret-header NAME < value] [--body TEXT] [--body-encoding url|json]' +
    ' | --kind twilio --account-sid AC… [--auth-token-stdin < token] --from NUMBER [--base-url URL]' +
    ' | --kind email --address {number}@GATEWAY' +
    ' [--text TEXT]',
  summary:
    'Set the SMS gateway: Kannel, a generic HTTP API ({to} and {text} in the URL and body), Twilio, or an email-to-SMS gateway through the email provider ({number}: the number in digits, no +); --text is the SMS template; without a stdin secret a stored one is kept while the server stays the same',
  async run(context) {
    const { input, secret } = smsInput(context, setSms)
    const text = stringOption(context.options, 'text')
    checkInput(smsProviderInputSchema, input, smsNames)
    if (text !== undefined) checkInput(smsTextSchema, text, smsNames)
    const value = secret === undefined ? undefined : await context.readPassword()
    await withKeyhold(context.dataDir, { mustExist: true }, async (keyhold) => {
      const view = await withOptionNames(smsNames, () =>
        keyhold.services.providers.setSms(withSecret(input, secret, value ?? ''), text, context.actor),
      )
      context.output.result(view, `Set the SMS gateway.\n\n${formatFields(describeSms(view))}`)
    })
  },
}

const clear: CommandDefinition = {
  words: ['provider', 'clear'],
  args: ['email|sms'],
  options: {},
  usage: 'provider clear email|sms',
  summary: 'Remove the email or SMS provider and its stored secret; codes of that kind can no longer be sent',
  async run({ args, dataDir, actor, output }) {
    const kind = kindArg(args[0]!, clear)
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      keyhold.services.providers.clear(kind, actor)
      output.result({ cleared: kind }, `Removed the ${kind === 'email' ? 'email provider' : 'SMS gateway'}.`)
    })
  },
}

const test: CommandDefinition = {
  words: ['provider', 'test'],
  args: ['email|sms'],
  options: { to: { type: 'string' } },
  usage: 'provider test email|sms --to ADDRESS',
  summary: 'Send a test message through the email or SMS provider (the outcome is audited)',
  async run({ args, options, dataDir, actor, output }) {
    const kind = kindArg(args[0]!, test)
    const to = stringOption(options, 'to')
    if (to === undefined) {
      throw new UsageError(`provider test ${kind} needs --to ${kind === 'email' ? 'ADDRESS' : '+NUMBER'}`, test)
    }
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const result = await withOptionNames({ to: '--to' }, () => keyhold.services.providers.test(kind, to, actor))
      output.result(result, `Sent a test ${kind === 'email' ? 'email' : 'text message'} to ${to.trim()}.`)
    })
  },
}

const smsCountries: CommandDefinition = {
  words: ['provider', 'sms-countries'],
  args: [],
  options: { set: { type: 'string' }, any: { type: 'boolean' } },
  usage: 'provider sms-countries [--set GB,DE,… | --any]',
  summary:
    'Show or set the countries text messages may go to (ISO codes); --any lets them go anywhere. Checked at every SMS send',
  async run({ options, dataDir, actor, output }) {
    const set = stringOption(options, 'set')
    const any = flagOption(options, 'any')
    if (set !== undefined && any) throw new UsageError('give --set or --any, not both', smsCountries)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const providers = keyhold.services.providers
      if (set === undefined && !any) {
        const countries = providers.get().smsCountries
        output.result({ countries }, `Text messages may go to ${describeSmsCountries(countries)}.`)
        return
      }
      const list = any ? null : set!.split(',').filter((code) => code.trim() !== '')
      const result = await withOptionNames({ countries: '--set' }, () => providers.setSmsCountries(list, actor))
      output.result(result, `Text messages may now go to ${describeSmsCountries(result.countries)}.`)
    })
  },
}

export const providerCommands: readonly CommandDefinition[] = [get, list, setEmail, setSms, clear, test, smsCountries]
