import { openDatabase, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAuditLog } from '../../../electron/main/adapters/sqlite/sqlite-audit-log'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { defaultPolicy } from '../../../electron/main/domain/policy'
import type { HarnessKeys } from './keyhold-harness'

/**
 * S21: what must hold in the database file after a kill -9 at any moment,
 * checked on a fresh connection (which also recovers the WAL, as the next start
 * of Keyhold would). Each check is a query for the rows that break a rule, so a
 * failure names them. The rules follow from the services' transactions:
 *
 * - enable (method insert + batch activation + enrollment delete + audit) is one
 *   transaction: no enrollment beside the method it became, exactly one
 *   `mfa.method-added` row per method, exactly one preferred method per account;
 * - a recovery batch is inserted whole (10 codes), pending (inactive) only while
 *   the enrollment that issued it lives, active only on an account with methods,
 *   one active batch per account;
 * - a recovery code is marked used in the transaction that writes the
 *   `sign-in.succeeded` row with factor `recovery-code`, at the same instant;
 * - the failure counter moves with the audit row of each failure (S13), so it
 *   never exceeds the failures audited since the last success or unlock; a time
 *   lock needs a full threshold, an administrator's lock 100 failures;
 * - an email/SMS code lives at most its lifetime and only with its enrollment.
 *
 * The worker (crash-worker.ts) removes no methods and changes no policy, which
 * keeps the method/audit pairing exact.
 */
export interface CrashCheck {
  readonly problems: readonly string[]
  readonly counts: Readonly<Record<string, number>>
}

const failureEvents = [
  'sign-in.failed',
  'sign-in.factor-failed',
  'mfa.enrollment-code-failed',
  'step-up.failed',
  'contact.code-failed',
  'setup-code.failed',
]
const clearingEvents = ['sign-in.succeeded', 'account.unlocked']

function rows(db: SqliteDatabase, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  return db.prepare(sql).all(...params) as Record<string, unknown>[]
}

