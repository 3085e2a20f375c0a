import { vi, type Mock } from 'vitest'
import type { KeyholdApi } from '../../../electron/shared/api'
import type { ErrorPayload, Result } from '../../../electron/shared/errors'
import type {
  ChallengeView,
  EnrollmentView,
  MethodView,
  MfaOverview,
  SentCode,
} from '../../../electron/shared/mfa-schemas'
import type { AdminAccountView, Coverage } from '../../../electron/shared/admin-schemas'
import type { PolicyRules, PolicyView } from '../../../electron/shared/policy-schemas'
import type { AccountView, AppState, ResponseOf, SessionView } from '../../../electron/shared/schemas'

/**
 * A stand-in for `window.keyhold` (the preload or the preview shim), playing the
 * main process's part: each method is a mock that answers with a Result. Tests
 * set the answers they need; everything else answers like a fresh, ready app.
 */
export type FakeBridge = { [M in BridgeMethod]: Mock<KeyholdApi[M]> }

/** Every channel of the contract: the renderer calls them all (issues 2, 4 and 5). */
type BridgeMethod = keyof KeyholdApi

export const adminAccount: AccountView = {
  username: 'ada',
  displayName: 'Ada Lovelace',
  email: 'ada@example.org',
  phone: '+441632960961',
  role: 'admin',
  disabled: false,
  locked: false,
  lockedUntil: null,
  createdAt: '2026-11-01T09:00:00.000Z',
  lastSignInAt: '2026-11-28T08:30:00.000Z',
  passwordChangedAt: '2026-11-01T09:00:00.000Z',
}

export function sessionFor(account: AccountView = adminAccount): SessionView {
  return {
    account,
    expiresAt: '2026-11-28T20:30:00.000Z',
    idleTimeoutMinutes: 30,
    stepUpUntil: '2026-11-28T08:35:00.000Z',
    mfaSetup: null,
    // What a site with the default policy and no SMS country list lets anyone set up.
    mfaOptions: { methods: ['totp', 'email', 'sms'], smsCountries: null },
  }
}

/** "Now" in these tests: the fake clock starts here, and the fixtures' times are relative to it. */
export const testNow = Date.parse('2026-11-28T08:30:00.000Z')
export const isoAt = (secondsFromNow: number) => new Date(testNow + secondsFromNow * 1000).toISOString()

export const totpMethod: MethodView = {
  id: 1,
  type: 'totp',
  label: 'Authenticator app',
  destination: null,
  preferred: true,
  createdAt: '2026-11-20T10:00:00.000Z',
  lastUsedAt: '2026-11-27T18:00:00.000Z',
  weaker: false,
}

export const emailMethod: MethodView = {
  id: 2,
  type: 'email',
  label: 'Work email',
  destination: 'a•••a@example.org',
  preferred: false,
  createdAt: '2026-11-21T10:00:00.000Z',
  lastUsedAt: null,
  weaker: true,
}

export const smsMethod: MethodView = {
  id: 3,
  type: 'sms',
  label: 'Text message',
  destination: '+44 •••••••961',
  preferred: false,
  createdAt: '2026-11-22T10:00:00.000Z',
  lastUsedAt: null,
  weaker: true,
}

export function overview(methods: readonly MethodView[], recoveryCodesRemaining = 10): MfaOverview {
  return {
    methods: [...methods],
    recoveryCodesRemaining,
    recoveryCodesLow: methods.length > 0 && recoveryCodesRemaining <= 3,
  }
}

/** A challenge as the engine orders it: the preferred method first. */
export function challengeFor(methods: readonly MethodView[], recoveryCodesAvailable = true): ChallengeView {
  const preferred = methods.find((m) => m.preferred) ?? methods[0]!
  return {
    methods: [preferred, ...methods.filter((m) => m.id !== preferred.id)],
    preferredMethodId: preferred.id,
    recoveryCodesAvailable,
    expiresAt: isoAt(600),
    attemptsLeft: 5,
  }
}

