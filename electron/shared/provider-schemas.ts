import { z } from 'zod'

/**
 * How Keyhold reaches users: the site's SMTP server for email, and one SMS
 * adapter (Kannel, a generic HTTP API, Twilio, or an email-to-SMS gateway
 * reached through the SMTP server). Secrets (SMTP password, SMS
 * passwords and tokens) are write-only: they are never sent back to a caller,
 * only whether they are set; at rest they are AES-256-GCM encrypted (S20).
 *
 * Templates may use {code}, {minutes}, {account}, {site}.
 */
const template = z.string().min(1).max(2000)
const secretInput = z.string().min(1).max(1024)
const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'Enter an http:// or https:// URL')

export const smtpSecuritySchema = z.enum(['none', 'starttls', 'tls'])

export const emailProviderInputSchema = z
  .object({
    host: z.string().trim().min(1, 'Enter the SMTP host').max(253),
    port: z.number().int().min(1).max(65535),
    security: smtpSecuritySchema,
    username: z.string().max(256).nullable().default(null),
    /** Omit to keep the stored password; null to clear it. */
    password: secretInput.nullable().optional(),
    /**
     * S34: with security "none" and a user name, the administrator must say so
     * knowingly: the user name and password then cross the network in clear.
     * Applies to this server only; ignored with STARTTLS or TLS.
     */
    unencryptedSignIn: z.boolean().default(false),
    from: z.string().trim().min(3).max(320),
    subject: template.default('{site} security code'),
    text: template.default('Your {site} security code is {code}. It expires in {minutes} minutes.'),
  })
  .strict()

export const kannelInputSchema = z
  .object({
    kind: z.literal('kannel'),
    /** smsbox's sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms */
    url: httpUrl,
    username: z.string().min(1).max(256),
    password: secretInput.optional(),
    from: z.string().max(32).nullable().default(null),
  })
  .strict()

export const httpSmsInputSchema = z
  .object({
    kind: z.literal('http'),
    method: z.enum(['GET', 'POST']),
    /** May contain {to} and {text}; values are URL-encoded where they land in the URL. */
    url: httpUrl,
    headers: z.record(z.string().min(1).max(128), z.string().max(2048)).default({}),
    /** Header values containing a secret (e.g. an API key); stored encrypted, write-only. */
    secretHeaders: z.record(z.string().min(1).max(128), secretInput).optional(),
    body: z.string().max(8192).nullable().default(null),
    bodyEncoding: z.enum(['url', 'json']).default('json'),
  })
  .strict()

export const twilioInputSchema = z
  .object({
    kind: z.literal('twilio'),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'A Twilio Account SID starts with AC and has 34 characters'),
    authToken: secretInput.optional(),
    from: z.string().min(1).max(64),
    /** Overridable for tests against a loopback server. */
    baseUrl: httpUrl.default('https://api.twilio.com'),
  })
  .strict()

/** The example the messages give: most email-to-SMS gateways take the number as the mailbox. */
export const emailSmsExample = '{number}@sms.example.net'

/** A template's address with a sample number in it, checked as an address (shared takes no email library). */
function isAddressShape(template: string): boolean {
  const address = template.replaceAll('{number}', '15551234567')
  return z.email().safeParse(address).success
}

export const emailSmsInputSchema = z
  .object({
    kind: z.literal('email'),
    /**
     * The gateway's address with {number} where the number goes, as E.164
     * digits without the + (447911123456). The text goes through the email
     * provider, so this kind has no secret of its own.
     */
    addressTemplate: z
      .string()
      .trim()
      .max(320)
      .refine(
        (value) => value.includes('{number}'),
        `Put {number} where the phone number goes, e.g. ${emailSmsExample}`,
      )
      .refine(isAddressShape, `This does not make an email address; write it like ${emailSmsExample}`),
  })
  .strict()

export const smsProviderInputSchema = z.discriminatedUnion('kind', [
  kannelInputSchema,
  httpSmsInputSchema,
  twilioInputSchema,
  emailSmsInputSchema,
])

export const smsTextSchema = template.default('{code} is your {site} security code. It expires in {minutes} minutes.')

/** What callers see: everything but the secrets, which show as set or not. */
export const emailProviderViewSchema = z.object({
  host: z.string(),
  port: z.number(),
  security: smtpSecuritySchema,
  username: z.string().nullable(),
  passwordSet: z.boolean(),
  unencryptedSignIn: z.boolean(),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
})

export const smsProviderViewSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('kannel'),
    url: z.string(),
    username: z.string(),
    passwordSet: z.boolean(),
    from: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('http'),
    method: z.enum(['GET', 'POST']),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    secretHeaderNames: z.array(z.string()),
    body: z.string().nullable(),
    bodyEncoding: z.enum(['url', 'json']),
  }),
  z.object({
    kind: z.literal('twilio'),
    accountSid: z.string(),
    authTokenSet: z.boolean(),
    from: z.string(),
    baseUrl: z.string(),
  }),
  z.object({
    kind: z.literal('email'),
    addressTemplate: z.string(),
  }),
])

/** Why a message went out: `provider test`, or a code (sign-in, setup, contact change). */
export const sendPurposeSchema = z.enum(['test', 'code'])

/**
 * The outcome of the newest send through a provider, so an administrator sees
 * a broken provider before users do. `to` is masked (S9: never a full address
 * or number); `detail` is the provider's refusal, with the destination masked
 * and never the message or its code.
 */
export const lastSendSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  purpose: sendPurposeSchema,
  to: z.string(),
  detail: z.string().nullable(),
})

/**
 * The countries text messages may go to (ISO 3166-1 alpha-2 codes); null lets
 * them go to any country. Each code is checked in the main process, which
 * names every bad or repeated one in its own message.
 */
export const smsCountriesInputSchema = z.object({ countries: z.array(z.string().max(16)).max(300).nullable() }).strict()

export const smsCountriesViewSchema = z.object({ countries: z.array(z.string()).nullable() })

/** `provider:get`: both providers, the SMS text, where SMS may go, and how the last sends went. */
export const providersViewSchema = z.object({
  email: emailProviderViewSchema.nullable(),
  sms: smsProviderViewSchema.nullable(),
  smsText: z.string(),
  smsCountries: z.array(z.string()).nullable(),
  lastSend: z.object({ email: lastSendSchema.nullable(), sms: lastSendSchema.nullable() }),
})

export type EmailProviderInput = z.input<typeof emailProviderInputSchema>
export type SmsProviderInput = z.input<typeof smsProviderInputSchema>
export type EmailProviderView = z.output<typeof emailProviderViewSchema>
export type SmsProviderView = z.output<typeof smsProviderViewSchema>
export type SendPurpose = z.output<typeof sendPurposeSchema>
export type LastSend = z.output<typeof lastSendSchema>
export type ProvidersView = z.output<typeof providersViewSchema>
