import { policyDocumentSchema, type PolicyDocument } from '../../../shared/policy-schemas'
import { defaultDocument, type RequiredSince } from '../../domain/mfa-policy'
import type { PolicyStore, StoredPolicy } from '../../services/policy-ports'
import type { SqliteDatabase } from './open-database'

interface PolicyRow {
  version: number
  document: string
  required_since: string
  created_at: number
  actor: string
}

const noneSince: RequiredSince = { site: null, admin: null, user: null }

/**
 * The newest policy version, cached until another version appears (the CLI may
 * write one while the app runs: the version check is one indexed read).
 */
export function createSqlitePolicyStore(db: SqliteDatabase): PolicyStore {
  const newest = db.prepare<[], PolicyRow>('SELECT * FROM policy_versions ORDER BY version DESC LIMIT 1')
  const newestVersion = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM policy_versions')
  const insert = db.prepare<[string, string, number, string]>(
    'INSERT INTO policy_versions (document, required_since, created_at, actor) VALUES (?, ?, ?, ?)',
  )
  let cached: StoredPolicy | undefined

  function load(): StoredPolicy {
    const row = newest.get()
    if (!row) return { version: 0, document: defaultDocument, since: noneSince, updatedAt: null, updatedBy: null }
    // Parsed on read: a damaged row fails loudly instead of weakening the policy.
    const document: PolicyDocument = policyDocumentSchema.parse(JSON.parse(row.document))
    return {
      version: row.version,
      document,
      since: JSON.parse(row.required_since) as RequiredSince,
      updatedAt: row.created_at,
      updatedBy: row.actor,
    }
  }

  return {
    current() {
      const version = newestVersion.get()?.v ?? 0
      if (cached === undefined || cached.version !== version) cached = load()
      return cached
    },
    save(document, since, actor, now) {
      const info = insert.run(JSON.stringify(document), JSON.stringify(since), now, actor)
      cached = undefined
      return Number(info.lastInsertRowid)
    },
  }
}
