import { afterEach, beforeAll, beforeEach, expect, vi } from 'vitest'
import { createFakeBridge, installBridge, ok, readyState, sessionFor, type FakeBridge } from './fake-bridge'
import { takeMountedApps } from './mount-app'

export interface FakeBridgeOptions {
  /** Times are shown in local time: pin "local" to UTC so the expected text is exact on any machine. */
  readonly utc?: boolean
  /** What the bridge says the app is: Ada signed in, or a first run; otherwise the fake's own default. */
  readonly appState?: 'signed-in' | 'first-run'
}

/**
 * The frame the renderer tests share. Before each test: a fresh fake bridge
 * installed as window.keyhold, handed to `use` (to keep, to set answers on,
 * to mount the app). After each test: every app the test mounted (mountApp)
 * asked for no catalogue key that has no message, and is unmounted; then the
 * bridge is removed.
 */
export function withFakeBridge(
  use: (bridge: FakeBridge) => void | Promise<void>,
  options: FakeBridgeOptions = {},
): void {
  if (options.utc) {
    beforeAll(() => {
      vi.stubEnv('TZ', 'UTC')
    })
  }
  beforeEach(async () => {
    const bridge = createFakeBridge()
    if (options.appState === 'signed-in') {
      bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    } else if (options.appState === 'first-run') {
      bridge.getAppState.mockResolvedValue(ok(readyState({ setupRequired: true })))
    }
    installBridge(bridge)
    await use(bridge)
  })
  afterEach(() => {
    const apps = takeMountedApps()
    try {
      for (const app of apps) expect(app.missingKeys).toEqual([])
    } finally {
      for (const app of apps) app.unmount()
      installBridge(undefined)
    }
  })
}
