import { z } from 'zod'
import { methodTypeSchema } from './method-types'

/** Views and inputs of the MFA engine (issue 3). Destinations in views are masked. */
const isoTime = z.string()

export const totpAlgorithmSchema = z.enum(['sha1', 'sha256', 'sha512'])

export const methodViewSchema = z.object({
  id: z.number().int(),
  type: methodTypeSchema,
  label: z.string(),
  /** Masked email or phone; null for an authenticator app. */
  destination: z.string().nullable(),
  preferred: z.boolean(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  /** S8: email and SMS codes are weaker than an authenticator app. */
  weaker: z.boolean(),
})

export const mfaOverviewSchema = z.object({
  methods: z.array(methodViewSchema),
  recoveryCodesRemaining: z.number().int(),
  /** S12: true when few recovery codes are left (policy: 3 or fewer by default). */
  recoveryCodesLow: z.boolean(),
})

export const sentCodeSchema = z.object({
  sentTo: z.string(),
  resendAvailableAt: isoTime,
  expiresAt: isoTime,
})

export const enrollmentViewSchema = z.object({
  enrollmentId: z.string(),
  type: methodTypeSchema,
  label: z.string(),
  expiresAt: isoTime,
  totp: z
    .object({
      otpauthUri: z.string(),
      secret: z.string(),
      qrDataUrl: z.string(),
      algorithm: totpAlgorithmSchema,
      digits: z.number().int(),
      period: z.number().int(),
    })
    .nullable(),
  code: sentCodeSchema.nullable(),
})

export const challengeViewSchema = z.object({
  methods: z.array(methodViewSchema),
  preferredMethodId: z.number().int(),
  recoveryCodesAvailable: z.boolean(),
  expiresAt: isoTime,
  attemptsLeft: z.number().int(),
})

const label = z.string().trim().min(1, 'Enter a name').max(64, 'Names are at most 64 characters')
const code = z.string().trim().min(1, 'Enter your code').max(64)
const methodId = z.number().int().positive()
const enrollmentId = z.string().min(1).max(128)

export const beginEnrollmentSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('totp'),
      label: label.optional(),
      algorithm: totpAlgorithmSchema.optional(),
      digits: z.union([z.literal(6), z.literal(8)]).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('email'),
      email: z.string().trim().max(254).pipe(z.email('Enter a valid email address')),
      label: label.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('sms'),
      phone: z.string().trim().min(1, 'Enter a phone number').max(32),
      label: label.optional(),
    })
    .strict(),
])

export const mfaRequests = {
  enrollmentId: z.object({ enrollmentId }).strict(),
  verifyEnrollment: z.object({ enrollmentId, code }).strict(),
  enableEnrollment: z.object({ enrollmentId, recoveryCodesSaved: z.boolean() }).strict(),
  methodId: z.object({ methodId }).strict(),
  rename: z.object({ methodId, label }).strict(),
  remove: z.object({ methodId, newPassword: z.string().min(1).max(4096).optional() }).strict(),
  sendCode: z.object({ methodId }).strict(),
  verifyCode: z.object({ methodId, code }).strict(),
  recoveryCode: z.object({ code }).strict(),
  contactChange: z.union([
    z.object({ email: z.string().trim().max(254).pipe(z.email('Enter a valid email address')) }).strict(),
    z.object({ phone: z.string().trim().min(1).max(32) }).strict(),
  ]),
  contactConfirm: z.object({ code }).strict(),
}

export type MethodView = z.output<typeof methodViewSchema>
export type MfaOverview = z.output<typeof mfaOverviewSchema>
export type EnrollmentView = z.output<typeof enrollmentViewSchema>
export type ChallengeView = z.output<typeof challengeViewSchema>
export type SentCode = z.output<typeof sentCodeSchema>
export type BeginEnrollmentInput = z.output<typeof beginEnrollmentSchema>
