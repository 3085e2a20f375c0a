import { execFileSync } from 'node:child_process'
import { expect } from 'vitest'
import { oathtoolBin, okJson, totpSetupOf } from './mfa-cli'
import { cliFor, jsonOf, withDatabase, type CliRun, type RunOptions } from './run-cli'

/** Helpers for the operator commands' tests (policy, import/export, auth, backup, vault rotate). */
export type Cli = (args: readonly string[], options?: RunOptions) => Promise<CliRun>

/**
 * The code an authenticator app shows `offsetSeconds` from now, by oathtool.
 * Codes one step ahead are still accepted (S6: one step of drift) and are not
 * yet used, so a test can sign in again right after a setup consumed this step (S7).
 */
export function oathtoolCodeAt(secret: string, offsetSeconds: number): string {
  const epoch = Math.floor(Date.now() / 1000) + offsetSeconds
  return execFileSync(oathtoolBin, ['--totp', '-d', '6', '-b', secret, '-N', `@${epoch}`], { encoding: 'utf8' }).trim()
}

/** Adds an authenticator app to `name` (begin → verify with oathtool → enable): its secret and first recovery codes. */
export async function addTotp(cli: Cli, name: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = totpSetupOf(await cli(['mfa', 'enroll', 'begin', name, '--type', 'totp', '--json']))
  const verified = okJson<{ recoveryCodes: string[] | null }>(
    await cli(['mfa', 'enroll', 'verify', setup.enrollmentId, '--code', oathtoolCodeAt(setup.secret, 0), '--json']),
  )
  okJson(await cli(['mfa', 'enroll', 'enable', setup.enrollmentId, '--json']))
  return { secret: setup.secret, recoveryCodes: verified.recoveryCodes ?? [] }
}

export interface PolicyDocumentJson {
  site: Record<string, unknown>
  roles: Record<string, Record<string, unknown>>
}

/** The policy in force, as `policy get --json` prints it. */
export async function currentPolicy(cli: Cli): Promise<PolicyDocumentJson & { version: number }> {
  return okJson(await cli(['policy', 'get', '--json']))
}

/** `policy set` from stdin with the site rules changed by `site` and the role overrides replaced by `roles`. */
export async function setPolicy(
  cli: Cli,
  site: Record<string, unknown>,
  roles?: Record<string, Record<string, unknown>>,
): Promise<void> {
  const current = await currentPolicy(cli)
  const document = { site: { ...current.site, ...site }, roles: roles ?? current.roles }
  const run = await cli(['policy', 'set', '--json'], { input: JSON.stringify(document) })
  expect(run.stderr, run.stdout).toBe('')
  expect(run.code).toBe(0)
}

/** `keyhold auth` against one data folder, and what the database says afterwards. */
export function authHarness(dataDir: string) {
  const cli = cliFor(dataDir)
  return {
    cli,
    auth(name: string, input: string, json = true): Promise<CliRun> {
      return cli(['auth', name, ...(json ? ['--json'] : [])], { input })
    },
    /** S13: the account's consecutive failures. */
    failures(name: string): number {
      return withDatabase(dataDir, (db) =>
        db.prepare<[string], { n: number }>('SELECT failed_attempts AS n FROM accounts WHERE username = ?').get(name),
      )!.n
    },
    auditOf(name: string): { actor: string; event: string }[] {
      return withDatabase(dataDir, (db) =>
        db
          .prepare<[string], { actor: string; event: string }>(
            'SELECT actor, event FROM audit_log WHERE account_id = (SELECT id FROM accounts WHERE username = ?) ORDER BY id',
          )
          .all(name),
      )
    },
    liveSessions(name: string): number {
      return withDatabase(dataDir, (db) =>
        db
          .prepare<[string], { n: number }>(
            'SELECT count(*) AS n FROM sessions WHERE ended_at IS NULL AND account_id = (SELECT id FROM accounts WHERE username = ?)',
          )
          .get(name),
      )!.n
    },
  }
}

/** The exit status, and for a failure the error code on stderr and in the --json document. */
export function expectExit(run: CliRun, code: number, error?: string): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code)
  if (error !== undefined) {
    expect(run.stderr).toMatch(new RegExp(`^error: ${error}: `))
    expect(jsonOf(run)).toMatchObject({ error: { code: error } })
  }
}
