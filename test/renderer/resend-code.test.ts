import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, ref } from 'vue'
import ResendCode from '../../renderer/src/components/ResendCode.vue'
import { createKeyholdI18n } from '../../renderer/src/i18n'
import { clockKey } from '../../renderer/src/platform/clock'
import { createFakeClock, type FakeClock } from './support/fake-bridge'

/**
 * The wait before another code (S10), counted against a fake clock: the main
 * process says until when; a 60-second wait reads "1:00" the moment the code is
 * sent, however long the page was open before, and counts down one second at a
 * time; when it reaches 0:00 the button is back and the line goes away.
 */
let mounted: { unmount(): void } | null = null

afterEach(() => {
  mounted?.unmount()
  mounted = null
})

function mountResend(clock: FakeClock) {
  const availableAt = ref<string | null>(null)
  const Host = defineComponent({
    components: { ResendCode },
    setup: () => ({ availableAt }),
    template:
      '<ResendCode id="resend" :available-at="availableAt" :sent-before="availableAt !== null" :pending="false" />',
  })
  const i18n = createKeyholdI18n({ locale: 'en' })
  const wrapper = mount(Host, { global: { plugins: [i18n], provide: { [clockKey]: clock } } })
  mounted = wrapper
  return {
    wrapper,
    /** What the main process answers a send with: another code after `seconds`. */
    async sent(seconds: number) {
      availableAt.value = new Date(clock.now() + seconds * 1000).toISOString()
      await flushPromises()
    },
    wait: () => wrapper.find('#resend-countdown'),
    button: () => wrapper.get('#resend'),
  }
}

async function advance(clock: FakeClock, ms: number) {
  clock.advance(ms)
  await flushPromises()
}

describe('ResendCode countdown', () => {
  it('starts at 1:00 for a 60-second wait sent 0.7 s after the last tick, and counts down to the button', async () => {
    const clock = createFakeClock()
    const resend = mountResend(clock)
    expect(resend.button().text()).toBe('Send Code')
    expect(resend.button().attributes('disabled')).toBeUndefined()
    // The page has been open a while: the code is sent between two of its once-a-second readings.
    await advance(clock, 5_700)
    await resend.sent(60)
    expect(resend.wait().text()).toBe('You can ask for a new code in 1:00.')
    expect(resend.button().text()).toBe('Resend Code')
    expect(resend.button().attributes('disabled')).toBeDefined()
    expect(resend.button().attributes('aria-describedby')).toBe('resend-countdown')

    const shown: string[] = []
    for (let second = 1; second < 60; second++) {
      // Just before the second is up the count has not moved yet; on it, it has.
      await advance(clock, 999)
      expect(resend.wait().text()).toContain(shown.at(-1) ?? '1:00')
      await advance(clock, 1)
      shown.push(/\d:\d\d/.exec(resend.wait().text())?.[0] ?? '')
      expect(resend.button().attributes('disabled')).toBeDefined()
    }
    const expected = Array.from({ length: 59 }, (_, i) => `0:${String(59 - i).padStart(2, '0')}`)
    expect(shown).toEqual(expected)

    // 0:01 lasts until the wait is over, to the millisecond; then the button is back.
    await advance(clock, 999)
    expect(resend.wait().text()).toBe('You can ask for a new code in 0:01.')
    await advance(clock, 1)
    expect(resend.wait().exists()).toBe(false)
    expect(resend.button().attributes('disabled')).toBeUndefined()
    expect(resend.button().attributes('aria-describedby')).toBeUndefined()
  })

  it('reads the clock again when the main process gives a new time (a refused resend, S10)', async () => {
    const clock = createFakeClock()
    const resend = mountResend(clock)
    await resend.sent(60)
    await advance(clock, 60_000)
    expect(resend.button().attributes('disabled')).toBeUndefined()
    // Sent again 0.4 s later, and refused: wait 1 minute 30 from now.
    await advance(clock, 400)
    await resend.sent(90)
    expect(resend.wait().text()).toBe('You can ask for a new code in 1:30.')
    await advance(clock, 30_000)
    expect(resend.wait().text()).toBe('You can ask for a new code in 1:00.')
    await advance(clock, 59_999)
    expect(resend.wait().text()).toBe('You can ask for a new code in 0:01.')
    await advance(clock, 1)
    expect(resend.button().attributes('disabled')).toBeUndefined()
  })

  it('shows no count when nothing was sent, or the time has passed already', async () => {
    const clock = createFakeClock()
    const resend = mountResend(clock)
    expect(resend.wait().exists()).toBe(false)
    await resend.sent(-5)
    expect(resend.wait().exists()).toBe(false)
    expect(resend.button().attributes('disabled')).toBeUndefined()
    expect(clock.pendingTimers()).toBe(0)
  })

  it('stops reading the clock when it goes away', async () => {
    const clock = createFakeClock()
    const resend = mountResend(clock)
    await resend.sent(60)
    expect(clock.pendingTimers()).toBe(1)
    resend.wrapper.unmount()
    mounted = null
    expect(clock.pendingTimers()).toBe(0)
  })
})
