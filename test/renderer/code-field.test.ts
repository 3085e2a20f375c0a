import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, ref } from 'vue'
import CodeField from '../../renderer/src/components/CodeField.vue'
import { paste } from './support/dom-events'

/** The one accessible code field (issue 4, quality bar). */
function host(kind: 'numeric' | 'recovery', error: string | null = null) {
  const value = ref('')
  const Host = defineComponent({
    components: { CodeField },
    setup: () => ({ value, kind, error }),
    template: '<CodeField id="code" v-model="value" label="Enter your code" :kind="kind" :error="error" hint="Hint" />',
  })
  return { wrapper: mount(Host, { attachTo: document.body }), value }
}

describe('CodeField', () => {
  it('asks for a one-time code: number pad, system autofill, no spellcheck, labelled', () => {
    const { wrapper } = host('numeric')
    const input = wrapper.get('input')
    expect(wrapper.get('label').attributes('for')).toBe('code')
    expect(input.attributes('id')).toBe('code')
    expect(input.attributes('inputmode')).toBe('numeric')
    expect(input.attributes('autocomplete')).toBe('one-time-code')
    expect(input.attributes('spellcheck')).toBe('false')
    expect(input.attributes('type')).toBe('text')
    expect(input.attributes('aria-describedby')).toBe('code-hint')
    wrapper.unmount()
  })

  it('S7: a pasted "123 456" or "123-456" becomes 123456', async () => {
    const { wrapper, value } = host('numeric')
    await paste(wrapper.get('input'), '123 456')
    expect(value.value).toBe('123456')
    await paste(wrapper.get('input'), ' 654-321\n')
    expect(value.value).toBe('654321')
    // Text that is not a code is left to the browser, and to the main process to refuse.
    await paste(wrapper.get('input'), 'code: 42')
    expect(value.value).toBe('code: 42')
    wrapper.unmount()
  })

  it('takes a recovery code in capitals, with no one-time-code autofill', async () => {
    const { wrapper, value } = host('recovery')
    const input = wrapper.get('input')
    expect(input.attributes('inputmode')).toBe('text')
    expect(input.attributes('autocomplete')).toBe('off')
    await paste(input, 'abcd-efgh-jklm-npqr')
    expect(value.value).toBe('ABCD-EFGH-JKLM-NPQR')
    wrapper.unmount()
  })

  it('announces an error and ties it to the input', () => {
    const { wrapper } = host('numeric', 'That code is not right.')
    const input = wrapper.get('input')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe('code-hint code-error')
    const error = wrapper.get('#code-error')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toBe('That code is not right.')
    wrapper.unmount()
  })
})
