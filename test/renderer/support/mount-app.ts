import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import App from '../../../renderer/src/App.vue'
import { createKeyholdPlugins } from '../../../renderer/src/app/create-keyhold-app'

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
  unmount(): void
}

export async function mountApp(path = '/'): Promise<MountedApp> {
  const missingKeys: string[] = []
  const parts = createKeyholdPlugins({
    history: createMemoryHistory(),
    i18n: {
      missing: (_locale, key) => {
        missingKeys.push(key)
      },
    },
  })
  const host = document.createElement('div')
  document.body.append(host)
  const wrapper = mount(App, { global: { plugins: [...parts.plugins] }, attachTo: host })
  await parts.router.push(path)
  await flushPromises()
  return {
    wrapper,
    router: parts.router,
    pinia: parts.pinia,
    missingKeys,
    unmount() {
      wrapper.unmount()
      parts.dispose()
      host.remove()
    },
  }
}

/** Finds an input through its <label for>, as a person (or getByLabel) would. */
export function inputByLabel(wrapper: VueWrapper, text: string) {
  const label = wrapper.findAll('label').find((l) => l.text() === text)
  if (!label) throw new Error(`No label "${text}"`)
  const id = label.attributes('for')
  if (!id) throw new Error(`Label "${text}" is not bound to an input`)
  return wrapper.get(`#${id}`)
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
