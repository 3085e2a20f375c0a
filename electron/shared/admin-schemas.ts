import { z } from 'zod'
import { methodTypeSchema } from './method-types'

/** What administrators see and send about accounts (issue: operators). */
const isoTime = z.string()

export const mfaStateSchema = z.enum(['none', 'invited', 'grace', 'overdue', 'enrolled'])

export const adminAccountViewSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  role: z.enum(['admin', 'user']),
  disabled: z.boolean(),
  locked: z.boolean(),
  lockedUntil: isoTime.nullable(),
  createdAt: isoTime,
  lastSignInAt: isoTime.nullable(),
  mfa: z.object({
    state: mfaStateSchema,
    methods: z.array(methodTypeSchema),
    /** Grace or overdue: when setup was or is due. */
    deadline: isoTime.nullable(),
  }),
  setupCodePending: z.boolean(),
})

export const setupCodeSchema = z.object({ username: z.string(), setupCode: z.string(), expiresAt: isoTime })

export const coverageSchema = z.object({
  total: z.number().int(),
  byState: z.object({
    none: z.number().int(),
    invited: z.number().int(),
    grace: z.number().int(),
    overdue: z.number().int(),
    enrolled: z.number().int(),
  }),
  byMethod: z.record(methodTypeSchema, z.number().int()),
  locked: z.number().int(),
  disabled: z.number().int(),
  /** Accounts in their grace period or past it, soonest deadline first (at most `limit`). */
  nonCompliant: z.array(
    z.object({ username: z.string(), displayName: z.string(), state: z.enum(['grace', 'overdue']), deadline: isoTime }),
  ),
})

export type AdminAccountView = z.output<typeof adminAccountViewSchema>
export type Coverage = z.output<typeof coverageSchema>
