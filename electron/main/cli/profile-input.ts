import type { z } from 'zod'
import { displayNameSchema, emailSchema, usernameSchema } from '../../shared/schemas'
import { CliError } from './command'

/**
 * The CLI checks names and addresses with the same contract schemas the app's
 * forms go through (S25), so an account made here could also have been made in
 * the app. Phone numbers are parsed to E.164 by the service itself.
 */
function check<T>(schema: z.ZodType<T>, value: string, what: string): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new CliError('VALIDATION', `${what}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`)
}

export interface ProfileInput {
  readonly username: string
  readonly displayName?: string | undefined
  readonly email?: string | undefined
  readonly phone?: string | undefined
}

export function checkProfile(input: ProfileInput): ProfileInput {
  return {
    username: check(usernameSchema, input.username, 'username'),
    displayName:
      input.displayName === undefined ? undefined : check(displayNameSchema, input.displayName, '--display-name'),
    email: input.email === undefined ? undefined : check(emailSchema, input.email, '--email'),
    phone: input.phone,
  }
}
