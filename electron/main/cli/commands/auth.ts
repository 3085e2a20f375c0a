import type { Keyhold } from '../../composition/open-keyhold'
import { isAppError } from '../../domain/app-error'
import { normalizeDigits, normalizeRecoveryCode } from '../../domain/one-time-codes'
import type { ResolvedSession } from '../../services/auth-service'
import { totpSecretContext } from '../../services/mfa-deps'
import { CliError, UsageError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { shortTime } from '../output'
import { readSecretLines } from '../read-lines'
import { promptHidden } from '../read-stdin'

/**
 * `keyhold auth NAME`: Keyhold as the machine's authenticator, for programs run
 * by the same OS user (a kiosk launcher, a script guarding a tool). It reads
 * the password, then a code from an authenticator app or a recovery code, and
 * answers with its exit status only: 0 both right, 1 wrong (or the account is
 * disabled or unknown, or the code was just used: CODE_REUSED), 3 locked out, 4 MFA is required but the account has
 * no factor this command can check, 2 a usage error.
 *
 * S14: it goes through the window's own sign-in path: auth.signIn (lockout,
 * the shared failure counter, policy, audit), then the challenge service on
 * the pending session, then sign-out. Nothing here decides that a factor is
 * right; every wrong password or code counts towards the account's lockout (S13).
 */
export const exitLocked = 3
export const exitMfaNotSetUp = 4

interface AuthInput {
  readonly password: string
  /** The second line; on a terminal it is asked for only when the account owes a second factor. */
  code(): Promise<string>
}

async function readAuthInput(): Promise<AuthInput> {
  const io = { stdin: process.stdin, stderr: process.stderr }
  if (process.stdin.isTTY) {
    const password = await promptHidden(io, 'Password: ')
    return { password, code: () => promptHidden(io, 'Code from the authenticator app, or a recovery code: ') }
  }
  const [password = '', code = ''] = await readSecretLines(['password', 'code'], io)
  return { password, code: async () => code }
}

/** A refusal of the services, with the exit status this command promises for it. */
function refusal(error: unknown): unknown {
  if (!isAppError(error)) return error
  return new CliError(error.code, error.message, undefined, undefined, error.code === 'LOCKED' ? exitLocked : 1)
}

function mfaNotSetUp(message: string, fix: string): CliError {
  return new CliError('MFA_NOT_SET_UP', message, fix, undefined, exitMfaNotSetUp)
}

/**
 * Which of the account's authenticator apps shows this code. Read-only: it
 * only picks the method to hand to the challenge service, which checks the
 * code again, consumes its time step (S7) and counts a failure (S13) inside
 * its transaction. Without it a wrong code would be tried against every app
 * and count once per app.
 */
function totpMethodShowing(keyhold: Keyhold, resolved: ResolvedSession, ids: readonly number[], code: string) {
  const { deps } = keyhold
  const shows = (id: number, fresh: boolean) => {
    const method = deps.methods.find(resolved.account.id, id)
    if (!method?.secretEnc || !method.totp) return false
    const secret = Buffer.from(deps.secrets.decrypt(method.secretEnc, totpSecretContext(method.accountId)), 'base64')
    const afterStep = fresh ? method.lastUsedStep : null
    return deps.totp.verify({ secret, code, params: method.totp, nowMs: deps.clock.now(), afterStep }) !== null
  }
  // An app showing it as a fresh code first; else one that showed it already, so that the
  // challenge names the replay (CODE_REUSED) instead of calling the code wrong for another app.
  return ids.find((id) => shows(id, true)) ?? ids.find((id) => shows(id, false)) ?? null
}

type Factor = 'password' | 'totp' | 'recovery-code'

async function secondFactor(
  keyhold: Keyhold,
  resolved: ResolvedSession,
  input: AuthInput,
  actor: string,
): Promise<{ factor: Factor; recoveryCodesRemaining?: number }> {
  const { challenge } = keyhold.services
  const view = challenge.view(resolved)
  const apps = view.methods.filter((m) => m.type === 'totp')
  const name = resolved.account.username
  const noApp = () =>
    mfaNotSetUp(
      `"${name}" signs in with email or text-message codes only, which keyhold auth cannot check`,
      `Add an authenticator app to "${name}" (keyhold mfa enroll begin ${name} --type totp), or give a recovery code`,
    )
  const code = (await input.code()).trim()
  if (code === '') {
    if (apps.length === 0 && !view.recoveryCodesAvailable) throw noApp()
    throw new CliError(
      'INVALID_CODE',
      `"${name}" has multi-factor authentication: give a code from the authenticator app or a recovery code on the line after the password`,
    )
  }
  const digits = normalizeDigits(code)
  // A recovery code has letters (XXXX-XXXX-XXXX-XXXX, Base32); an app's code is 6 or 8 digits.
  if (!/^\d+$/.test(digits) && normalizeRecoveryCode(code) !== null) {
    const { recoveryCodesRemaining } = await challenge.useRecoveryCode(resolved, code, actor)
    return { factor: 'recovery-code', recoveryCodesRemaining }
  }
  if (apps.length === 0) throw noApp()
  const preferred = apps.find((m) => m.id === view.preferredMethodId) ?? apps[0]!
  const methodId =
    totpMethodShowing(
      keyhold,
      resolved,
      apps.map((m) => m.id),
      digits,
    ) ?? preferred.id
  challenge.verifyCode(resolved, methodId, code, actor)
  return { factor: 'totp' }
}

const factorText: Record<Factor, string> = {
  password: 'password',
  totp: 'password and authenticator app',
  'recovery-code': 'password and a recovery code',
}

export const authCommand: CommandDefinition = {
  words: ['auth'],
  args: ['NAME'],
  options: {},
  usage: 'auth NAME < password, then a code (authenticator app or recovery code) on the next line',
  summary:
    "Check an account's password and second factor for another program: exit 0 right, 1 wrong, 3 locked out, 4 MFA required but not set up",
  async run({ args, dataDir, actor, output }) {
    const input = await readAuthInput()
    if (input.password === '') {
      throw new UsageError('no password: put it on the first line of stdin, and a code on the second', authCommand)
    }
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const { auth } = keyhold
      // The audit log names both: the OS user who ran the check and the account it was for.
      const signedIn = await auth.signIn({ username: args[0]!, password: input.password }, actor).catch((error) => {
        throw refusal(error)
      })
      const { resolved } = signedIn
      const who = `${actor}:${resolved.account.username}`
      try {
        let outcome: { factor: Factor; recoveryCodesRemaining?: number } = { factor: 'password' }
        let notice: string | null = null
        switch (resolved.session.state) {
          case 'enrollment_required':
            throw mfaNotSetUp(
              `The site policy requires multi-factor authentication, and "${resolved.account.username}" has not set it up`,
              `Sign in to Keyhold as "${resolved.account.username}" and add a method, or an administrator runs keyhold mfa enroll begin ${resolved.account.username} --type totp`,
            )
          case 'pending_mfa':
            outcome = await secondFactor(keyhold, resolved, input, who).catch((error) => {
              throw refusal(error)
            })
            // Proved with a method the policy no longer allows, past a Required deadline (S14).
            if (keyhold.deps.sessions.findLive(resolved.session.id)?.state === 'enrollment_required') {
              throw mfaNotSetUp(
                `The site policy requires a method "${resolved.account.username}" has not set up`,
                `Sign in to Keyhold as "${resolved.account.username}" and add a method the policy allows`,
              )
            }
            break
          case 'active': {
            // As in the window: until the grace period ends, the password alone is accepted, with the deadline.
            const setup = auth.sessionView(resolved).mfaSetup
            if (setup?.state === 'grace' && setup.deadline !== null) {
              notice = `Multi-factor authentication is required from ${shortTime(setup.deadline)}; set it up before then.`
            }
            break
          }
        }
        output.result(
          {
            authenticated: true,
            username: resolved.account.username,
            factor: outcome.factor,
            ...(outcome.recoveryCodesRemaining === undefined
              ? {}
              : { recoveryCodesRemaining: outcome.recoveryCodesRemaining }),
            ...(notice === null ? {} : { notice }),
          },
          [
            `"${resolved.account.username}" is authenticated (${factorText[outcome.factor]}).`,
            ...(outcome.recoveryCodesRemaining === undefined
              ? []
              : [`${outcome.recoveryCodesRemaining} recovery codes left; each works once.`]),
            ...(notice === null ? [] : [notice]),
          ].join('\n'),
        )
      } finally {
        // Nothing stays signed in: the check is all the caller gets.
        if (keyhold.deps.sessions.findLive(resolved.session.id)) auth.signOut(resolved, who)
      }
    })
  },
}
