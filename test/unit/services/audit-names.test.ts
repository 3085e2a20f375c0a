import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../electron/main/domain/app-error'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'

/**
 * S29: a deleted account's history stays its own. A new account never gets its id, a name
 * filter finds the deleted account's entries, and a new account with the same name shows
 * them apart: every entry carries the id of the account it was about.
 */
describe('audit history of deleted accounts (S29)', () => {
  let f: CoreFixture
  beforeEach(() => {
    f = createCoreFixture()
  })
  afterEach(() => f.close())

  /** Creates an account and returns its id (the view shows none). */
  const create = async (username: string) => {
    await f.accounts.createAccount({ username, role: 'user', password: goodPassword }, actor)
    return { id: f.deps.accounts.findByUsername(username)!.id }
  }

  it('a new account does not reuse the id of the newest deleted account, nor inherit its history', async () => {
    await create('keeper')
    const gone = await create('erin')
    f.accounts.setDisabled('erin', true, actor)
    f.accounts.deleteAccount('erin', actor)
    const next = await create('frank')
    expect(next.id).not.toBe(gone.id)
    expect(f.services.audit.list({ username: 'frank', limit: 100 }).map((e) => e.event)).toEqual(['account.created'])
  })

  it("filtering by a deleted account's name finds its history; a recreated name shows both, each with its own id", async () => {
    const old = await create('erin')
    f.accounts.setDisabled('erin', true, actor)
    f.accounts.deleteAccount('erin', actor)

    const history = f.services.audit.list({ username: 'ERIN', limit: 100 })
    expect(history.map((e) => [e.event, e.account, e.accountId])).toEqual([
      ['account.deleted', 'erin', old.id],
      ['account.disabled', 'erin', old.id],
      ['account.created', 'erin', old.id],
    ])

    const again = await create('erin')
    expect(again.id).not.toBe(old.id)
    const both = f.services.audit.list({ username: 'erin', limit: 100 })
    expect(both.map((e) => [e.event, e.accountId])).toEqual([
      ['account.created', again.id],
      ['account.deleted', old.id],
      ['account.disabled', old.id],
      ['account.created', old.id],
    ])
    expect(f.services.audit.verify()).toMatchObject({ ok: true })
  })

  it('a name no account ever had is still NOT_FOUND', () => {
    expect(() => f.services.audit.list({ username: 'nobody', limit: 10 })).toThrow(AppError)
  })
})
