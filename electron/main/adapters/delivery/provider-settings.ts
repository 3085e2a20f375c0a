import { z } from 'zod'
import {
  emailProviderInputSchema,
  lastSendSchema,
  smsProviderInputSchema,
  smsTextSchema,
  smtpSecuritySchema,
  type EmailProviderInput,
  type EmailProviderView,
  type LastSend,
  type SmsProviderInput,
  type SmsProviderView,
} from '../../../shared/provider-schemas'
import { AppError } from '../../domain/app-error'
import { DecryptionError, type Cipher } from '../crypto/aes-gcm-cipher'
import type { SettingsStore } from '../sqlite/sqlite-settings'

/**
 * The email and SMS provider configuration, kept as JSON in the settings table.
 *
 * S20: every secret (SMTP password, Kannel password, Twilio auth token, the
 * values of the generic adapter's secret headers) is stored only as an
 * AES-256-GCM ciphertext whose associated data names its place
 * (`provider.sms:authToken`), so it cannot be moved to another field or row.
 * Secrets are write-only: views say whether one is set, never what it is.
 * The email-to-SMS kind has no secret: it goes through the email provider.
 */
export const emailSettingKey = 'provider.email'
export const smsSettingKey = 'provider.sms'
export const smsTextSettingKey = 'provider.sms-text'
/** The outcome of the newest send through each provider (never a code, address or number in full). */
export const lastSendSettingKeys = { email: 'provider.email.last-send', sms: 'provider.sms.last-send' } as const
/** When the recent test messages were started, for the limit on tests; kept when a provider is cleared. */
export const testTimesSettingKeys = { email: 'provider.email.test-times', sms: 'provider.sms.test-times' } as const
const testTimesSchema = z.array(z.number()).max(1000)

/** The email configuration with its secret decrypted, for the SMTP sender only. */
export interface ResolvedEmailProvider {
  readonly host: string
  readonly port: number
  readonly security: z.infer<typeof smtpSecuritySchema>
  readonly username: string | null
  readonly password: string | null
  /** S34: the administrator chose to sign in without encryption, for this server. */
  readonly unencryptedSignIn: boolean
  readonly from: string
  readonly subject: string
  readonly text: string
}

export interface ResolvedKannelProvider {
  readonly kind: 'kannel'
  readonly url: string
  readonly username: string
  readonly password: string | null
  readonly from: string | null
}

export interface ResolvedHttpSmsProvider {
  readonly kind: 'http'
  readonly method: 'GET' | 'POST'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Decrypted values of the secret headers. */
  readonly secretHeaders: Readonly<Record<string, string>>
  readonly body: string | null
  readonly bodyEncoding: 'url' | 'json'
}

export interface ResolvedTwilioProvider {
  readonly kind: 'twilio'
  readonly accountSid: string
  readonly authToken: string | null
  readonly from: string
  readonly baseUrl: string
}

/** Email-to-SMS: no secret of its own; it sends through the email provider. */
export interface ResolvedEmailSmsProvider {
  readonly kind: 'email'
  readonly addressTemplate: string
}

export type ResolvedSmsProvider =
  ResolvedKannelProvider | ResolvedHttpSmsProvider | ResolvedTwilioProvider | ResolvedEmailSmsProvider

export type ProviderKind = keyof typeof lastSendSettingKeys

export interface ProviderSettings {
  getEmail(): EmailProviderView | null
  /** Validates with emailProviderInputSchema; an omitted password keeps the stored one, null clears it. */
  setEmail(input: EmailProviderInput): EmailProviderView
  /** Also forgets the last send through it: it said something about settings that are gone. */
  clearEmail(): void
  getSms(): SmsProviderView | null
  /** Validates with smsProviderInputSchema; omitted secrets are kept when the kind and server stay the same. */
  setSms(input: SmsProviderInput): SmsProviderView
  clearSms(): void
  /** The SMS text template ({code}, {minutes}, {account}, {site}); a default when never set. */
  getSmsText(): string
  setSmsText(text: string): string
  /** The outcome of the newest send through a provider; null when nothing was sent since it was set up. */
  lastSend(kind: ProviderKind): LastSend | null
  /** Called by the configured senders after each test or code send; `entry` is already masked. */
  recordLastSend(kind: ProviderKind, entry: LastSend): void
  testTimes(kind: ProviderKind): number[]
  setTestTimes(kind: ProviderKind, times: readonly number[]): void
  /** Internal: the configuration with decrypted secrets, read by the senders at send time. Never return it to a caller. */
  readonly resolved: {
    email(): ResolvedEmailProvider | null
    sms(): ResolvedSmsProvider | null
  }
}