export function checkCrashInvariants(file: string, keys: HarnessKeys): CrashCheck {
  const db = openDatabase(file)
  try {
    const problems: string[] = []
    const expectNone = (rule: string, sql: string, ...params: unknown[]) => {
      const found = rows(db, sql, ...params)
      if (found.length > 0) problems.push(`${rule}: ${JSON.stringify(found.slice(0, 5))}`)
    }

    const integrity = rows(db, 'PRAGMA integrity_check').map((r) => Object.values(r)[0])
    if (integrity.length !== 1 || integrity[0] !== 'ok') problems.push(`integrity_check: ${JSON.stringify(integrity)}`)
    expectNone('foreign_key_check', 'PRAGMA foreign_key_check')
    const audit = createSqliteAuditLog(db, createSqliteSettings(db), keys.auditKey).verify()
    if (!audit.ok) problems.push(`audit chain: ${audit.problem}`)

    // No half-enabled method.
    expectNone(
      'an account with methods has not exactly one preferred',
      'SELECT account_id, sum(preferred) AS preferred FROM mfa_methods GROUP BY account_id HAVING sum(preferred) != 1',
    )
    expectNone(
      'an enrollment still exists beside the method it became',
      `SELECT e.id, e.type FROM mfa_enrollments e JOIN mfa_methods m
         ON m.account_id = e.account_id AND m.type = e.type
        AND (m.secret_enc = e.secret_enc OR lower(m.destination) = lower(e.destination))`,
    )
    expectNone(
      'a method without exactly one mfa.method-added audit row',
      `SELECT m.id, m.type FROM mfa_methods m WHERE (
         SELECT count(*) FROM audit_log a WHERE a.event = 'mfa.method-added' AND a.account_id = m.account_id
            AND json_extract(a.detail, '$.methodId') = m.id) != 1`,
    )
    expectNone(
      'an mfa.method-added audit row without its method',
      `SELECT a.id FROM audit_log a WHERE a.event = 'mfa.method-added' AND NOT EXISTS (
         SELECT 1 FROM mfa_methods m WHERE m.id = json_extract(a.detail, '$.methodId'))`,
    )
    expectNone(
      'a recovery batch that is not 10 codes',
      'SELECT batch, count(*) AS codes FROM recovery_codes GROUP BY batch HAVING count(*) != 10',
    )
    expectNone(
      'pending recovery codes without the enrollment that issued them',
      `SELECT DISTINCT r.batch FROM recovery_codes r WHERE r.active = 0
         AND NOT EXISTS (SELECT 1 FROM mfa_enrollments e WHERE e.recovery_batch = r.batch)`,
    )
    expectNone(
      'active recovery codes on an account without methods',
      `SELECT DISTINCT r.account_id FROM recovery_codes r WHERE r.active = 1
         AND NOT EXISTS (SELECT 1 FROM mfa_methods m WHERE m.account_id = r.account_id)`,
    )
    expectNone(
      'more than one active recovery batch on an account',
      'SELECT account_id FROM recovery_codes WHERE active = 1 GROUP BY account_id HAVING count(DISTINCT batch) > 1',
    )

    // No recovery code consumed without its audit entry, and no audited use without its code.
    const recoverySignIn = `a.event = 'sign-in.succeeded' AND json_extract(a.detail, '$.factor') = 'recovery-code'`
    expectNone(
      'a used recovery code without its sign-in.succeeded audit row',
      `SELECT r.id, r.account_id, r.used_at FROM recovery_codes r WHERE r.used_at IS NOT NULL AND (
         SELECT count(*) FROM recovery_codes s WHERE s.account_id = r.account_id AND s.used_at = r.used_at) > (
         SELECT count(*) FROM audit_log a WHERE ${recoverySignIn} AND a.account_id = r.account_id AND a.at = r.used_at)`,
    )
    expectNone(
      'an audited recovery-code sign-in whose code is not marked used',
      `SELECT a.id, a.account_id, a.at FROM audit_log a WHERE ${recoverySignIn}
         AND NOT EXISTS (SELECT 1 FROM recovery_codes r WHERE r.account_id = a.account_id AND r.used_at = a.at)
         AND NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.account_id = a.account_id AND b.id > a.id
           AND b.event IN ('recovery-codes.regenerated', 'mfa.method-added', 'mfa.method-removed', 'mfa.reset'))`,
    )
    expectNone(
      'a recovery-code sign-in without its recovery-code.used audit row in the same transaction',
      `SELECT a.id FROM audit_log a WHERE ${recoverySignIn} AND NOT EXISTS (
         SELECT 1 FROM audit_log u WHERE u.event = 'recovery-code.used' AND u.account_id = a.account_id AND u.at = a.at)`,
    )

    // Failure counters (S13).
    expectNone(
      'an administrator lock before 100 failures',
      'SELECT id, failed_attempts FROM accounts WHERE admin_locked = 1 AND failed_attempts < ?',
      defaultPolicy.adminUnlockAfterFailures,
    )
    expectNone(
      'a time lock before the threshold',
      'SELECT id, failed_attempts FROM accounts WHERE locked_until IS NOT NULL AND failed_attempts < ?',
      defaultPolicy.lockoutThreshold,
    )
    const failures = failureEvents.map((e) => `'${e}'`).join(', ')
    const clearing = clearingEvents.map((e) => `'${e}'`).join(', ')
    expectNone(
      'a failure counter above the failures audited since the last success',
      `SELECT acc.id, acc.failed_attempts, (
         SELECT count(*) FROM audit_log a WHERE a.account_id = acc.id AND a.event IN (${failures})
            AND a.id > coalesce((SELECT max(c.id) FROM audit_log c WHERE c.account_id = acc.id AND c.event IN (${clearing})), 0)
       ) AS audited FROM accounts acc WHERE acc.failed_attempts > 0 AND acc.failed_attempts > (
         SELECT count(*) FROM audit_log a WHERE a.account_id = acc.id AND a.event IN (${failures})
            AND a.id > coalesce((SELECT max(c.id) FROM audit_log c WHERE c.account_id = acc.id AND c.event IN (${clearing})), 0))`,
    )
    expectNone(
      'a sign-in challenge past its failure limit that still waits',
      "SELECT id, factor_failures FROM sessions WHERE state = 'pending_mfa' AND ended_at IS NULL AND factor_failures >= ?",
      defaultPolicy.challengeFailureLimit,
    )

    // S8: no email/SMS code usable beyond its lifetime, none without its enrollment.
    expectNone(
      'an email/SMS code valid longer than its lifetime',
      'SELECT id, created_at, expires_at FROM otp_codes WHERE expires_at <= created_at OR expires_at - created_at > ?',
      defaultPolicy.codeLifetimeMs,
    )
    expectNone(
      'an enrollment code without its enrollment',
      `SELECT o.id FROM otp_codes o WHERE o.purpose = 'enroll'
         AND NOT EXISTS (SELECT 1 FROM mfa_enrollments e WHERE e.id = o.subject)`,
    )

    const count = (sql: string) => Number(Object.values(rows(db, sql)[0] ?? { n: 0 })[0])
    return {
      problems,
      counts: {
        accounts: count('SELECT count(*) FROM accounts'),
        methods: count('SELECT count(*) FROM mfa_methods'),
        enrollments: count('SELECT count(*) FROM mfa_enrollments'),
        recoveryCodesUsed: count('SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL'),
        regenerations: count("SELECT count(*) FROM audit_log WHERE event = 'recovery-codes.regenerated'"),
        signIns: count("SELECT count(*) FROM audit_log WHERE event = 'sign-in.succeeded'"),
        failures: count(`SELECT count(*) FROM audit_log WHERE event IN (${failures})`),
        auditRows: audit.rows,
      },
    }
  } finally {
    db.close()
  }
}
