import { AppError } from '../domain/app-error'
import { isHighlyRestrictive } from '../domain/username-look-alike'
import type { AccountRepo } from './ports'

/**
 * S30: checks on a username that a new account is about to take, for every path that creates
 * one (first-run setup, the window's and the CLI's account create, import). Messages are in
 * English for the CLI and logs; the window translates `usernameProblem`.
 */
export const mixedScriptsMessage = 'Use letters of one script; Latin may be mixed only with Chinese, Japanese or Korean'

export function lookAlikeMessage(username: string, existing: string): string {
  return `"${username}" looks like the existing account "${existing}"; choose a name that cannot be mistaken for it`
}

/** Refuses a name that mixes scripts beyond UTS #39's Highly Restrictive level (VALIDATION). */
export function refuseMixedScripts(username: string): void {
  if (isHighlyRestrictive(username)) return
  throw new AppError('VALIDATION', `Username "${username}": ${mixedScriptsMessage}`, {
    fields: [{ field: 'username', message: mixedScriptsMessage }],
    usernameProblem: 'mixed-scripts',
  })
}

/** Refuses a name with the confusable skeleton of an existing account's (CONFLICT). */
export function refuseLookAlike(accounts: AccountRepo, username: string): void {
  const existing = accounts.findLookAlike(username)
  if (!existing) return
  const message = lookAlikeMessage(username, existing.username)
  throw new AppError('CONFLICT', message, {
    fields: [{ field: 'username', message }],
    usernameProblem: 'look-alike',
  })
}
