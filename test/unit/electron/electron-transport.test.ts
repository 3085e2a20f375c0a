import type { WebContents } from 'electron'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { registerElectronTransport } from '../../../electron/main/ipc/electron-transport'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Router } from '../../../electron/main/ipc/router'
import { channelNames } from '../../../electron/shared/channels'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { FakeWebContents, ipcMain, type FakeFrame } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

/**
 * The Electron transport over the real router, real handlers and a real SQLite
 * file: only Electron's side (ipcMain, the sender) is played by the test.
 */
describe('Electron IPC transport', () => {
  let f: CoreFixture
  let router: Router
  let dispatch: MockInstance<Router['dispatch']>
  let ours: FakeWebContents
  let dispose: () => void = () => {}
  const own = new Set<FakeWebContents>()

  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
    router = createRouter({
      handlers: createHandlers({ services: f.services }),
      sessions: f.auth,
      // Surfaces the cause should a handler break, instead of a bare INTERNAL.
      onInternalError: (channel, error) => console.error(channel, error),
    })
    dispatch = vi.spyOn(router, 'dispatch')
    ours = new FakeWebContents('app://keyhold/index.html')
    own.clear()
    own.add(ours)
    dispose = registerElectronTransport({
      router,
      trustedOrigin: 'app://keyhold',
      isOwnWebContents: (contents) => own.has(contents as unknown as FakeWebContents),
    })
  })
  afterEach(() => {
    dispose()
    f.close()
  })

  function invoke(
    channel: string,
    input: unknown,
    sender: FakeWebContents,
    frame: FakeFrame | null = sender.mainFrame,
  ) {
    const handler = ipcMain.handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return handler({ sender: sender as unknown as WebContents, senderFrame: frame, processId: 4, frameId: 1 }, input)
  }

  const wrongPassword = { username: 'alice', password: 'not-the-password-at-all' }

  it('registers exactly the contract channels, and removes them again', () => {
    // S23: no channel outside the contract is reachable.
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort())
    dispose()
    expect(ipcMain.handlers.size).toBe(0)
    dispose = () => {}
  })

  it('passes a trusted call to the router with the window as client', async () => {
    // S23: the sender is checked on every call; each window is its own client.
    const result = await invoke('app:get-state', {}, ours)
    expect(result).toMatchObject({ ok: true, value: { status: 'ready', setupRequired: false, session: null } })
    expect(dispatch).toHaveBeenCalledWith('app:get-state', {}, { clientKey: `window:${ours.id}`, transport: 'window' })
    await invoke('auth:sign-in', { username: 'alice', password: goodPassword }, ours)
    expect(dispatch).toHaveBeenLastCalledWith(
      'auth:sign-in',
      { username: 'alice', password: goodPassword },
      { clientKey: `window:${ours.id}`, transport: 'window' },
    )
  })

  it('keeps each window its own client: a sign-in in one does not sign in another', async () => {
    expect(await invoke('auth:sign-in', { username: 'alice', password: goodPassword }, ours)).toMatchObject({
      ok: true,
    })
    expect(await invoke('account:get-me', {}, ours)).toMatchObject({ ok: true, value: { username: 'alice' } })
    const second = new FakeWebContents('app://keyhold/index.html')
    own.add(second)
    expect(await invoke('account:get-me', {}, second)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
  })

  it('forwards only the first argument', async () => {
    const handler = ipcMain.handlers.get('app:get-state')!
    await handler({ sender: ours, senderFrame: ours.mainFrame }, {}, { smuggled: true })
    expect(dispatch.mock.calls[0]?.[1]).toEqual({})
    expect(dispatch.mock.calls[0]).toHaveLength(3)
  })

  const untrusted: ReadonlyArray<[string, () => { sender: FakeWebContents; frame: FakeFrame | null }]> = [
    [
      'a page from another origin',
      () => ({ sender: ours, frame: { ...ours.mainFrame, url: 'https://evil.example/' } }),
    ],
    [
      'another app:// host',
      () => ({ sender: ours, frame: { ...ours.mainFrame, url: 'app://keyhold.evil/index.html' } }),
    ],
    ['a file:// page', () => ({ sender: ours, frame: { ...ours.mainFrame, url: 'file:///tmp/index.html' } })],
    ['a subframe of our own origin', () => ({ sender: ours, frame: ours.subframe('app://keyhold/frame.html') })],
    ['a frame that is gone (senderFrame null)', () => ({ sender: ours, frame: null })],
    [
      'a window Keyhold did not create',
      () => {
        const stranger = new FakeWebContents('app://keyhold/index.html')
        return { sender: stranger, frame: stranger.mainFrame }
      },
    ],
    [
      'a top-level frame that is not the main frame',
      () => ({
        sender: ours,
        frame: { ...ours.mainFrame, routingId: ours.mainFrame.routingId + 1 },
      }),
    ],
  ]

  it.each(untrusted)('refuses %s with FORBIDDEN and never calls the router', async (_name, make) => {
    // S23: IPC sender checked on every call.
    const { sender, frame } = make()
    expect(await invoke('auth:sign-in', wrongPassword, sender, frame)).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    })
    expect(dispatch).not.toHaveBeenCalled()
    // Nothing happened: the refused attempt did not count as a failed sign-in (S13 counter untouched).
    expect(f.deps.accounts.findByUsername('alice')?.failedAttempts).toBe(0)
  })

  it('counts the same wrong sign-in when it comes from our window (control for the test above)', async () => {
    expect(await invoke('auth:sign-in', wrongPassword, ours)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    })
    expect(f.deps.accounts.findByUsername('alice')?.failedAttempts).toBe(1)
  })

  it('refuses a sender whose frame throws when read (destroyed)', async () => {
    const handler = ipcMain.handlers.get('app:get-state')!
    const event = Object.defineProperty({ sender: ours }, 'senderFrame', {
      get: () => {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed')
      },
    })
    expect(await handler(event, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(dispatch).not.toHaveBeenCalled()
  })
})
