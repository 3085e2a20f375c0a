import { flushPromises, mount, type DOMWrapper, type VueWrapper } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import App from '../../../renderer/src/App.vue'
import { createKeyholdPlugins } from '../../../renderer/src/app/create-keyhold-app'
import type { SupportedLocale } from '../../../renderer/src/i18n'
import { createFakeClock, type FakeClock } from './fake-bridge'

/**
 * Mounts the whole renderer as main.ts does (same router, guard, stores,
 * catalogue and failure handling), with a memory history instead of the hash.
 * Any catalogue key that has no message is recorded, so a test can fail on it.
 */
export interface MountedApp {
  readonly wrapper: VueWrapper
  readonly router: ReturnType<typeof createKeyholdPlugins>['router']
  readonly pinia: ReturnType<typeof createKeyholdPlugins>['pinia']
  readonly missingKeys: string[]
  readonly clock: FakeClock
  unmount(): void
}

export interface MountOptions {
  readonly clock?: FakeClock
  readonly locale?: SupportedLocale
}

/** Every app mounted since the last takeMountedApps(), unmounted since or not (renderer-test.ts checks them). */
const mountedSince: MountedApp[] = []

export function takeMountedApps(): MountedApp[] {
  return mountedSince.splice(0)
}

export async function mountApp(path = '/', options: MountOptions = {}): Promise<MountedApp> {
  const missingKeys: string[] = []
  const clock = options.clock ?? createFakeClock()
  const parts = createKeyholdPlugins({
    history: createMemoryHistory(),
    clock,
    i18n: {
      ...(options.locale === undefined ? {} : { locale: options.locale }),
      missing: (_locale, key) => {
        missingKeys.push(key)
      },
    },
  })
  const host = document.createElement('div')
  document.body.append(host)
  const wrapper = mount(App, { global: { plugins: [...parts.plugins] }, attachTo: host })
  let mounted = true
  const app: MountedApp = {
    wrapper,
    router: parts.router,
    pinia: parts.pinia,
    missingKeys,
    clock,
    unmount() {
      if (!mounted) return
      mounted = false
      wrapper.unmount()
      // The language choice is remembered in localStorage; each test starts without one.
      window.localStorage.clear()
      parts.dispose()
      host.remove()
    },
  }
  mountedSince.push(app)
  await parts.router.push(path)
  await flushPromises()
  return app
}

/** Finds an input through its <label for>, as a person (or getByLabel) would. */
export function inputByLabel(wrapper: VueWrapper, text: string) {
  const label = wrapper.findAll('label').find((l) => l.text() === text)
  if (!label) throw new Error(`No label "${text}"`)
  const id = label.attributes('for')
  if (!id) throw new Error(`Label "${text}" is not bound to an input`)
  return wrapper.get(`#${id}`)
}

/** Clicks the button with this visible text (within `scope`) and waits for what it sets off. */
export async function clickButton(scope: Pick<DOMWrapper<Element>, 'findAll'>, text: string): Promise<void> {
  const button = scope.findAll('button').find((b) => b.text() === text)
  if (!button) throw new Error(`No button "${text}"`)
  await button.trigger('click')
  await flushPromises()
}

/** Finds a button by its visible text. */
export function buttonByText(wrapper: VueWrapper, text: string) {
  const button = wrapper.findAll('button').find((b) => b.text() === text)
  if (!button) throw new Error(`No button "${text}"`)
  return button
}

/** The text of the element an input's aria-describedby points at, that has role="alert". */
export function fieldError(wrapper: VueWrapper, labelText: string): string | null {
  const input = inputByLabel(wrapper, labelText)
  const ids = (input.attributes('aria-describedby') ?? '').split(' ').filter((id) => id !== '')
  for (const id of ids) {
    const el = wrapper.find(`#${id}`)
    if (el.exists() && el.attributes('role') === 'alert') return el.text()
  }
  return null
}

export function alertTexts(wrapper: VueWrapper): string[] {
  return wrapper.findAll('[role="alert"]').map((a) => a.text())
}

/** Finds a heading by its text (any level). */
export function headingByText(wrapper: VueWrapper, text: string) {
  const heading = wrapper.findAll('h1, h2, h3').find((h) => h.text().replace(/\s+/g, ' ').trim() === text)
  if (!heading) throw new Error(`No heading "${text}"`)
  return heading
}

/** The visible text of the page, with runs of white space made single (ICU puts odd spaces in times). */
export function pageText(wrapper: VueWrapper): string {
  return wrapper.text().replace(/\s+/g, ' ')
}

/** Whether a button with this text exists. */
export function hasButton(wrapper: VueWrapper, text: string): boolean {
  return wrapper.findAll('button').some((b) => b.text() === text)
}
