import { z } from 'zod'
import { methodTypeSchema, methodTypes } from './method-types'

/**
 * The site's MFA policy as an administrator writes it: site-wide, with an
 * optional override per role. Units are the ones people think in; every limit
 * stays inside the range SECURITY.md gives, and each field says so when it is
 * out of range.
 */
const range = (min: number, max: number, unit: string) =>
  z
    .number({ error: `Enter a number of ${unit}` })
    .int(`Use a whole number of ${unit}`)
    .min(min, `At least ${min} ${unit}`)
    .max(max, `At most ${max} ${unit}`)

export const enforcementSchema = z.enum(['optional', 'prompt', 'required'])

export const policyRulesSchema = z
  .object({
    allowedMethods: z.array(methodTypeSchema).min(1, 'Allow at least one method').max(methodTypes.length),
    enforcement: enforcementSchema,
    /** Required only: days an account without MFA may still sign in without it. */
    gracePeriodDays: range(0, 365, 'days'),
    /** S8: excludes email and SMS codes. */
    strongMethodsOnly: z.boolean(),
    totpAlgorithms: z.array(z.enum(['sha1', 'sha256', 'sha512'])).min(1, 'Allow at least one algorithm'),
    totpDigits: z.array(z.union([z.literal(6), z.literal(8)])).min(1, 'Allow at least one code length'),
    /** S8 */
    codeLifetimeMinutes: range(1, 10, 'minutes'),
    /** S10 */
    resendCooldownSeconds: range(30, 300, 'seconds'),
    /** S13 */
    lockoutThreshold: range(3, 20, 'failures'),
    lockoutMinutes: range(1, 1440, 'minutes'),
    /** S17: the policy may shorten the sessions, never lengthen them. */
    sessionIdleMinutes: range(1, 30, 'minutes'),
    sessionAbsoluteHours: range(1, 12, 'hours'),
    /** S12 */
    recoveryCodeWarning: range(1, 5, 'codes'),
    allowRemovingLastMethod: z.boolean(),
  })
  .strict()

export const policyOverrideSchema = policyRulesSchema.partial().strict()

export const policyDocumentSchema = z
  .object({
    site: policyRulesSchema,
    roles: z
      .object({ admin: policyOverrideSchema.optional(), user: policyOverrideSchema.optional() })
      .strict()
      .default({}),
  })
  .strict()

export const policyViewSchema = z.object({
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  site: policyRulesSchema,
  roles: z.object({ admin: policyOverrideSchema.optional(), user: policyOverrideSchema.optional() }),
  /** When Required took effect, per scope: the grace period counts from here (or the account's creation). */
  requiredSince: z.object({ site: z.string().nullable(), admin: z.string().nullable(), user: z.string().nullable() }),
})

export type PolicyRules = z.output<typeof policyRulesSchema>
export type PolicyOverride = z.output<typeof policyOverrideSchema>
export type PolicyDocument = z.output<typeof policyDocumentSchema>
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>
export type PolicyView = z.output<typeof policyViewSchema>