export function sentCode(sentTo: string, cooldownSeconds = 60): SentCode {
  return { sentTo, resendAvailableAt: isoAt(cooldownSeconds), expiresAt: isoAt(300) }
}

export const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
export const qrDataUrl =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

export function totpEnrollment(): EnrollmentView {
  return {
    enrollmentId: 'enrollment-totp',
    type: 'totp',
    label: 'Authenticator app',
    expiresAt: isoAt(600),
    totp: {
      otpauthUri: `otpauth://totp/Keyhold:ada?secret=${totpSecret}&issuer=Keyhold`,
      secret: totpSecret,
      qrDataUrl,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
    },
    code: null,
  }
}

export function codeEnrollment(type: 'email' | 'sms', sentTo: string): EnrollmentView {
  return {
    enrollmentId: `enrollment-${type}`,
    type,
    label: type === 'email' ? 'Email' : 'Text message',
    expiresAt: isoAt(600),
    totp: null,
    code: sentCode(sentTo),
  }
}

export const recoveryCodes = [
  'ABCD-EFGH-JKLM-NPQR',
  'BCDE-FGHJ-KLMN-PQRS',
  'CDEF-GHJK-LMNP-QRST',
  'DEFG-HJKL-MNPQ-RSTU',
  'EFGH-JKLM-NPQR-STUV',
  'FGHJ-KLMN-PQRS-TUVW',
  'GHJK-LMNP-QRST-UVWX',
  'HJKL-MNPQ-RSTU-VWXY',
  'JKLM-NPQR-STUV-WXYZ',
  'KLMN-PQRS-TUVW-XYZ2',
]

