import { displayNameSchema, emailSchema, usernameSchema } from '../../shared/schemas'
import { AppError } from '../domain/app-error'
import { toE164 } from '../domain/phone'
import { usernameKey } from '../domain/username'
import { isHighlyRestrictive, usernameSkeleton } from '../domain/username-look-alike'
import type { CoreDeps } from './deps'
import type { Role } from './ports'
import { noPasswordHash, type SetupCodeService } from './setup-code-service'
import { lookAlikeMessage, mixedScriptsMessage } from './username-checks'

/**
 * Bulk account import and export for operators (`keyhold account import|export`).
 *
 * An import checks every row before it changes anything, and reports each bad
 * row with its line and reason. Imported accounts never get a password from
 * the file: each gets a one-time setup code (valid 7 days) with which its user
 * chooses their own at first sign-in. A setup code is 120 random bits under a
 * keyed hash (setup-code-verifier.ts), microseconds each, so 100,000 codes are
 * made in well under a second; then every account is written in ONE
 * transaction: an import is all or nothing (S21), and the write lock is held
 * only for the inserts.
 */
export interface ImportRow {
  /** Line of the file where the row starts, for messages. */
  readonly line: number
  readonly username: string | null
  readonly displayName: string | null
  readonly email: string | null
  readonly phone: string | null
  readonly role: string | null
  /** Set by the file parser when the row could not be read at all (wrong field count, unknown key). */
  readonly problem?: string
}

export interface RowProblem {
  readonly line: number
  readonly username: string | null
  /** The column at fault, or null when the row as a whole is. */
  readonly field: string | null
  readonly message: string
}

export interface ValidRow {
  readonly line: number
  readonly username: string
  readonly displayName: string
  readonly email: string | null
  /** E.164. */
  readonly phone: string | null
  readonly role: Role
}

export interface IssuedSetupCode {
  readonly username: string
  readonly setupCode: string
  readonly expiresAt: string
}

export interface ExportedAccount {
  readonly username: string
  readonly displayName: string
  readonly email: string | null
  readonly phone: string | null
  readonly role: Role
}

export interface ImportProgress {
  readonly phase: 'setup-codes' | 'saving'
  readonly done: number
  readonly total: number
}

export interface ImportOptions {
  /** Import the good rows when some are bad (or were taken meanwhile), instead of nothing. */
  readonly skipInvalid: boolean
  readonly onProgress?: (progress: ImportProgress) => void
  /** Rows between two progress reports. */
  readonly batchSize?: number
}

export interface ImportResult {
  readonly imported: readonly IssuedSetupCode[]
  /** Rows that were valid when checked but whose username was taken before the write (skipInvalid only). */
  readonly conflicts: readonly RowProblem[]
}

export interface ImportServices {
  readonly setupCodes: Pick<SetupCodeService, 'make' | 'attachToNew'>
}

const roles: readonly Role[] = ['admin', 'user']

function firstIssue(result: { success: boolean; error?: { issues: readonly { message: string }[] } }): string {
  return result.error?.issues[0]?.message ?? 'invalid value'
}

