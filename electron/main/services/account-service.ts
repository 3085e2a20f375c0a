import type { AccountView } from '../../shared/schemas'
import { AppError } from '../domain/app-error'
import { checkNewPassword, isShortWithoutMfa } from '../domain/password-rules'
import { toE164 } from '../domain/phone'
import { unlockedState } from '../domain/lockout'
import { toAccountView } from './account-view'
import type { CoreDeps } from './deps'
import type { AccountRecord, Role } from './ports'
import { refuseLookAlike, refuseMixedScripts } from './username-checks'

/**
 * Creating and administering accounts, and a user's own password change.
 * Callers (router, CLI) have already checked who may do what; `actor` is what
 * the audit log records: `cli:<os user>`, `window:<username>`, `preview:<username>`.
 */
export interface NewAccountInput {
  readonly username: string
  readonly displayName?: string | undefined
  readonly email?: string | null | undefined
  readonly phone?: string | null | undefined
  readonly role: Role
  readonly password: string
}

export function createAccountService(deps: CoreDeps) {
  const { clock, accounts, sessions, audit, uow, hasher } = deps

  function passwordContext(username: string, email: string | null, accountId: number | null) {
    return {
      username,
      email,
      hasMfa: accountId === null ? false : deps.mfa.hasActiveMethod(accountId),
    }
  }

  function require(username: string): AccountRecord {
    const account = accounts.findByUsername(username)
    if (!account) throw new AppError('NOT_FOUND', `No account named "${username}"`)
    return account
  }

  async function prepareNew(input: NewAccountInput) {
    const email = input.email ?? null
    const phone = input.phone ? toE164(input.phone) : null
    const password = checkNewPassword(
      input.password,
      passwordContext(input.username, email, null),
      deps.isCommonPassword,
    )
    refuseMixedScripts(input.username)
    if (accounts.findByUsername(input.username)) {
      throw new AppError('CONFLICT', `An account named "${input.username}" already exists`, {
        fields: [{ field: 'username', message: 'This username is taken' }],
      })
    }
    refuseLookAlike(accounts, input.username)
    return { email, phone, passwordHash: await hasher.hash(password), passwordShort: isShortWithoutMfa(password) }
  }

  function insertAccount(input: NewAccountInput, prepared: Awaited<ReturnType<typeof prepareNew>>, now: number) {
    // Checked again inside the transaction: another process may have taken the name while we hashed.
    if (accounts.findByUsername(input.username)) {
      throw new AppError('CONFLICT', `An account named "${input.username}" already exists`)
    }
    refuseLookAlike(accounts, input.username)
    return accounts.insert({
      username: input.username,
      displayName: input.displayName?.trim() || input.username,
      email: prepared.email,
      phone: prepared.phone,
      role: input.role,
      passwordHash: prepared.passwordHash,
      passwordShort: prepared.passwordShort,
      now,
    })
  }

  /** First run: the first administrator, only while there is no account at all. */
  async function createFirstAdmin(input: Omit<NewAccountInput, 'role'>, actor: string): Promise<AccountView> {
    if (accounts.count() > 0) throw new AppError('SETUP_DONE', 'Keyhold is already set up; sign in instead')
    const prepared = await prepareNew({ ...input, role: 'admin' })
    const created = uow.tx(() => {
      // Two windows finishing setup at once: only the first wins.
      if (accounts.count() > 0) throw new AppError('SETUP_DONE', 'Keyhold is already set up; sign in instead')
      const now = clock.now()
      const account = insertAccount({ ...input, role: 'admin' }, prepared, now)
      audit.append({ actor, event: 'setup.first-admin', accountId: account.id }, now)
      return account
    })
    return toAccountView(created, clock.now())
  }

  /**
   * `alsoInTransaction` runs in the same transaction as the insert (the admin's
   * setup code), so a crash never leaves an account without what it was created with.
   */
  async function createAccount(
    input: NewAccountInput,
    actor: string,
    alsoInTransaction?: (account: AccountRecord, now: number) => void,
  ): Promise<AccountView> {
    const prepared = await prepareNew(input)
    const created = uow.tx(() => {
      const now = clock.now()
      const account = insertAccount(input, prepared, now)
      audit.append({ actor, event: 'account.created', accountId: account.id, detail: { role: account.role } }, now)
      alsoInTransaction?.(account, now)
      return account
    })
    return toAccountView(created, clock.now())
  }

  function listAccounts(query: { search?: string | undefined; limit: number; offset: number }) {
    const { accounts: rows, total } = accounts.list({ ...query, search: query.search ?? '' })
    const now = clock.now()
    return { accounts: rows.map((a) => toAccountView(a, now)), total }
  }

  function getAccount(username: string): AccountView {
    return toAccountView(require(username), clock.now())
  }

  function getAccountById(id: number): AccountView {
    const account = accounts.findById(id)
    if (!account) throw new AppError('NOT_FOUND', 'This account no longer exists')
    return toAccountView(account, clock.now())
  }

  /** The last enabled administrator can be neither disabled, demoted nor deleted. */
  function guardLastAdmin(account: AccountRecord, what: string): void {
    if (account.role === 'admin' && !account.disabled && accounts.countAdmins({ enabledOnly: true }) <= 1) {
      throw new AppError('LAST_ADMIN', `Cannot ${what} the last enabled administrator`)
    }
  }

  function setDisabled(username: string, disabled: boolean, actor: string): AccountView {
    return uow.tx(() => {
      const account = require(username)
      const now = clock.now()
      if (disabled) {
        guardLastAdmin(account, 'disable')
        sessions.endAllForAccount(account.id, now)
      }
      accounts.update(account.id, { disabled }, now)
      audit.append({ actor, event: disabled ? 'account.disabled' : 'account.enabled', accountId: account.id }, now)
      return toAccountView(accounts.findById(account.id)!, now)
    })
  }

  function deleteAccount(username: string, actor: string): void {
    uow.tx(() => {
      const account = require(username)
      guardLastAdmin(account, 'delete')
      const now = clock.now()
      accounts.delete(account.id)
      audit.append(
        {
          actor,
          event: 'account.deleted',
          accountId: account.id,
          username: account.username,
          detail: { username: account.username },
        },
        now,
      )
    })
  }

  /** Clears the failure counter and any lock, including one that only an administrator may lift (S13). */
  function unlock(username: string, actor: string): AccountView {
    return uow.tx(() => {
      const account = require(username)
      const now = clock.now()
      accounts.setLockState(account.id, unlockedState, now)
      audit.append({ actor, event: 'account.unlocked', accountId: account.id }, now)
      return toAccountView(accounts.findById(account.id)!, now)
    })
  }

  async function setPassword(account: AccountRecord, password: string, actor: string, keepSessionId?: string) {
    const normalized = checkNewPassword(
      password,
      passwordContext(account.username, account.email, account.id),
      deps.isCommonPassword,
    )
    const passwordHash = await hasher.hash(normalized)
    uow.tx(() => {
      const now = clock.now()
      accounts.setPassword(account.id, passwordHash, now, isShortWithoutMfa(normalized))
      // A password set now makes any pending setup code pointless: it must not work later.
      deps.setupCodes.delete(account.id)
      // A changed password ends every other session of the account (S16).
      const ended = sessions.endAllForAccount(account.id, now, keepSessionId)
      audit.append({ actor, event: 'password.changed', accountId: account.id, detail: { sessionsEnded: ended } }, now)
    })
  }

  /** An administrator or the CLI sets someone's password. */
  async function resetPassword(username: string, password: string, actor: string): Promise<void> {
    await setPassword(require(username), password, actor)
  }

  /** The signed-in user changes their own password (the caller checked step-up). */
  async function changeOwnPassword(account: AccountRecord, password: string, actor: string, sessionId: string) {
    await setPassword(account, password, actor, sessionId)
  }

  return {
    createFirstAdmin,
    createAccount,
    listAccounts,
    getAccount,
    getAccountById,
    setDisabled,
    deleteAccount,
    unlock,
    resetPassword,
    changeOwnPassword,
    isSetupRequired: () => accounts.count() === 0,
  }
}

export type AccountService = ReturnType<typeof createAccountService>
