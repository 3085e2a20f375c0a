import type { KeyholdApi } from '../../../electron/shared/api'
import type { Result } from '../../../electron/shared/errors'
import type {
  ChallengeView,
  EnrollmentView,
  MethodView,
  MfaOverview,
  SentCode,
} from '../../../electron/shared/mfa-schemas'
import type { AccountView, AppState, RequestOf, ResponseOf } from '../../../electron/shared/schemas'
import type { AdminAccountView, Coverage } from '../../../electron/shared/admin-schemas'
import type { PolicyDocument, PolicyView } from '../../../electron/shared/policy-schemas'
import type {
  EmailProviderInput,
  EmailProviderView,
  SmsProviderInput,
  SmsProviderView,
} from '../../../electron/shared/provider-schemas'
import { KeyholdError, isSessionEnded } from './keyhold-error'

/**
 * The only module that reads `window.keyhold` (DESIGN.md). The bridge is the
 * preload's frozen object in Electron, or the preview shim in a browser; both
 * answer every call with a `Result`. Here a refusal becomes a thrown
 * KeyholdError, so stores and views use plain async/await.
 */

export type CreateFirstAdminInput = RequestOf<'setup:create-admin'>
export type SignInInput = RequestOf<'auth:sign-in'>
export type ConfirmPasswordInput = RequestOf<'auth:confirm-password'>
export type ChangePasswordInput = RequestOf<'account:change-password'>
export type SignInResult = ResponseOf<'auth:sign-in'>
export type BeginEnrollmentInput = RequestOf<'mfa:begin-enrollment'>
export type ContactChangeInput = RequestOf<'account:begin-contact-change'>
export type RecoverySignInResult = ResponseOf<'auth:use-recovery-code'>
export type SignedInResult = ResponseOf<'auth:verify-code'>
export type VerifyEnrollmentResult = ResponseOf<'mfa:verify-enrollment'>
export type RedeemSetupCodeInput = RequestOf<'auth:redeem-setup-code'>
export type AccountListQuery = RequestOf<'admin:list-accounts'>
export type AccountList = ResponseOf<'admin:list-accounts'>
export type CreateAccountInput = RequestOf<'admin:create-account'>
export type CreatedAccount = ResponseOf<'admin:create-account'>
export type UpdateAccountInput = RequestOf<'admin:update-account'>
export type SetupCode = ResponseOf<'admin:reset-password'>
export type ProvidersView = ResponseOf<'provider:get'>
export type ProviderKind = RequestOf<'provider:clear'>['kind']
export type LastSend = NonNullable<ProvidersView['lastSend']['email']>
export type AuditQuery = RequestOf<'audit:list'>
export type AuditEntry = ResponseOf<'audit:list'>['entries'][number]
export type AuditVerification = ResponseOf<'audit:verify'>
export type { ChallengeView, EnrollmentView, MethodView, MfaOverview, SentCode }
export type { AdminAccountView, Coverage, PolicyDocument, PolicyView }
export type { EmailProviderInput, EmailProviderView, SmsProviderInput, SmsProviderView }

type FailureListener = (error: KeyholdError) => void

const sessionEndedListeners = new Set<FailureListener>()
const unavailableListeners = new Set<FailureListener>()

function bridge(): KeyholdApi {
  // Typed as always present; checked anyway because a page opened outside Keyhold has no bridge.
  const api = (window as { keyhold?: KeyholdApi }).keyhold
  if (api === undefined) {
    throw new KeyholdError({ code: 'UNAVAILABLE', message: 'The Keyhold bridge is missing from this window' })
  }
  return api
}

function notify(listeners: ReadonlySet<FailureListener>, error: KeyholdError): void {
  for (const listener of [...listeners]) listener(error)
}

