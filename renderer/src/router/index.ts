import type { Pinia } from 'pinia'
import { createRouter, createWebHashHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import { useAppStateStore } from '../stores/app-state-store'
import { useSessionStore } from '../stores/session-store'
import { useSignInChallengeStore } from '../stores/sign-in-challenge-store'
import ChangePasswordView from '../views/ChangePasswordView.vue'
import ContactChangeView from '../views/ContactChangeView.vue'
import FirstRunSetupView from '../views/FirstRunSetupView.vue'
import MfaChooseView from '../views/MfaChooseView.vue'
import MfaSetupView from '../views/MfaSetupView.vue'
import MyAccountView from '../views/MyAccountView.vue'
import RedeemSetupCodeView from '../views/RedeemSetupCodeView.vue'
import SignInChallengeView from '../views/SignInChallengeView.vue'
import SignInView from '../views/SignInView.vue'
import UnavailableView from '../views/UnavailableView.vue'
import { redirectFor, type RouteAccess, type RouteName } from './route-access'

declare module 'vue-router' {
  interface RouteMeta {
    readonly access: RouteAccess
    /** Catalogue key of the page title (document.title). */
    readonly titleKey: string
  }
}

const routes: (RouteRecordRaw & { name?: RouteName })[] = [
  // The guard sends "/" on to whichever page the app state allows.
  { path: '/', redirect: { name: 'sign-in' } },
  { path: '/setup', name: 'setup', component: FirstRunSetupView, meta: { access: 'setup', titleKey: 'setup.title' } },
  { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { access: 'guest', titleKey: 'signIn.title' } },
  {
    path: '/sign-in/setup-code',
    name: 'redeem-setup-code',
    component: RedeemSetupCodeView,
    meta: { access: 'guest', titleKey: 'redeem.title' },
  },
  {
    path: '/sign-in/verify',
    name: 'sign-in-challenge',
    component: SignInChallengeView,
    meta: { access: 'challenge', titleKey: 'challenge.title' },
  },
  {
    path: '/account',
    name: 'account',
    component: MyAccountView,
    meta: { access: 'session', titleKey: 'account.title' },
  },
  {
    path: '/account/password',
    name: 'change-password',
    component: ChangePasswordView,
    meta: { access: 'session', titleKey: 'changePassword.title' },
  },
  {
    path: '/account/email',
    name: 'change-email',
    component: ContactChangeView,
    props: { field: 'email' },
    meta: { access: 'session', titleKey: 'contact.email.title' },
  },
  {
    path: '/account/phone',
    name: 'change-phone',
    component: ContactChangeView,
    props: { field: 'phone' },
    meta: { access: 'session', titleKey: 'contact.phone.title' },
  },
  {
    path: '/account/mfa/setup',
    name: 'mfa-choose',
    component: MfaChooseView,
    meta: { access: 'enroll', titleKey: 'mfaChoose.title' },
  },
  {
    path: '/account/mfa/setup/:type(totp|email|sms)',
    name: 'mfa-setup',
    component: MfaSetupView,
    props: true,
    meta: { access: 'enroll', titleKey: 'wizard.pageTitle' },
  },
  // Administration: loaded only when an administrator opens it, so the rest of the app stays small.
  {
    path: '/admin/accounts',
    name: 'admin-accounts',
    component: () => import('../views/admin/AccountsView.vue'),
    meta: { access: 'admin', titleKey: 'admin.accounts.title' },
  },
  {
    path: '/admin/accounts/:username',
    name: 'admin-account',
    component: () => import('../views/admin/AccountDetailView.vue'),
    props: true,
    meta: { access: 'admin', titleKey: 'admin.account.pageTitle' },
  },
  {
    path: '/admin/policy',
    name: 'admin-policy',
    component: () => import('../views/admin/PolicyView.vue'),
    meta: { access: 'admin', titleKey: 'admin.policy.title' },
  },
  {
    path: '/admin/providers',
    name: 'admin-providers',
    component: () => import('../views/admin/ProvidersView.vue'),
    meta: { access: 'admin', titleKey: 'admin.providers.title' },
  },
  {
    path: '/admin/audit',
    name: 'admin-audit',
    component: () => import('../views/admin/AuditLogView.vue'),
    meta: { access: 'admin', titleKey: 'admin.audit.title' },
  },
  {
    path: '/admin/coverage',
    name: 'admin-coverage',
    component: () => import('../views/admin/CoverageView.vue'),
    meta: { access: 'admin', titleKey: 'admin.coverage.title' },
  },
  {
    path: '/admin/settings',
    name: 'admin-settings',
    component: () => import('../views/admin/SiteSettingsView.vue'),
    meta: { access: 'admin', titleKey: 'admin.settings.title' },
  },
  {
    path: '/unavailable',
    name: 'unavailable',
    component: UnavailableView,
    meta: { access: 'unavailable', titleKey: 'app.name' },
  },
  { path: '/:unknown(.*)*', redirect: { name: 'sign-in' } },
]

/**
 * Hash history: the app is loaded from `app://` in Electron and from the
 * preview server in a browser, and neither serves index.html for other paths.
 */
export function createKeyholdRouter(pinia: Pinia, history: RouterHistory = createWebHashHistory()) {
  const router = createRouter({ history, routes })

  router.beforeEach(async (to) => {
    const appState = useAppStateStore(pinia)
    const session = useSessionStore(pinia)
    const challenge = useSignInChallengeStore(pinia)
    if (!appState.loaded) await appState.load()
    // After a reload, a sign-in that was waiting for its second factor carries on where it was (S14).
    if (appState.takeChallengePending() && !session.signedIn && !challenge.pending) await challenge.resume()
    const target = redirectFor(to.meta.access, {
      available: appState.available,
      setupRequired: appState.setupRequired,
      signedIn: session.signedIn,
      challengePending: challenge.pending,
      mfaSetupRequired: session.mfaSetupRequired,
      isAdmin: session.isAdmin,
    })
    return target === null || target === to.name ? true : { name: target, replace: true }
  })

  return router
}

export type KeyholdRouter = ReturnType<typeof createKeyholdRouter>
