import { createPinia } from 'pinia'
import { createApp } from 'vue'
import type { RouterHistory } from 'vue-router'
import App from '../App.vue'
import { createKeyholdI18n, type KeyholdI18nOptions } from '../i18n'
import { createKeyholdRouter } from '../router'
import { installFailureHandling } from '../router/failure-handling'

export interface KeyholdAppOptions {
  /** Hash history in the app; tests pass a memory history. */
  readonly history?: RouterHistory
  readonly i18n?: KeyholdI18nOptions
}

/** The plugins and wiring the app needs, shared by main.ts and the tests so both run the same app. */
export function createKeyholdPlugins(options: KeyholdAppOptions = {}) {
  const pinia = createPinia()
  const router = createKeyholdRouter(pinia, options.history)
  const i18n = createKeyholdI18n(options.i18n)
  const dispose = installFailureHandling(router, pinia)

  router.afterEach((to) => {
    const { t } = i18n.global
    const page = t(to.meta.titleKey)
    document.title = to.meta.titleKey === 'app.name' ? page : `${page} – ${t('app.titleSuffix')}`
  })

  return { pinia, router, i18n, plugins: [pinia, router, i18n] as const, dispose }
}

export function createKeyholdApp(options: KeyholdAppOptions = {}) {
  const parts = createKeyholdPlugins(options)
  const app = createApp(App)
  for (const plugin of parts.plugins) app.use(plugin)
  return { app, ...parts }
}
