import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import type { RouterHistory } from 'vue-router'
import App from '../App.vue'
import { createKeyholdI18n, type KeyholdI18nOptions } from '../i18n'
import { clockKey, systemClock, type Clock } from '../platform/clock'
import { createKeyholdRouter } from '../router'
import { installFailureHandling } from '../router/failure-handling'

export interface KeyholdAppOptions {
  /** Hash history in the app; tests pass a memory history. */
  readonly history?: RouterHistory
  readonly i18n?: KeyholdI18nOptions
  /** The clock for countdowns; tests pass one they move by hand. */
  readonly clock?: Clock
}

/** The plugins and wiring the app needs, shared by main.ts and the tests so both run the same app. */
export function createKeyholdPlugins(options: KeyholdAppOptions = {}) {
  const pinia = createPinia()
  const router = createKeyholdRouter(pinia, options.history)
  const i18n = createKeyholdI18n(options.i18n)
  const dispose = installFailureHandling(router, pinia)
  const clock = options.clock ?? systemClock

  function updateDocument(): void {
    const { t, locale } = i18n.global
    // The page's language drives screen-reader pronunciation and font choice (CJK).
    document.documentElement.lang = locale.value
    const titleKey = router.currentRoute.value.meta.titleKey ?? 'app.name'
    const page = t(titleKey)
    document.title = titleKey === 'app.name' ? page : `${page} – ${t('app.titleSuffix')}`
  }

  router.afterEach(() => updateDocument())
  const stopLocaleWatch = watch(i18n.global.locale, () => updateDocument())

  const clockPlugin = { install: (app: ReturnType<typeof createApp>) => void app.provide(clockKey, clock) }

  return {
    pinia,
    router,
    i18n,
    plugins: [pinia, router, i18n, clockPlugin] as const,
    dispose: () => {
      stopLocaleWatch()
      dispose()
    },
  }
}

export function createKeyholdApp(options: KeyholdAppOptions = {}) {
  const parts = createKeyholdPlugins(options)
  const app = createApp(App)
  for (const plugin of parts.plugins) app.use(plugin)
  return { app, ...parts }
}
