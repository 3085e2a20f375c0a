import type Database from 'better-sqlite3'
import { usernameKey } from '../../domain/username'
import { usernameSkeleton } from '../../domain/username-look-alike'
import type { AccountPatch, AccountRepo, NewAccount } from '../../services/ports'
import { toAccountRecord as toRecord, type AccountRow } from './account-row'
import type { SqliteDatabase } from './open-database'
import { createSqliteAccountSearch } from './sqlite-account-search'

const patchColumns: Record<keyof AccountPatch, string> = {
  displayName: 'display_name',
  email: 'email',
  phone: 'phone',
  role: 'role',
  disabled: 'disabled',
  lastSignInAt: 'last_sign_in_at',
}

export function createSqliteAccountRepo(db: SqliteDatabase): AccountRepo {
  const byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?')
  const byKey = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username_key = ?')
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts')
  const countAdmins = db.prepare<[number], { n: number }>(
    "SELECT count(*) AS n FROM accounts WHERE role = 'admin' AND (? = 0 OR disabled = 0)",
  )
  const insert = db.prepare(
    `INSERT INTO accounts (username, username_key, username_skeleton, display_name, email, phone, role, password_hash,
       password_short, password_changed_at, created_at, updated_at)
     VALUES (@username, @usernameKey, @usernameSkeleton, @displayName, @email, @phone, @role, @passwordHash,
       @passwordShort, @now, @now, @now)`,
  )
  const lookAlike = db.prepare<{ skeleton: string; key: string }, AccountRow>(
    'SELECT * FROM accounts WHERE username_skeleton = @skeleton AND username_key <> @key ORDER BY id LIMIT 1',
  )
  const lookAlikePairs = db
    .prepare<[], [string, string]>(
      `SELECT a.username, b.username FROM accounts a JOIN accounts b
         ON b.username_skeleton = a.username_skeleton AND b.id > a.id
       -- '' is only the column default (a row written by hand, not by Keyhold): not a skeleton.
       WHERE a.username_skeleton <> '' ORDER BY a.username_key, b.username_key`,
    )
    .raw()
  const setPassword = db.prepare<[string, number, number, number | null, number]>(
    'UPDATE accounts SET password_hash = ?, password_changed_at = ?, updated_at = ?, password_short = coalesce(?, password_short) WHERE id = ?',
  )
  const setLock = db.prepare<[number, number | null, number, number, number]>(
    'UPDATE accounts SET failed_attempts = ?, locked_until = ?, admin_locked = ?, updated_at = ? WHERE id = ?',
  )
  const remove = db.prepare<[number]>('DELETE FROM accounts WHERE id = ?')
  // One prepared UPDATE per set of patched columns, kept: every sign-in writes lastSignInAt, and
  // preparing the statement again each time cost more than running it.
  const updates = new Map<string, Database.Statement>()
  const updateOf = (columns: readonly (keyof AccountPatch)[]): Database.Statement => {
    const name = columns.join(',')
    let statement = updates.get(name)
    if (!statement) {
      const sets = columns.map((key) => `${patchColumns[key]} = @${key}`)
      statement = db.prepare(`UPDATE accounts SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`)
      updates.set(name, statement)
    }
    return statement
  }
  const everything = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY username_key')

  const listAll = db.prepare<{ limit: number; offset: number }, AccountRow>(
    'SELECT * FROM accounts ORDER BY username_key LIMIT @limit OFFSET @offset',
  )
  const search = createSqliteAccountSearch(db)

  return {
    count: () => countAll.get()!.n,
    countAdmins: ({ enabledOnly }) => countAdmins.get(enabledOnly ? 1 : 0)!.n,
    findById: (id) => {
      const row = byId.get(id)
      return row ? toRecord(row) : null
    },
    findByUsername: (username) => {
      const row = byKey.get(usernameKey(username))
      return row ? toRecord(row) : null
    },
    findLookAlike: (username) => {
      const row = lookAlike.get({ skeleton: usernameSkeleton(username), key: usernameKey(username) })
      return row ? toRecord(row) : null
    },
    lookAlikePairs: () => lookAlikePairs.all(),
    insert: (account: NewAccount) => {
      const info = insert.run({
        ...account,
        usernameKey: usernameKey(account.username),
        usernameSkeleton: usernameSkeleton(account.username),
        passwordShort: account.passwordShort ? 1 : 0,
      })
      return toRecord(byId.get(Number(info.lastInsertRowid))!)
    },
    update: (id, patch, now) => {
      const entries = Object.entries(patch).filter(([, value]) => value !== undefined)
      if (entries.length === 0) return
      const values = Object.fromEntries(
        entries.map(([key, value]) => [key, typeof value === 'boolean' ? Number(value) : value]),
      )
      updateOf(entries.map(([key]) => key as keyof AccountPatch)).run({ ...values, now, id })
    },
    setPassword: (id, passwordHash, now, passwordShort) =>
      void setPassword.run(passwordHash, now, now, passwordShort === undefined ? null : passwordShort ? 1 : 0, id),
    setLockState: (id, state, now) =>
      void setLock.run(state.failedAttempts, state.lockedUntil, state.adminLocked ? 1 : 0, now, id),
    delete: (id) => void remove.run(id),
    iterate: function* () {
      for (const row of everything.iterate()) yield toRecord(row)
    },
    list: ({ search: text, limit, offset }) =>
      (text ? search.list(text, { limit, offset }) : null) ?? {
        accounts: listAll.all({ limit, offset }).map(toRecord),
        total: countAll.get()!.n,
      },
  }
}
