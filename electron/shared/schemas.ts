import { z } from 'zod'
import type { Channel } from './channels'
import { methodTypeSchema } from './method-types'
import {
  beginEnrollmentSchema,
  challengeViewSchema,
  enrollmentViewSchema,
  methodViewSchema,
  mfaOverviewSchema,
  mfaRequests,
  sentCodeSchema,
} from './mfa-schemas'
import {
  emailProviderInputSchema,
  emailProviderViewSchema,
  providersViewSchema,
  smsCountriesInputSchema,
  smsCountriesViewSchema,
  smsProviderInputSchema,
  smsProviderViewSchema,
  smsTextSchema,
} from './provider-schemas'
import { policyDocumentSchema, policyViewSchema } from './policy-schemas'
import { adminAccountViewSchema, coverageSchema, setupCodeSchema } from './admin-schemas'
import { siteNameSchema } from './site-name'

/**
 * Request and response schemas for every channel. Requests are strict objects:
 * an unknown key is a VALIDATION error, not silently ignored. Responses are
 * parsed on the way out too, which strips anything a service returned by
 * mistake (a hash, a counter) before it reaches the renderer.
 */

/** Passwords are checked for length by the password rules (S1) with a specific message;
 *  this cap only stops absurd payloads from reaching Argon2. */
const passwordInput = z.string().min(1, 'Enter a password').max(4096, 'Password is too long')
export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'Username must be at least 2 characters')
  .max(64, 'Username must be at most 64 characters')
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u,
    'Username may contain letters, digits, dot, dash and underscore, and must start with a letter or digit',
  )
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a display name')
  .max(100, 'Display name must be at most 100 characters')
export const emailSchema = z.string().trim().max(254).pipe(z.email('Enter a valid email address'))
/** Any text; the service parses it to E.164 with libphonenumber-js and says why it is invalid. */
export const phoneInputSchema = z.string().trim().min(1).max(32)
export const roleSchema = z.enum(['admin', 'user'])

const isoTime = z.string()

export const accountViewSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  role: roleSchema,
  disabled: z.boolean(),
  locked: z.boolean(),
  lockedUntil: isoTime.nullable(),
  createdAt: isoTime,
  lastSignInAt: isoTime.nullable(),
  passwordChangedAt: isoTime,
})

export const sessionViewSchema = z.object({
  account: accountViewSchema,
  /** The session ends at this time whatever happens (S17). */
  expiresAt: isoTime,
  idleTimeoutMinutes: z.number().int(),
  /** A password check is fresh until this time (S15); null when it has lapsed. */
  stepUpUntil: isoTime.nullable(),
  /**
   * The policy asks this account, which has no usable method, to set one up:
   * `invited` (may choose Later), `grace` (until the deadline), `required` (the
   * session can do nothing else). Null when nothing is asked.
   */
  mfaSetup: z.object({ state: z.enum(['invited', 'grace', 'required']), deadline: isoTime.nullable() }).nullable(),
  /**
   * What this account may set up, from the policy for its role: the allowed
   * method types (none weaker than an authenticator app under "strong methods
   * only", S8), and the countries text messages may go to (null: any). The main
   * process decides; the window uses them to offer only what it would accept.
   */
  mfaOptions: z.object({
    methods: z.array(methodTypeSchema),
    smsCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).nullable(),
  }),
})

export const appProblemSchema = z.object({
  code: z.enum([
    'KEYCHAIN_UNAVAILABLE',
    'KEYCHAIN_LOCKED',
    'KEY_MISMATCH',
    'DATABASE_TOO_NEW',
    'DATABASE_ERROR',
    'INVALID_DEFAULTS',
  ]),
  message: z.string(),
  fix: z.string(),
})

export const appStateSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ready'),
    setupRequired: z.boolean(),
    session: sessionViewSchema.nullable(),
    /** This window's sign-in is waiting for its second factor: the window can resume it (auth:get-challenge). */
    challengePending: z.boolean(),
  }),
  z.object({ status: z.literal('unavailable'), problem: appProblemSchema }),
])

