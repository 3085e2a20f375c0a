import { z } from 'zod'

/**
 * How Keyhold reaches users: the site's SMTP server for email, and one SMS
 * adapter (Kannel, a generic HTTP API, or Twilio). Secrets (SMTP password, SMS
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

export const smsProviderInputSchema = z.discriminatedUnion('kind', [
  kannelInputSchema,
  httpSmsInputSchema,
  twilioInputSchema,
])

export const smsTextSchema = template.default('{code} is your {site} security code. It expires in {minutes} minutes.')

/** What callers see: everything but the secrets, which show as set or not. */
export const emailProviderViewSchema = z.object({
  host: z.string(),
  port: z.number(),
  security: smtpSecuritySchema,
  username: z.string().nullable(),
  passwordSet: z.boolean(),
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
])

export type EmailProviderInput = z.input<typeof emailProviderInputSchema>
export type SmsProviderInput = z.input<typeof smsProviderInputSchema>
export type EmailProviderView = z.output<typeof emailProviderViewSchema>
export type SmsProviderView = z.output<typeof smsProviderViewSchema>