// What is stored: the input minus secrets, plus the ciphertexts. Parsed on read so a damaged row fails loudly.
const storedEmailSchema = z.object({
  host: z.string(),
  port: z.number(),
  security: smtpSecuritySchema,
  username: z.string().nullable(),
  password: z.string().nullable(),
  // Absent in settings stored before S34: no consent, so the sender will not sign in in clear.
  unencryptedSignIn: z.boolean().default(false),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
})

const storedSmsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('kannel'),
    url: z.string(),
    username: z.string(),
    password: z.string().nullable(),
    from: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('http'),
    method: z.enum(['GET', 'POST']),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    secretHeaders: z.record(z.string(), z.string()),
    body: z.string().nullable(),
    bodyEncoding: z.enum(['url', 'json']),
  }),
  z.object({
    kind: z.literal('twilio'),
    accountSid: z.string(),
    authToken: z.string().nullable(),
    from: z.string(),
    baseUrl: z.string(),
  }),
  z.object({
    kind: z.literal('email'),
    addressTemplate: z.string(),
  }),
])

type StoredEmail = z.infer<typeof storedEmailSchema>
type StoredSms = z.infer<typeof storedSmsSchema>

function validationError(error: z.ZodError): AppError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }))
  const first = fields[0]
  return new AppError('VALIDATION', first ? `${first.field}: ${first.message}` : 'Invalid input', { fields })
}

function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw validationError(parsed.error)
  return parsed.data
}

function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION', `${field}: ${message}`, { fields: [{ field, message }] })
}

/**
 * Where a secret goes. A stored secret is only kept (secret omitted on set)
 * while this stays the same: otherwise whoever can change the configuration
 * could point it at their own server and receive a password they were never
 * shown (the write-only promise would be void).
 */
function originOf(url: string): string {
  try {
    // Placeholders may sit anywhere in a template; give them a harmless value so the URL parses.
    return new URL(url.replaceAll('{to}', 'to').replaceAll('{text}', 'text')).origin.toLowerCase()
  } catch {
    return url
  }
}

const secretKeptOnlyForSameServer = 'Enter it again: a stored secret is only kept while the server stays the same'
const secretKeptOnlyForSameServerAndUser =
  'Enter it again: a stored secret is only kept while the server, the user and the security stay the same'