const empty = z.object({}).strict()
const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  event: z.string(),
  account: z.string().nullable(),
  accountId: z.number().int().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
})
const signedInSchema = z.object({ status: z.literal('signed-in'), session: sessionViewSchema })
// With an active MFA method the password only opens a challenge (S14).
const signInResponseSchema = z.discriminatedUnion('status', [
  signedInSchema,
  z.object({ status: z.literal('mfa-required'), challenge: challengeViewSchema }),
])
const usernameOnly = z.object({ username: z.string().trim().min(1).max(64) }).strict()
const nullableEmail = z.union([emailSchema, z.literal('').transform(() => null), z.null()])
const nullablePhone = z.union([phoneInputSchema, z.literal('').transform(() => null), z.null()])

export const schemas = {
  'app:get-state': { request: empty, response: appStateSchema },
  'setup:create-admin': {
    request: z
      .object({
        username: usernameSchema,
        displayName: displayNameSchema,
        email: emailSchema,
        password: passwordInput,
      })
      .strict(),
    response: z.object({ username: z.string() }),
  },
  'auth:sign-in': {
    request: z
      .object({ username: z.string().trim().min(1, 'Enter your username').max(64), password: passwordInput })
      .strict(),
    // With an active MFA method the password only opens a challenge (S14).
    response: signInResponseSchema,
  },
  'auth:redeem-setup-code': {
    request: z
      .object({
        username: z.string().trim().min(1, 'Enter your username').max(64),
        setupCode: z.string().trim().min(1, 'Enter your setup code').max(64),
        newPassword: passwordInput,
      })
      .strict(),
    response: signInResponseSchema,
  },
  'auth:get-challenge': { request: empty, response: challengeViewSchema },
  'auth:send-code': { request: mfaRequests.sendCode, response: sentCodeSchema },
  'auth:verify-code': { request: mfaRequests.verifyCode, response: signedInSchema },
  'auth:use-recovery-code': {
    request: mfaRequests.recoveryCode,
    response: signedInSchema.extend({ recoveryCodesRemaining: z.number().int(), recoveryCodesLow: z.boolean() }),
  },
  'auth:sign-out': { request: empty, response: z.object({}) },
  'auth:confirm-password': {
    request: z.object({ password: passwordInput }).strict(),
    response: z.object({ stepUpUntil: isoTime }),
  },
  'account:get-me': { request: empty, response: accountViewSchema },
  'account:change-password': {
    request: z.object({ newPassword: passwordInput }).strict(),
    response: z.object({}),
  },
  'account:begin-contact-change': { request: mfaRequests.contactChange, response: sentCodeSchema },
  'account:confirm-contact-change': { request: mfaRequests.contactConfirm, response: accountViewSchema },
  'mfa:list': { request: empty, response: mfaOverviewSchema },
  'mfa:begin-enrollment': { request: beginEnrollmentSchema, response: enrollmentViewSchema },
  'mfa:resend-enrollment-code': { request: mfaRequests.enrollmentId, response: sentCodeSchema },
  'mfa:verify-enrollment': {
    request: mfaRequests.verifyEnrollment,
    // Recovery codes appear here once, when the account had none (S11).
    response: z.object({ enrollmentId: z.string(), recoveryCodes: z.array(z.string()).nullable() }),
  },
  'mfa:enable-enrollment': { request: mfaRequests.enableEnrollment, response: methodViewSchema },
  'mfa:cancel-enrollment': { request: mfaRequests.enrollmentId, response: z.object({}) },
  'mfa:set-preferred': { request: mfaRequests.methodId, response: methodViewSchema },
  'mfa:rename-method': { request: mfaRequests.rename, response: methodViewSchema },
  'mfa:remove-method': { request: mfaRequests.remove, response: z.object({ mfaEnabled: z.boolean() }) },
  'mfa:regenerate-recovery-codes': { request: empty, response: z.object({ recoveryCodes: z.array(z.string()) }) },
  'settings:get': { request: empty, response: z.object({ siteName: z.string() }) },
  'settings:set-site-name': {
    request: z.object({ siteName: siteNameSchema }).strict(),
    response: z.object({ siteName: z.string() }),
  },
  'provider:get': { request: empty, response: providersViewSchema },
  'provider:set-email': { request: emailProviderInputSchema, response: emailProviderViewSchema },
  'provider:set-sms': {
    request: z.object({ provider: smsProviderInputSchema, text: smsTextSchema.optional() }).strict(),
    response: smsProviderViewSchema,
  },
  'provider:clear': { request: z.object({ kind: z.enum(['email', 'sms']) }).strict(), response: z.object({}) },
  'provider:set-sms-countries': { request: smsCountriesInputSchema, response: smsCountriesViewSchema },
  'provider:test': {
    request: z.object({ kind: z.enum(['email', 'sms']), to: z.string().trim().min(1).max(254) }).strict(),
    response: z.object({ sent: z.literal(true) }),
  },
  'audit:list': {
    request: z
      .object({
        username: z.string().trim().min(1).max(64).optional(),
        /** Part of the event name, any case (`recovery` finds recovery-code.used). */
        event: z.string().trim().min(1).max(64).optional(),
        /** Entries at or after this time. */
        from: z.iso.datetime({ offset: true, message: 'Give the start as an ISO date-time' }).optional(),
        /** Entries before this time. */
        until: z.iso.datetime({ offset: true, message: 'Give the end as an ISO date-time' }).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict()
      .refine((q) => q.from === undefined || q.until === undefined || Date.parse(q.from) < Date.parse(q.until), {
        message: 'The start must be before the end',
        path: ['until'],
      }),
    response: z.object({ entries: z.array(auditEntrySchema) }),
  },
  'admin:list-accounts': {
    request: z
      .object({
        search: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).max(10_000_000).default(0),
      })
      .strict(),
    response: z.object({ accounts: z.array(adminAccountViewSchema), total: z.number().int() }),
  },
  'admin:get-account': { request: usernameOnly, response: adminAccountViewSchema },
  'admin:create-account': {
    request: z
      .object({
        username: usernameSchema,
        displayName: displayNameSchema.optional(),
        email: nullableEmail.optional(),
        phone: nullablePhone.optional(),
        role: roleSchema,
      })
      .strict(),
    response: z.object({ account: adminAccountViewSchema, setupCode: setupCodeSchema }),
  },
  'admin:update-account': {
    request: z
      .object({
        username: z.string().trim().min(1).max(64),
        displayName: displayNameSchema.optional(),
        email: nullableEmail.optional(),
        phone: nullablePhone.optional(),
        role: roleSchema.optional(),
      })
      .strict(),
    response: adminAccountViewSchema,
  },
  'admin:set-disabled': {
    request: z.object({ username: z.string().trim().min(1).max(64), disabled: z.boolean() }).strict(),
    response: adminAccountViewSchema,
  },
  'admin:delete-account': { request: usernameOnly, response: z.object({}) },
  'admin:reset-password': { request: usernameOnly, response: setupCodeSchema },
  'admin:reset-mfa': { request: usernameOnly, response: z.object({ removed: z.number().int() }) },
  'admin:unlock': { request: usernameOnly, response: adminAccountViewSchema },
  'admin:coverage': { request: empty, response: coverageSchema },
  'policy:get': { request: empty, response: policyViewSchema },
  'policy:set': { request: z.object({ policy: policyDocumentSchema }).strict(), response: policyViewSchema },
  'audit:verify': {
    request: empty,
    response: z.object({ ok: z.boolean(), rows: z.number().int(), problem: z.string().nullable() }),
  },
} as const satisfies Record<Channel, { request: z.ZodType; response: z.ZodType }>

export type RequestOf<C extends Channel> = z.input<(typeof schemas)[C]['request']>
export type ParsedRequestOf<C extends Channel> = z.output<(typeof schemas)[C]['request']>
export type ResponseOf<C extends Channel> = z.output<(typeof schemas)[C]['response']>
export type AccountView = z.output<typeof accountViewSchema>
export type SessionView = z.output<typeof sessionViewSchema>
export type AppState = z.output<typeof appStateSchema>
export type AppProblem = z.output<typeof appProblemSchema>