async function invoke<T>(run: (api: KeyholdApi) => Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await run(bridge())
  } catch (cause) {
    if (cause instanceof KeyholdError) throw cause
    // The bridge itself failed (the preview server went away, say). The cause stays
    // attached for debugging; nothing from the request (it may hold a password) is kept.
    throw new KeyholdError({ code: 'INTERNAL', message: 'The call to Keyhold failed' }, { cause })
  }
  if (result.ok) return result.value
  const error = new KeyholdError(result.error)
  if (isSessionEnded(error)) notify(sessionEndedListeners, error)
  if (error.code === 'UNAVAILABLE') notify(unavailableListeners, error)
  throw error
}

/** Called whenever a call fails because the session is gone (UNAUTHENTICATED, SESSION_EXPIRED). Returns an unsubscribe. */
export function onSessionEnded(listener: FailureListener): () => void {
  sessionEndedListeners.add(listener)
  return () => void sessionEndedListeners.delete(listener)
}

/** Called whenever a call fails with UNAVAILABLE (the database or keychain went away). Returns an unsubscribe. */
export function onServiceUnavailable(listener: FailureListener): () => void {
  unavailableListeners.add(listener)
  return () => void unavailableListeners.delete(listener)
}

export function getAppState(): Promise<AppState> {
  return invoke((api) => api.getAppState({}))
}

export function createFirstAdmin(input: CreateFirstAdminInput): Promise<{ username: string }> {
  return invoke((api) => api.createFirstAdmin(input))
}

export function signIn(input: SignInInput): Promise<SignInResult> {
  return invoke((api) => api.signIn(input))
}

/** First sign-in with the one-time code an administrator gave out: sets the password, then signs in (S14 applies). */
export function redeemSetupCode(input: RedeemSetupCodeInput): Promise<SignInResult> {
  return invoke((api) => api.redeemSetupCode(input))
}

export async function signOut(): Promise<void> {
  await invoke((api) => api.signOut({}))
}

export function confirmPassword(input: ConfirmPasswordInput): Promise<{ stepUpUntil: string }> {
  return invoke((api) => api.confirmPassword(input))
}

export function getMyAccount(): Promise<AccountView> {
  return invoke((api) => api.getMyAccount({}))
}

export async function changePassword(input: ChangePasswordInput): Promise<void> {
  await invoke((api) => api.changePassword(input))
}

// ---- Sign-in challenge (S14): callable by a session still waiting for its second factor ----

export function getChallenge(): Promise<ChallengeView> {
  return invoke((api) => api.getChallenge({}))
}

export function sendSignInCode(methodId: number): Promise<SentCode> {
  return invoke((api) => api.sendSignInCode({ methodId }))
}

export function verifySignInCode(methodId: number, code: string): Promise<SignedInResult> {
  return invoke((api) => api.verifySignInCode({ methodId, code }))
}

export function signInWithRecoveryCode(code: string): Promise<RecoverySignInResult> {
  return invoke((api) => api.useRecoveryCode({ code }))
}

// ---- The signed-in user's MFA methods and recovery codes ----

export function listMethods(): Promise<MfaOverview> {
  return invoke((api) => api.listMethods({}))
}

export function beginEnrollment(input: BeginEnrollmentInput): Promise<EnrollmentView> {
  return invoke((api) => api.beginEnrollment(input))
}

export function resendEnrollmentCode(enrollmentId: string): Promise<SentCode> {
  return invoke((api) => api.resendEnrollmentCode({ enrollmentId }))
}

export function verifyEnrollment(enrollmentId: string, code: string): Promise<VerifyEnrollmentResult> {
  return invoke((api) => api.verifyEnrollment({ enrollmentId, code }))
}

export function enableEnrollment(enrollmentId: string, recoveryCodesSaved: boolean): Promise<MethodView> {
  return invoke((api) => api.enableEnrollment({ enrollmentId, recoveryCodesSaved }))
}

export async function cancelEnrollment(enrollmentId: string): Promise<void> {
  await invoke((api) => api.cancelEnrollment({ enrollmentId }))
}

export function setPreferredMethod(methodId: number): Promise<MethodView> {
  return invoke((api) => api.setPreferredMethod({ methodId }))
}

export function renameMethod(methodId: number, label: string): Promise<MethodView> {
  return invoke((api) => api.renameMethod({ methodId, label }))
}

