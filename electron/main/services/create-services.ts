import { createAccountService } from './account-service'
import { createAuthService } from './auth-service'
import { createChallengeService } from './challenge-service'
import { createCodeDeliveryService } from './code-delivery-service'
import { createContactService } from './contact-service'
import { createEnrollmentService } from './enrollment-service'
import type { MfaDeps } from './mfa-deps'
import { createMethodService } from './method-service'
import { createNotificationService } from './notification-service'
import { createRecoveryCodeService } from './recovery-code-service'
import { createSiteService } from './site-service'
import { createAuditService, type AuditReader } from './audit-service'
import { createPolicyService } from './policy-service'
import { createSetupCodeService } from './setup-code-service'
import { createAdminAccountService } from './admin-account-service'
import type { PolicyStore } from './policy-ports'
import { createProviderService, type ProviderConfig, type ProviderTester } from './provider-service'

/** Every service over one deps object; the composition root and the tests build them the same way. */
export interface ServiceAdapters {
  readonly providers: ProviderConfig
  readonly tester: ProviderTester
  readonly audit: AuditReader
  readonly policy: PolicyStore
}

export function createServices(deps: MfaDeps, adapters: ServiceAdapters) {
  const codes = createCodeDeliveryService(deps)
  const recovery = createRecoveryCodeService(deps)
  const notifications = createNotificationService(deps)
  const accounts = createAccountService(deps)
  const methods = createMethodService(deps, { recovery, notifications })
  const setupCodes = createSetupCodeService(deps, deps.setupCodes)
  return {
    auth: createAuthService(deps),
    accounts,
    setupCodes,
    admin: createAdminAccountService(deps, { accounts, methods, setupCodes }),
    codes,
    recovery,
    notifications,
    enrollment: createEnrollmentService(deps, { codes, recovery, notifications }),
    methods,
    challenge: createChallengeService(deps, { codes, recovery, notifications }),
    contact: createContactService(deps, { codes, notifications }),
    site: createSiteService(deps),
    providers: createProviderService(deps, adapters.providers, adapters.tester),
    audit: createAuditService(adapters.audit),
    policy: createPolicyService(deps, adapters.policy),
  }
}

export type Services = ReturnType<typeof createServices>
