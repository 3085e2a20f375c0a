import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { expect } from 'vitest'
import { jsonOf, type CliRun } from './run-cli'

/**
 * Helpers for the MFA commands' tests: an independent TOTP implementation
 * (Debian's oathtool, not otplib), and reading codes out of what the real
 * SMTP server and SMS gateways received.
 */
export const oathtoolBin = '/usr/bin/oathtool'

export function requireOathtool(): void {
  if (!existsSync(oathtoolBin)) throw new Error(`${oathtoolBin} is missing: apt-get install -y oathtool`)
}

/** The code an authenticator app shows now, computed by oathtool from a Base32 secret. */
export function oathtoolCode(secret: string, options: { algorithm?: string; digits?: number } = {}): string {
  const algorithm = (options.algorithm ?? 'sha1').toUpperCase()
  const mode = algorithm === 'SHA1' ? '--totp' : `--totp=${algorithm}`
  return execFileSync(oathtoolBin, [mode, '-d', String(options.digits ?? 6), '-b', secret], { encoding: 'utf8' }).trim()
}

/** What `mfa enroll begin --type totp --json` printed, with the otpauth URI taken apart. */
export interface TotpSetup {
  readonly enrollmentId: string
  readonly uri: URL
  readonly secret: string
  readonly algorithm: string
  readonly digits: number
}

export function totpSetupOf(run: CliRun): TotpSetup {
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const json = jsonOf(run) as { enrollmentId: string; otpauthUri: string; secret: string }
  const uri = new URL(json.otpauthUri)
  expect(uri.protocol).toBe('otpauth:')
  expect(uri.host).toBe('totp')
  // The secret is taken from the printed URI, as an authenticator app would read it from the QR code.
  const secret = uri.searchParams.get('secret')!
  expect(secret).toBe(json.secret)
  return {
    enrollmentId: json.enrollmentId,
    uri,
    secret,
    algorithm: uri.searchParams.get('algorithm') ?? 'SHA1',
    digits: Number(uri.searchParams.get('digits') ?? '6'),
  }
}

/** The six-digit code in a code message ("Your … security code is 123456. …", "123456 is your … code"). */
export function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text)
  if (!match) throw new Error(`no six-digit code in: ${text}`)
  return match[1]!
}

/** Exit 1 with `error: CODE: …` on stderr and the same code in the --json error object. */
export function expectFailure(run: CliRun, code: string, message?: RegExp): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1)
  expect(run.stderr).toMatch(new RegExp(`^error: ${code}: `))
  if (message) expect(run.stderr.split('\n')[0]).toMatch(message)
  if (run.stdout.trim() !== '') expect(jsonOf(run)).toMatchObject({ error: { code } })
}

/** A successful --json run's document. */
export function okJson<T = Record<string, unknown>>(run: CliRun): T {
  expect(run.stderr, run.stdout).toBe('')
  expect(run.code).toBe(0)
  return jsonOf(run) as T
}

export const methodKeys = ['id', 'type', 'label', 'destination', 'preferred', 'createdAt', 'lastUsedAt'] as const