/** `newPassword` only when the engine asked for one (the last method of an account with a short password, S1). */
export function removeMethod(methodId: number, newPassword?: string): Promise<{ mfaEnabled: boolean }> {
  return invoke((api) => api.removeMethod(newPassword === undefined ? { methodId } : { methodId, newPassword }))
}

export async function regenerateRecoveryCodes(): Promise<string[]> {
  const { recoveryCodes } = await invoke((api) => api.regenerateRecoveryCodes({}))
  return recoveryCodes
}

// ---- Contact details (a code to the new address confirms the change) ----

export function beginContactChange(input: ContactChangeInput): Promise<SentCode> {
  return invoke((api) => api.beginContactChange(input))
}

export function confirmContactChange(code: string): Promise<AccountView> {
  return invoke((api) => api.confirmContactChange({ code }))
}

// ---- Administration (admin role, checked in the main process; changes need step-up, S15) ----

export function getSettings(): Promise<{ siteName: string }> {
  return invoke((api) => api.getSettings({}))
}

export function setSiteName(siteName: string): Promise<{ siteName: string }> {
  return invoke((api) => api.setSiteName({ siteName }))
}

export function listAccounts(query: AccountListQuery): Promise<AccountList> {
  return invoke((api) => api.adminListAccounts(query))
}

export function getAccount(username: string): Promise<AdminAccountView> {
  return invoke((api) => api.adminGetAccount({ username }))
}

export function createAccount(input: CreateAccountInput): Promise<CreatedAccount> {
  return invoke((api) => api.adminCreateAccount(input))
}

export function updateAccount(input: UpdateAccountInput): Promise<AdminAccountView> {
  return invoke((api) => api.adminUpdateAccount(input))
}

export function setAccountDisabled(username: string, disabled: boolean): Promise<AdminAccountView> {
  return invoke((api) => api.adminSetDisabled({ username, disabled }))
}

export async function deleteAccount(username: string): Promise<void> {
  await invoke((api) => api.adminDeleteAccount({ username }))
}

export function resetAccountPassword(username: string): Promise<SetupCode> {
  return invoke((api) => api.adminResetPassword({ username }))
}

export function resetAccountMfa(username: string): Promise<{ removed: number }> {
  return invoke((api) => api.adminResetMfa({ username }))
}

export function unlockAccount(username: string): Promise<AdminAccountView> {
  return invoke((api) => api.adminUnlock({ username }))
}

export function getCoverage(): Promise<Coverage> {
  return invoke((api) => api.adminCoverage({}))
}

export function getPolicy(): Promise<PolicyView> {
  return invoke((api) => api.getPolicy({}))
}

export function setPolicy(policy: PolicyDocument): Promise<PolicyView> {
  return invoke((api) => api.setPolicy({ policy }))
}

export function getProviders(): Promise<ProvidersView> {
  return invoke((api) => api.getProviders({}))
}

export function setEmailProvider(input: EmailProviderInput): Promise<EmailProviderView> {
  return invoke((api) => api.setEmailProvider(input))
}

export function setSmsProvider(provider: SmsProviderInput, text?: string): Promise<SmsProviderView> {
  return invoke((api) => api.setSmsProvider(text === undefined ? { provider } : { provider, text }))
}

export async function clearProvider(kind: ProviderKind): Promise<void> {
  await invoke((api) => api.clearProvider({ kind }))
}

export async function testProvider(kind: ProviderKind, to: string): Promise<void> {
  await invoke((api) => api.testProvider({ kind, to }))
}

/** null: text messages may go to any country. Answers the list as stored (codes in capitals). */
export async function setSmsCountries(countries: readonly string[] | null): Promise<string[] | null> {
  const saved = await invoke((api) => api.setSmsCountries({ countries: countries === null ? null : [...countries] }))
  return saved.countries
}

export async function listAudit(query: AuditQuery): Promise<AuditEntry[]> {
  const { entries } = await invoke((api) => api.listAudit(query))
  return entries
}

export function verifyAudit(): Promise<AuditVerification> {
  return invoke((api) => api.verifyAudit({}))
}