export function stepUpRequired(): Result<never> {
  return fail({ code: 'STEP_UP_REQUIRED', message: 'Confirm your password to continue' })
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(error: ErrorPayload): Result<never> {
  return { ok: false, error }
}

export function readyState(
  options: { setupRequired?: boolean; session?: SessionView | null; challengePending?: boolean } = {},
): AppState {
  return {
    status: 'ready',
    setupRequired: options.setupRequired ?? false,
    session: options.session ?? null,
    challengePending: options.challengePending ?? false,
  }
}

// ---- Administration (issue 5) ----

/** An account as an administrator sees it: enrolled with an authenticator app unless told otherwise. */
export function adminView(overrides: Partial<AdminAccountView> & { username: string }): AdminAccountView {
  return {
    displayName: overrides.username,
    email: null,
    phone: null,
    role: 'user',
    disabled: false,
    locked: false,
    lockedUntil: null,
    createdAt: '2026-11-01T09:00:00.000Z',
    lastSignInAt: null,
    mfa: { state: 'enrolled', methods: ['totp'], deadline: null },
    setupCodePending: false,
    ...overrides,
  }
}

/** `count` accounts named user001, user002, … */
export function manyAccounts(count: number, from = 1): AdminAccountView[] {
  return Array.from({ length: count }, (_, i) => adminView({ username: `user${String(from + i).padStart(3, '0')}` }))
}

export const siteRules: PolicyRules = {
  allowedMethods: ['totp', 'email', 'sms'],
  enforcement: 'optional',
  gracePeriodDays: 14,
  strongMethodsOnly: false,
  totpAlgorithms: ['sha1', 'sha256', 'sha512'],
  totpDigits: [6, 8],
  codeLifetimeMinutes: 5,
  resendCooldownSeconds: 60,
  lockoutThreshold: 10,
  lockoutMinutes: 15,
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  recoveryCodeWarning: 3,
  allowRemovingLastMethod: true,
}

export function policyView(overrides: Partial<PolicyView> = {}): PolicyView {
  return {
    version: 3,
    updatedAt: '2026-11-20T10:00:00.000Z',
    updatedBy: 'window:ada',
    site: siteRules,
    roles: {},
    requiredSince: { site: null, admin: null, user: null },
    ...overrides,
  }
}

export function providersView(overrides: Partial<ResponseOf<'provider:get'>> = {}): ResponseOf<'provider:get'> {
  return {
    email: {
      host: 'smtp.example.org',
      port: 587,
      security: 'starttls',
      username: 'keyhold',
      passwordSet: true,
      unencryptedSignIn: false,
      from: 'Keyhold <keyhold@example.org>',
      subject: '{site} security code',
      text: 'Your {site} security code is {code}. It expires in {minutes} minutes.',
    },
    sms: {
      kind: 'kannel',
      url: 'http://127.0.0.1:13013/cgi-bin/sendsms',
      username: 'keyhold',
      passwordSet: true,
      from: null,
    },
    smsText: '{code} is your {site} security code. It expires in {minutes} minutes.',
    smsCountries: null,
    lastSend: { email: null, sms: null },
    ...overrides,
  }
}

export type AuditEntry = ResponseOf<'audit:list'>['entries'][number]

export const auditEntries: AuditEntry[] = [
  {
    id: 4,
    at: '2026-11-28T08:20:00.000Z',
    actor: 'window:ada',
    event: 'policy.changed',
    account: null,
    accountId: null,
    detail: { version: 3, enforcement: 'prompt' },
  },
  {
    id: 3,
    at: '2026-11-27T16:00:00.000Z',
    actor: 'window:bob',
    event: 'sign-in.succeeded',
    account: 'bob',
    accountId: 2,
    detail: {},
  },
  {
    id: 2,
    at: '2026-11-27T15:59:00.000Z',
    actor: 'window:bob',
    event: 'sign-in.failed',
    account: 'bob',
    accountId: 2,
    detail: { reason: '=HYPERLINK("x")' },
  },
  {
    id: 1,
    at: '2026-11-20T09:00:00.000Z',
    actor: 'cli:root',
    event: 'account.created',
    account: 'ada',
    accountId: 1,
    detail: {},
  },
]

export const coverage: Coverage = {
  total: 10,
  byState: { none: 2, invited: 1, grace: 2, overdue: 1, enrolled: 4 },
  byMethod: { totp: 3, email: 2, sms: 1 },
  locked: 1,
  disabled: 1,
  nonCompliant: [
    { username: 'carol', displayName: 'Carol', state: 'overdue', deadline: '2026-11-20T09:00:00.000Z' },
    { username: 'dave', displayName: 'Dave', state: 'grace', deadline: '2026-12-05T09:00:00.000Z' },
  ],
}

export const setupCodeValue = 'QWER-TYUI-OPAS-DFGH'

export function createFakeBridge(): FakeBridge {
  return {
    getAppState: vi.fn<KeyholdApi['getAppState']>(async () => ok(readyState())),
    createFirstAdmin: vi.fn<KeyholdApi['createFirstAdmin']>(async (input) => ok({ username: input.username })),
    signIn: vi.fn<KeyholdApi['signIn']>(async () => ok({ status: 'signed-in' as const, session: sessionFor() })),
    signOut: vi.fn<KeyholdApi['signOut']>(async () => ok({})),
    confirmPassword: vi.fn<KeyholdApi['confirmPassword']>(async () => ok({ stepUpUntil: '2026-11-28T08:40:00.000Z' })),
    getMyAccount: vi.fn<KeyholdApi['getMyAccount']>(async () => ok(adminAccount)),
    changePassword: vi.fn<KeyholdApi['changePassword']>(async () => ok({})),
    getChallenge: vi.fn<KeyholdApi['getChallenge']>(async () => ok(challengeFor([totpMethod]))),
    sendSignInCode: vi.fn<KeyholdApi['sendSignInCode']>(async () => ok(sentCode('a•••a@example.org'))),
    verifySignInCode: vi.fn<KeyholdApi['verifySignInCode']>(async () =>
      ok({ status: 'signed-in' as const, session: sessionFor() }),
    ),
    useRecoveryCode: vi.fn<KeyholdApi['useRecoveryCode']>(async () =>
      ok({ status: 'signed-in' as const, session: sessionFor(), recoveryCodesRemaining: 9, recoveryCodesLow: false }),
    ),
    listMethods: vi.fn<KeyholdApi['listMethods']>(async () => ok(overview([]))),
    beginEnrollment: vi.fn<KeyholdApi['beginEnrollment']>(async (input) =>
      ok(
        input.type === 'totp'
          ? totpEnrollment()
          : codeEnrollment(input.type, input.type === 'email' ? 'n•••w@example.org' : '+44 •••••••958'),
      ),
    ),
    resendEnrollmentCode: vi.fn<KeyholdApi['resendEnrollmentCode']>(async () => ok(sentCode('n•••w@example.org'))),
    verifyEnrollment: vi.fn<KeyholdApi['verifyEnrollment']>(async (input) =>
      ok({ enrollmentId: input.enrollmentId, recoveryCodes: [...recoveryCodes] }),
    ),
    enableEnrollment: vi.fn<KeyholdApi['enableEnrollment']>(async () => ok({ ...totpMethod, id: 9, lastUsedAt: null })),
    cancelEnrollment: vi.fn<KeyholdApi['cancelEnrollment']>(async () => ok({})),
    setPreferredMethod: vi.fn<KeyholdApi['setPreferredMethod']>(async (input) =>
      ok({ ...emailMethod, id: input.methodId, preferred: true }),
    ),
    renameMethod: vi.fn<KeyholdApi['renameMethod']>(async (input) =>
      ok({ ...totpMethod, id: input.methodId, label: input.label }),
    ),
    removeMethod: vi.fn<KeyholdApi['removeMethod']>(async () => ok({ mfaEnabled: true })),
    regenerateRecoveryCodes: vi.fn<KeyholdApi['regenerateRecoveryCodes']>(async () =>
      ok({ recoveryCodes: [...recoveryCodes] }),
    ),
    beginContactChange: vi.fn<KeyholdApi['beginContactChange']>(async () => ok(sentCode('n•••w@example.org'))),
    confirmContactChange: vi.fn<KeyholdApi['confirmContactChange']>(async () =>
      ok({ ...adminAccount, email: 'new@example.org' }),
    ),
    redeemSetupCode: vi.fn<KeyholdApi['redeemSetupCode']>(async () =>
      ok({ status: 'signed-in' as const, session: sessionFor() }),
    ),
    getSettings: vi.fn<KeyholdApi['getSettings']>(async () => ok({ siteName: 'Keyhold' })),
    setSiteName: vi.fn<KeyholdApi['setSiteName']>(async (input) => ok({ siteName: input.siteName.trim() })),
    getProviders: vi.fn<KeyholdApi['getProviders']>(async () => ok(providersView())),
    setEmailProvider: vi.fn<KeyholdApi['setEmailProvider']>(async (input) =>
      ok({
        host: input.host,
        port: input.port,
        security: input.security,
        username: input.username ?? null,
        passwordSet: input.password !== undefined || input.username !== null,
        unencryptedSignIn: input.unencryptedSignIn ?? false,
        from: input.from,
        subject: input.subject ?? '{site} security code',
        text: input.text ?? 'Your {site} security code is {code}.',
      }),
    ),
    setSmsProvider: vi.fn<KeyholdApi['setSmsProvider']>(async () => ok(providersView().sms!)),
    clearProvider: vi.fn<KeyholdApi['clearProvider']>(async () => ok({})),
    setSmsCountries: vi.fn<KeyholdApi['setSmsCountries']>(async (input) => ok({ countries: input.countries })),
    testProvider: vi.fn<KeyholdApi['testProvider']>(async () => ok({ sent: true as const })),
    listAudit: vi.fn<KeyholdApi['listAudit']>(async () => ok({ entries: [...auditEntries] })),
    verifyAudit: vi.fn<KeyholdApi['verifyAudit']>(async () => ok({ ok: true, rows: 4, problem: null })),
    adminListAccounts: vi.fn<KeyholdApi['adminListAccounts']>(async () =>
      ok({ accounts: [adminView({ username: 'ada', role: 'admin' })], total: 1 }),
    ),
    adminGetAccount: vi.fn<KeyholdApi['adminGetAccount']>(async (input) => ok(adminView({ username: input.username }))),
    adminCreateAccount: vi.fn<KeyholdApi['adminCreateAccount']>(async (input) =>
      ok({
        account: adminView({
          username: input.username,
          role: input.role,
          setupCodePending: true,
          mfa: { state: 'none', methods: [], deadline: null },
        }),
        setupCode: { username: input.username, setupCode: setupCodeValue, expiresAt: isoAt(7 * 24 * 3600) },
      }),
    ),
    adminUpdateAccount: vi.fn<KeyholdApi['adminUpdateAccount']>(async (input) =>
      ok(
        adminView({
          username: input.username,
          ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
          ...(input.role === undefined ? {} : { role: input.role }),
        }),
      ),
    ),
    adminSetDisabled: vi.fn<KeyholdApi['adminSetDisabled']>(async (input) =>
      ok(adminView({ username: input.username, disabled: input.disabled })),
    ),
    adminDeleteAccount: vi.fn<KeyholdApi['adminDeleteAccount']>(async () => ok({})),
    adminResetPassword: vi.fn<KeyholdApi['adminResetPassword']>(async (input) =>
      ok({ username: input.username, setupCode: setupCodeValue, expiresAt: isoAt(7 * 24 * 3600) }),
    ),
    adminResetMfa: vi.fn<KeyholdApi['adminResetMfa']>(async () => ok({ removed: 2 })),
    adminUnlock: vi.fn<KeyholdApi['adminUnlock']>(async (input) => ok(adminView({ username: input.username }))),
    adminCoverage: vi.fn<KeyholdApi['adminCoverage']>(async () => ok(coverage)),
    getPolicy: vi.fn<KeyholdApi['getPolicy']>(async () => ok(policyView())),
    setPolicy: vi.fn<KeyholdApi['setPolicy']>(async (input) =>
      ok(
        policyView({
          version: 4,
          site: { ...siteRules, ...input.policy.site },
          roles: (input.policy.roles ?? {}) as PolicyView['roles'],
        }),
      ),
    ),
  }
}

/** Puts the fake where the preload would: `window.keyhold`. */
export function installBridge(bridge: FakeBridge | undefined): void {
  Object.defineProperty(window, 'keyhold', { value: bridge, configurable: true, writable: false })
}

/** A promise the test resolves when it chooses, to look at the page while a call is in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * A clock the test moves by hand; countdowns read it, and delays (search as you
 * type) wait for it. Like the real one, `advance` fires what falls due in time
 * order, each at its own moment (a delay set by a listener fires too if it
 * falls within the step), and a repeating listener only when a whole interval
 * has passed: so a count read once a second can be a second old, as it can be
 * in the app.
 */
export interface FakeClock {
  now(): number
  every(ms: number, listener: () => void): () => void
  after(ms: number, listener: () => void): () => void
  advance(ms: number): void
  /** Delays still waiting to fire. */
  pendingTimers(): number
}

interface FakeTimer {
  due: number
  readonly interval: number | null
  readonly listener: () => void
}

export function createFakeClock(start = testNow): FakeClock {
  let current = start
  const timers = new Set<FakeTimer>()
  const schedule = (timer: FakeTimer) => {
    timers.add(timer)
    return () => void timers.delete(timer)
  }
  const nextDue = (until: number): FakeTimer | undefined =>
    [...timers].filter((timer) => timer.due <= until).sort((a, b) => a.due - b.due)[0]
  return {
    now: () => current,
    every: (ms, listener) => schedule({ due: current + ms, interval: ms, listener }),
    after: (ms, listener) => schedule({ due: current + ms, interval: null, listener }),
    advance(ms) {
      const target = current + ms
      for (let timer = nextDue(target); timer; timer = nextDue(target)) {
        current = timer.due
        if (timer.interval === null) timers.delete(timer)
        else timer.due += Math.max(1, timer.interval)
        timer.listener()
      }
      current = target
    },
    pendingTimers: () => [...timers].filter((timer) => timer.interval === null).length,
  }
}
