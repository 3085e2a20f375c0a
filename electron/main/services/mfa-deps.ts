import type { SmsCountries } from '../domain/sms-countries'
import type { CoreDeps } from './deps'
import type { EmailSender, SmsSender } from './delivery-ports'
import type {
  CodeHasher,
  EnrollmentRepo,
  MethodRepo,
  OtpCodeRepo,
  QrRenderer,
  RecoveryCodeRepo,
  TotpEngine,
} from './mfa-ports'
import type { SetupCodeHasher } from './setup-code-verifier'

/** Encrypts secrets at rest (S20); the vault's AES-256-GCM cipher. */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string
  decrypt(ciphertext: string, associatedData: string): string
}

export interface MessageTemplates {
  /** Email with a code: subject and text. */
  codeEmail(): { readonly subject: string; readonly text: string }
  smsText(): string
}

export interface SiteSettings {
  siteName(): string
  setSiteName(name: string): void
  /** Countries text messages may go to; null when any country is allowed. */
  smsCountries(): SmsCountries
  setSmsCountries(countries: SmsCountries): void
}

export interface MfaDeps extends CoreDeps {
  readonly methods: MethodRepo
  readonly enrollments: EnrollmentRepo
  readonly recoveryCodes: RecoveryCodeRepo
  readonly otpCodes: OtpCodeRepo
  readonly totp: TotpEngine
  readonly qr: QrRenderer
  readonly codeHasher: CodeHasher
  /** Setup codes (120 bits) under the vault's own setup-code key. */
  readonly setupCodeHasher: SetupCodeHasher
  readonly secrets: SecretBox
  readonly email: EmailSender
  readonly sms: SmsSender
  readonly templates: MessageTemplates
  readonly site: SiteSettings
}

/** Where the services write TOTP secrets: bound to the account, so a ciphertext cannot move to another. */
export function totpSecretContext(accountId: number): string {
  return `totp-secret:${accountId}`
}