export function createProviderSettings(settings: SettingsStore, cipher: Cipher): ProviderSettings {
  const seal = (key: string, field: string, secret: string): string => cipher.encrypt(secret, `${key}:${field}`)
  const open = (key: string, field: string, sealed: string): string => {
    try {
      return cipher.decrypt(sealed, `${key}:${field}`)
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error
      // A changed master key or a damaged row: the secret is gone, so the provider must be set up again.
      throw new AppError(
        'NOT_CONFIGURED',
        `The stored ${field} of the ${key === emailSettingKey ? 'email' : 'SMS'} provider cannot be decrypted; an administrator must enter it again`,
      )
    }
  }

  const readEmail = (): StoredEmail | null => {
    const raw = settings.get(emailSettingKey)
    return raw === null ? null : storedEmailSchema.parse(JSON.parse(raw))
  }
  const readSms = (): StoredSms | null => {
    const raw = settings.get(smsSettingKey)
    return raw === null ? null : storedSmsSchema.parse(JSON.parse(raw))
  }

  const emailView = (stored: StoredEmail): EmailProviderView => ({
    host: stored.host,
    port: stored.port,
    security: stored.security,
    username: stored.username,
    passwordSet: stored.password !== null,
    unencryptedSignIn: stored.unencryptedSignIn,
    from: stored.from,
    subject: stored.subject,
    text: stored.text,
  })

  const smsView = (stored: StoredSms): SmsProviderView => {
    switch (stored.kind) {
      case 'kannel':
        return {
          kind: 'kannel',
          url: stored.url,
          username: stored.username,
          passwordSet: stored.password !== null,
          from: stored.from,
        }
      case 'http':
        return {
          kind: 'http',
          method: stored.method,
          url: stored.url,
          headers: { ...stored.headers },
          secretHeaderNames: Object.keys(stored.secretHeaders),
          body: stored.body,
          bodyEncoding: stored.bodyEncoding,
        }
      case 'twilio':
        return {
          kind: 'twilio',
          accountSid: stored.accountSid,
          authTokenSet: stored.authToken !== null,
          from: stored.from,
          baseUrl: stored.baseUrl,
        }
      case 'email':
        return { kind: 'email', addressTemplate: stored.addressTemplate }
    }
  }

  const toStoredSms = (input: z.output<typeof smsProviderInputSchema>, previous: StoredSms | null): StoredSms => {
    const previousUrl =
      previous === null || previous.kind === 'email'
        ? null
        : previous.kind === 'twilio'
          ? previous.baseUrl
          : previous.url
    const sameServer = (url: string): boolean => previousUrl !== null && originOf(previousUrl) === originOf(url)
    switch (input.kind) {
      case 'kannel': {
        let password: string | null
        if (input.password !== undefined) password = seal(smsSettingKey, 'password', input.password)
        else if (previous?.kind === 'kannel' && previous.password !== null) {
          // S34: the server (scheme, host and port: the origin) and the user the password belongs to.
          if (!sameServer(input.url) || previous.username !== input.username) {
            throw fieldError('password', secretKeptOnlyForSameServerAndUser)
          }
          password = previous.password
        } else throw fieldError('password', 'Enter the password of the Kannel sendsms user')
        return { kind: 'kannel', url: input.url, username: input.username, password, from: input.from }
      }
      case 'http': {
        if (input.method === 'GET' && input.body !== null) {
          throw fieldError('body', 'A GET request has no body; use POST or leave the body empty')
        }
        const plainNames = new Set(Object.keys(input.headers).map((name) => name.toLowerCase()))
        let secretHeaders: Record<string, string>
        if (input.secretHeaders !== undefined) {
          secretHeaders = {}
          for (const [name, value] of Object.entries(input.secretHeaders)) {
            secretHeaders[name] = seal(smsSettingKey, `secretHeaders.${name}`, value)
          }
        } else if (previous?.kind === 'http' && Object.keys(previous.secretHeaders).length > 0) {
          if (!sameServer(input.url)) throw fieldError('secretHeaders', secretKeptOnlyForSameServer)
          secretHeaders = { ...previous.secretHeaders }
        } else secretHeaders = {}
        for (const name of Object.keys(secretHeaders)) {
          if (plainNames.has(name.toLowerCase())) {
            throw fieldError('secretHeaders', `The header ${name} is given both as a plain and as a secret header`)
          }
        }
        return {
          kind: 'http',
          method: input.method,
          url: input.url,
          headers: input.headers,
          secretHeaders,
          body: input.body,
          bodyEncoding: input.bodyEncoding,
        }
      }
      case 'twilio': {
        const baseUrl = input.baseUrl.replace(/\/+$/, '')
        let authToken: string | null
        if (input.authToken !== undefined) authToken = seal(smsSettingKey, 'authToken', input.authToken)
        else if (previous?.kind === 'twilio' && previous.authToken !== null) {
          // S34: the Account SID is the user the token belongs to.
          if (!sameServer(baseUrl) || previous.accountSid !== input.accountSid) {
            throw fieldError('authToken', secretKeptOnlyForSameServerAndUser)
          }
          authToken = previous.authToken
        } else throw fieldError('authToken', 'Enter the Twilio auth token')
        return { kind: 'twilio', accountSid: input.accountSid, authToken, from: input.from, baseUrl }
      }
      case 'email':
        return { kind: 'email', addressTemplate: input.addressTemplate }
    }
  }

  return {
    getEmail() {
      const stored = readEmail()
      return stored === null ? null : emailView(stored)
    },

    setEmail(raw) {
      const input = parseInput(emailProviderInputSchema, raw)
      const previous = readEmail()
      // An empty user name means no sign-in, like null.
      const username = input.username === '' ? null : input.username
      // The consent only means something where credentials would go in clear.
      const unencryptedSignIn = input.security === 'none' && username !== null && input.unencryptedSignIn
      let password: string | null
      if (typeof input.password === 'string') {
        if (username === null) throw fieldError('username', 'Enter the user name that goes with the password')
        password = seal(emailSettingKey, 'password', input.password)
      } else if (input.password === null || username === null || !previous?.password) {
        // Cleared, or no user name any more (sign-in is off), or nothing to keep.
        password = null
      } else {
        // S34: the password was given for one server, one user and one kind of connection; a change of any
        // of them (TLS to none above all) needs it typed again, or it would go where it was never meant to.
        const sameServer =
          previous.host.toLowerCase() === input.host.toLowerCase() &&
          previous.port === input.port &&
          previous.username === username &&
          previous.security === input.security &&
          previous.unencryptedSignIn === unencryptedSignIn
        if (!sameServer) throw fieldError('password', secretKeptOnlyForSameServerAndUser)
        password = previous.password
      }
      if (input.security === 'none' && username !== null && !unencryptedSignIn) {
        throw fieldError(
          'unencryptedSignIn',
          'Without encryption the user name and password cross the network in clear: choose STARTTLS or TLS, or confirm "no encryption" for this server',
        )
      }
      const stored: StoredEmail = {
        host: input.host,
        port: input.port,
        security: input.security,
        username,
        password,
        unencryptedSignIn,
        from: input.from,
        subject: input.subject,
        text: input.text,
      }
      settings.set(emailSettingKey, JSON.stringify(stored))
      return emailView(stored)
    },

    clearEmail() {
      settings.delete(emailSettingKey)
      settings.delete(lastSendSettingKeys.email)
    },

    getSms() {
      const stored = readSms()
      return stored === null ? null : smsView(stored)
    },

    setSms(raw) {
      const input = parseInput(smsProviderInputSchema, raw)
      const stored = toStoredSms(input, readSms())
      settings.set(smsSettingKey, JSON.stringify(stored))
      return smsView(stored)
    },

    clearSms() {
      settings.delete(smsSettingKey)
      settings.delete(lastSendSettingKeys.sms)
    },

    getSmsText() {
      return settings.get(smsTextSettingKey) ?? smsTextSchema.parse(undefined)
    },

    setSmsText(raw) {
      const text = parseInput(smsTextSchema, raw)
      settings.set(smsTextSettingKey, text)
      return text
    },

    lastSend(kind) {
      const raw = settings.get(lastSendSettingKeys[kind])
      if (raw === null) return null
      // Only a record of the past: a damaged one is shown as none rather than breaking the screen.
      try {
        const parsed = lastSendSchema.safeParse(JSON.parse(raw))
        return parsed.success ? parsed.data : null
      } catch {
        return null
      }
    },

    recordLastSend(kind, entry) {
      settings.set(lastSendSettingKeys[kind], JSON.stringify(lastSendSchema.parse(entry)))
    },

    testTimes(kind) {
      const raw = settings.get(testTimesSettingKeys[kind])
      if (raw === null) return []
      // A damaged record counts as no recent test (and the next test writes a good one) rather than breaking tests.
      try {
        const parsed = testTimesSchema.safeParse(JSON.parse(raw))
        return parsed.success ? parsed.data : []
      } catch {
        return []
      }
    },

    setTestTimes(kind, times) {
      settings.set(testTimesSettingKeys[kind], JSON.stringify(testTimesSchema.parse([...times])))
    },

    resolved: {
      email() {
        const stored = readEmail()
        if (stored === null) return null
        return {
          ...stored,
          password: stored.password === null ? null : open(emailSettingKey, 'password', stored.password),
        }
      },
      sms() {
        const stored = readSms()
        if (stored === null) return null
        switch (stored.kind) {
          case 'kannel':
            return {
              ...stored,
              password: stored.password === null ? null : open(smsSettingKey, 'password', stored.password),
            }
          case 'http':
            return {
              ...stored,
              secretHeaders: Object.fromEntries(
                Object.entries(stored.secretHeaders).map(([name, sealed]) => [
                  name,
                  open(smsSettingKey, `secretHeaders.${name}`, sealed),
                ]),
              ),
            }
          case 'twilio':
            return {
              ...stored,
              authToken: stored.authToken === null ? null : open(smsSettingKey, 'authToken', stored.authToken),
            }
          case 'email':
            return stored
        }
      },
    },
  }
}
