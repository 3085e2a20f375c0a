import type { Keyhold } from '../composition/open-keyhold'
import type { ResolvedSession } from '../services/auth-service'
import type { Handlers } from './router'

/**
 * Each channel mapped to its service call. Input here is already validated and
 * the access level and step-up (S15, S32: declared in the contract) checked by
 * the router, so no handler checks them by hand. The operator CLI is a trusted
 * channel and calls the services directly.
 */
export function createHandlers(keyhold: Pick<Keyhold, 'services'>): Handlers {
  const {
    auth,
    accounts,
    methods,
    enrollment,
    challenge,
    contact,
    site,
    recovery,
    providers,
    audit,
    policy,
    admin,
    setupCodes,
  } = keyhold.services
  const transportOf = (actor: string) => actor.split(':')[0]!

  /** The session's account as it is now (the session holds the state at resolution). */
  const me = (session: ResolvedSession) => session.account

  return {
    'app:get-state': (_input, ctx) => ({
      status: 'ready',
      setupRequired: accounts.isSetupRequired(),
      // A session still owing its second factor is not signed in; one that must set up MFA is,
      // so the window can take it straight into the wizard.
      session: ctx.session && ctx.session.session.state !== 'pending_mfa' ? auth.sessionView(ctx.session) : null,
      challengePending: ctx.session?.session.state === 'pending_mfa',
    }),
    'setup:create-admin': async (input, ctx) => {
      const created = await accounts.createFirstAdmin(input, `${transportOf(ctx.actor)}:setup`)
      return { username: created.username }
    },
    'auth:sign-in': async (input, ctx) => {
      const { sessionId, resolved } = await auth.signIn(input, transportOf(ctx.actor))
      // A client signing in again replaces its earlier session.
      if (ctx.session) auth.signOut(ctx.session, ctx.actor)
      ctx.bindSession(sessionId)
      if (resolved.session.state === 'pending_mfa')
        return { status: 'mfa-required', challenge: challenge.view(resolved) }
      return { status: 'signed-in', session: auth.sessionView(resolved) }
    },
    'auth:redeem-setup-code': async (input, ctx) => {
      const transport = transportOf(ctx.actor)
      await setupCodes.redeem(input.username, input.setupCode, input.newPassword, transport)
      // Then an ordinary sign-in with the new password: the one path to a session (S14).
      const { sessionId, resolved } = await auth.signIn(
        { username: input.username, password: input.newPassword },
        transport,
      )
      if (ctx.session) auth.signOut(ctx.session, ctx.actor)
      ctx.bindSession(sessionId)
      if (resolved.session.state === 'pending_mfa')
        return { status: 'mfa-required', challenge: challenge.view(resolved) }
      return { status: 'signed-in', session: auth.sessionView(resolved) }
    },
    'auth:sign-out': (_input, ctx) => {
      auth.signOut(ctx.session, ctx.actor)
      ctx.unbindSession()
      return {}
    },
    'auth:get-challenge': (_input, ctx) => challenge.view(ctx.session),
    'auth:send-code': (input, ctx) => challenge.sendCode(ctx.session, input.methodId, ctx.actor),
    'auth:verify-code': (input, ctx) => {
      const activated = challenge.verifyCode(ctx.session, input.methodId, input.code, ctx.actor)
      return { status: 'signed-in', session: auth.sessionView(activated) }
    },
    'auth:use-recovery-code': async (input, ctx) => {
      const { recoveryCodesRemaining, resolved } = await challenge.useRecoveryCode(ctx.session, input.code, ctx.actor)
      const { low } = recovery.remaining(ctx.session.account.id)
      return {
        status: 'signed-in',
        session: auth.sessionView(resolved),
        recoveryCodesRemaining,
        recoveryCodesLow: low,
      }
    },
    'auth:confirm-password': (input, ctx) => auth.confirmPassword(ctx.session, input.password, ctx.actor),
    'account:get-me': (_input, ctx) => accounts.getAccountById(ctx.session.account.id),
    'account:change-password': async (input, ctx) => {
      await accounts.changeOwnPassword(me(ctx.session), input.newPassword, ctx.actor, ctx.session.session.id)
      return {}
    },
    'account:begin-contact-change': (input, ctx) => {
      return contact.begin(me(ctx.session), input, ctx.actor)
    },
    'account:confirm-contact-change': (input, ctx) => contact.confirm(me(ctx.session), input.code, ctx.actor),
    // A read: expired enrollments are refused when used and removed by the minute sweep (S18).
    'mfa:list': (_input, ctx) => methods.overview(me(ctx.session)),
    'mfa:begin-enrollment': (input, ctx) => {
      return enrollment.begin(me(ctx.session), input, ctx.actor)
    },
    'mfa:resend-enrollment-code': (input, ctx) => enrollment.resend(me(ctx.session), input.enrollmentId, ctx.actor),
    'mfa:verify-enrollment': (input, ctx) =>
      enrollment.verify(me(ctx.session), input.enrollmentId, input.code, ctx.actor),
    'mfa:enable-enrollment': async (input, ctx) => {
      const method = await enrollment.enable(
        me(ctx.session),
        input.enrollmentId,
        input.recoveryCodesSaved,
        ctx.actor,
        ctx.session.session.id,
      )
      // A session that had to set up MFA first becomes a full one.
      auth.completeRequiredSetup(ctx.session, ctx.actor)
      return method
    },
    'mfa:cancel-enrollment': (input, ctx) => {
      enrollment.cancel(me(ctx.session), input.enrollmentId, ctx.actor)
      return {}
    },
    'mfa:set-preferred': (input, ctx) => {
      return methods.setPreferred(me(ctx.session), input.methodId, ctx.actor, ctx.session.session.id)
    },
    'mfa:rename-method': (input, ctx) => methods.rename(me(ctx.session), input.methodId, input.label, ctx.actor),
    'mfa:remove-method': (input, ctx) => {
      return methods.remove(me(ctx.session), input.methodId, input.newPassword, ctx.actor, ctx.session.session.id)
    },
    'mfa:regenerate-recovery-codes': async (_input, ctx) => {
      return {
        recoveryCodes: await methods.regenerateRecoveryCodes(me(ctx.session), ctx.actor, ctx.session.session.id),
      }
    },
    'settings:get': () => ({ siteName: site.siteName() }),
    'settings:set-site-name': (input, ctx) => {
      return { siteName: site.setSiteName(input.siteName, ctx.actor) }
    },
    'provider:get': () => providers.get(),
    'provider:set-email': (input, ctx) => {
      return providers.setEmail(input, ctx.actor)
    },
    'provider:set-sms': (input, ctx) => {
      return providers.setSms(input.provider, input.text, ctx.actor)
    },
    'provider:clear': (input, ctx) => {
      providers.clear(input.kind, ctx.actor)
      return {}
    },
    'provider:set-sms-countries': (input, ctx) => {
      return providers.setSmsCountries(input.countries, ctx.actor)
    },
    'provider:test': (input, ctx) => providers.test(input.kind, input.to, ctx.actor),
    'audit:list': (input) => ({ entries: audit.list(input) }),
    'audit:verify': () => audit.verify(),
    'admin:list-accounts': (input) => admin.list(input),
    'admin:get-account': (input) => admin.get(input.username),
    'admin:create-account': (input, ctx) => {
      return admin.create(input, ctx.actor)
    },
    'admin:update-account': (input, ctx) => {
      const { username, ...patch } = input
      return admin.update(username, patch, ctx.actor)
    },
    'admin:set-disabled': (input, ctx) => {
      accounts.setDisabled(input.username, input.disabled, ctx.actor)
      return admin.get(input.username)
    },
    'admin:delete-account': (input, ctx) => {
      accounts.deleteAccount(input.username, ctx.actor)
      return {}
    },
    'admin:reset-password': (input, ctx) => {
      return admin.resetPassword(input.username, ctx.actor)
    },
    'admin:reset-mfa': (input, ctx) => {
      return admin.resetMfa(input.username, ctx.actor)
    },
    'admin:unlock': (input, ctx) => {
      accounts.unlock(input.username, ctx.actor)
      return admin.get(input.username)
    },
    'admin:coverage': () => admin.coverage(),
    'policy:get': () => policy.view(),
    'policy:set': (input, ctx) => {
      return policy.set(input.policy, ctx.actor)
    },
  }
}