export function createImportService(deps: CoreDeps, services: ImportServices) {
  const { accounts, uow, clock, audit } = deps

  /** Every problem of every row; rows without one are returned ready to import. */
  function validate(rows: readonly ImportRow[]): { valid: ValidRow[]; problems: RowProblem[] } {
    const valid: ValidRow[] = []
    const problems: RowProblem[] = []
    const seen = new Map<string, number>()
    const seenSkeletons = new Map<string, { line: number; username: string }>()
    for (const row of rows) {
      const own: RowProblem[] = []
      const problem = (field: string | null, message: string) =>
        own.push({ line: row.line, username: row.username, field, message })
      if (row.problem !== undefined) {
        problem(null, row.problem)
        problems.push(...own)
        continue
      }
      let username: string | null = null
      if (row.username === null) problem('username', 'is required')
      else {
        const parsed = usernameSchema.safeParse(row.username)
        if (!parsed.success) problem('username', firstIssue(parsed))
        else {
          username = parsed.data
          const key = usernameKey(username)
          const skeleton = usernameSkeleton(username)
          const earlier = seen.get(key)
          const lookAlike = seenSkeletons.get(skeleton)
          if (earlier !== undefined) problem('username', `"${username}" is already on line ${earlier} of this file`)
          else if (!isHighlyRestrictive(username)) problem('username', mixedScriptsMessage)
          else if (lookAlike !== undefined) {
            // S30: two rows of one file must not look alike either.
            problem(
              'username',
              `"${username}" looks like "${lookAlike.username}" on line ${lookAlike.line} of this file`,
            )
          } else {
            seen.set(key, row.line)
            seenSkeletons.set(skeleton, { line: row.line, username })
            const taken = accounts.findByUsername(username) !== null
            const lookAlikeAccount = taken ? null : accounts.findLookAlike(username)
            if (taken) problem('username', `an account named "${username}" already exists`)
            else if (lookAlikeAccount) problem('username', lookAlikeMessage(username, lookAlikeAccount.username))
          }
        }
      }
      let displayName: string | null = null
      if (row.displayName !== null) {
        const parsed = displayNameSchema.safeParse(row.displayName)
        if (parsed.success) displayName = parsed.data
        else problem('display_name', firstIssue(parsed))
      }
      let email: string | null = null
      if (row.email !== null) {
        const parsed = emailSchema.safeParse(row.email)
        if (parsed.success) email = parsed.data
        else problem('email', firstIssue(parsed))
      }
      let phone: string | null = null
      if (row.phone !== null) {
        try {
          phone = toE164(row.phone.trim())
        } catch (error) {
          if (!(error instanceof AppError)) throw error
          problem('phone', error.message)
        }
      }
      // An empty role means an ordinary user; anything else must be one of the two roles.
      const role = (row.role ?? 'user').trim().toLowerCase() as Role
      if (!roles.includes(role)) problem('role', `must be admin or user, not "${row.role}"`)
      if (own.length > 0 || username === null) {
        problems.push(...own)
        continue
      }
      valid.push({ line: row.line, username, displayName: displayName ?? username, email, phone, role })
    }
    return { valid, problems }
  }

  async function importRows(rows: readonly ValidRow[], actor: string, options: ImportOptions): Promise<ImportResult> {
    const total = rows.length
    const batchSize = options.batchSize ?? 32
    const codes: { code: string; hash: string }[] = []
    options.onProgress?.({ phase: 'setup-codes', done: 0, total })
    for (let start = 0; start < total; start += batchSize) {
      const end = Math.min(start + batchSize, total)
      for (let i = start; i < end; i += 1) codes.push(services.setupCodes.make())
      options.onProgress?.({ phase: 'setup-codes', done: codes.length, total })
      // Lets a terminal's progress line (and a Ctrl-C) through between batches.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    options.onProgress?.({ phase: 'saving', done: 0, total })
    // The write is one synchronous transaction; its progress goes out every so many rows.
    const saveStep = Math.max(batchSize, 1024)
    const outcome = uow.tx(() => {
      const now = clock.now()
      const imported: IssuedSetupCode[] = []
      const conflicts: RowProblem[] = []
      rows.forEach((row, index) => {
        // Checked again under the write lock: someone may have taken the name since the rows were checked.
        const taken = accounts.findByUsername(row.username) !== null
        const lookAlike = taken ? null : accounts.findLookAlike(row.username)
        if (taken || lookAlike) {
          const conflict = {
            line: row.line,
            username: row.username,
            field: 'username',
            message: lookAlike
              ? `an account "${lookAlike.username}" that looks like it was created meanwhile`
              : `an account named "${row.username}" was created meanwhile`,
          }
          if (!options.skipInvalid) {
            throw new AppError('CONFLICT', `line ${row.line}: ${conflict.message}; nothing was imported`)
          }
          conflicts.push(conflict)
          return
        }
        const account = accounts.insert({
          username: row.username,
          displayName: row.displayName,
          email: row.email,
          phone: row.phone,
          role: row.role,
          // No password works until the user redeems the setup code and chooses one.
          passwordHash: noPasswordHash,
          passwordShort: false,
          now,
        })
        audit.append(
          { actor, event: 'account.created', accountId: account.id, detail: { role: row.role, via: 'import' } },
          now,
        )
        const expiresAt = services.setupCodes.attachToNew(account, codes[index]!.hash, actor, now)
        imported.push({ username: account.username, setupCode: codes[index]!.code, expiresAt })
        if ((index + 1) % saveStep === 0 && index + 1 < total) {
          options.onProgress?.({ phase: 'saving', done: index + 1, total })
        }
      })
      audit.append(
        {
          actor,
          event: 'accounts.imported',
          accountId: null,
          detail: { imported: imported.length, skipped: conflicts.length },
        },
        now,
      )
      return { imported, conflicts }
    })
    options.onProgress?.({ phase: 'saving', done: total, total })
    return outcome
  }

  /** Every account, in username order, without anything secret; the export itself is audited. */
  function exportAccounts(actor: string, format: string): ExportedAccount[] {
    const list: ExportedAccount[] = []
    for (const a of accounts.iterate()) {
      list.push({ username: a.username, displayName: a.displayName, email: a.email, phone: a.phone, role: a.role })
    }
    uow.tx(() =>
      audit.append(
        { actor, event: 'accounts.exported', accountId: null, detail: { count: list.length, format } },
        clock.now(),
      ),
    )
    return list
  }

  return { validate, importRows, exportAccounts }
}

export type ImportService = ReturnType<typeof createImportService>
