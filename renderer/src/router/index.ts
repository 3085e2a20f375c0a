import type { Pinia } from 'pinia'
import {
  createRouter,
  createWebHashHistory,
  type RouteRecordRaw,
  type RouteRecordSingleView,
  type RouterHistory,
} from 'vue-router'
import { methodTypes } from '../../../electron/shared/method-types'
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

// The administration's pages are loaded only when an administrator opens one, so the rest of the app stays small.
const AccountsView = () => import('../views/admin/AccountsView.vue')
const AccountDetailView = () => import('../views/admin/AccountDetailView.vue')
const PolicyView = () => import('../views/admin/PolicyView.vue')
const ProvidersView = () => import('../views/admin/ProvidersView.vue')
const AuditLogView = () => import('../views/admin/AuditLogView.vue')
const CoverageView = () => import('../views/admin/CoverageView.vue')
const SiteSettingsView = () => import('../views/admin/SiteSettingsView.vue')

/** A page: where it lives, its component, the catalogue key of its title, and props from the route if any. */
type PageEntry = readonly [
  path: string,
  component: RouteRecordSingleView['component'],
  titleKey: string,
  props?: RouteRecordSingleView['props'],
]

/** The routes of the pages that `access` (route-access.ts) lets through, by name. */
function pages(access: RouteAccess, entries: Partial<Record<RouteName, PageEntry>>): RouteRecordSingleView[] {
  return Object.entries(entries).map(([name, [path, component, titleKey, props = false]]) => ({
    path,
    name,
    component,
    props,
    meta: { access, titleKey },
  }))
}

const routes: RouteRecordRaw[] = [
  // The guard sends "/" on to whichever page the app state allows.
  { path: '/', redirect: { name: 'sign-in' } },
  ...pages('setup', { setup: ['/setup', FirstRunSetupView, 'setup.title'] }),
  ...pages('guest', {
    'sign-in': ['/sign-in', SignInView, 'signIn.title'],
    'redeem-setup-code': ['/sign-in/setup-code', RedeemSetupCodeView, 'redeem.title'],
  }),
  ...pages('challenge', { 'sign-in-challenge': ['/sign-in/verify', SignInChallengeView, 'challenge.title'] }),
  ...pages('session', {
    account: ['/account', MyAccountView, 'account.title'],
    'change-password': ['/account/password', ChangePasswordView, 'changePassword.title'],
    'change-email': ['/account/email', ContactChangeView, 'contact.email.title', { field: 'email' }],
    'change-phone': ['/account/phone', ContactChangeView, 'contact.phone.title', { field: 'phone' }],
  }),
  ...pages('enroll', {
    'mfa-choose': ['/account/mfa/setup', MfaChooseView, 'mfaChoose.title'],
    'mfa-setup': [`/account/mfa/setup/:type(${methodTypes.join('|')})`, MfaSetupView, 'wizard.pageTitle', true],
  }),
  // Administrators only (the main process checks the role on every call too).
  ...pages('admin', {
    'admin-accounts': ['/admin/accounts', AccountsView, 'admin.accounts.title'],
    'admin-account': ['/admin/accounts/:username', AccountDetailView, 'admin.account.pageTitle', true],
    'admin-policy': ['/admin/policy', PolicyView, 'admin.policy.title'],
    'admin-providers': ['/admin/providers', ProvidersView, 'admin.providers.title'],
    'admin-audit': ['/admin/audit', AuditLogView, 'admin.audit.title'],
    'admin-coverage': ['/admin/coverage', CoverageView, 'admin.coverage.title'],
    'admin-settings': ['/admin/settings', SiteSettingsView, 'admin.settings.title'],
  }),
  ...pages('unavailable', { unavailable: ['/unavailable', UnavailableView, 'app.name'] }),
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
