import { beforeAll, describe, expect, it, vi } from 'vitest'
import { channelNames, channels } from '../../../electron/shared/channels'
import { contextBridge, ipcRenderer } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

describe('preload', () => {
  let exposed: Record<string, unknown>

  beforeAll(async () => {
    await import('../../../electron/preload/index')
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
    const [name, api] = contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>]
    expect(name).toBe('keyhold')
    exposed = api
  })

  it('exposes one frozen object with exactly one function per channel', () => {
    // S23: no raw Electron APIs exposed; one named function per contract channel.
    expect(Object.isFrozen(exposed)).toBe(true)
    expect(Object.keys(exposed).sort()).toEqual(channelNames.map((c) => channels[c].method).sort())
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function')
  })

  it('exposes no ipcRenderer and no generic invoke', () => {
    // S23: the page cannot name a channel.
    const values = Object.values(exposed)
    expect(values).not.toContain(ipcRenderer)
    expect(values).not.toContain(ipcRenderer.invoke)
    for (const key of ['ipcRenderer', 'invoke', 'send', 'on', 'sendSync']) expect(exposed).not.toHaveProperty(key)
  })

  it('calls each channel with exactly the one input it was given', async () => {
    for (const channel of channelNames) {
      ipcRenderer.invoke.mockClear()
      const method = exposed[channels[channel].method] as (...args: unknown[]) => Promise<unknown>
      await method({ a: 1 }, 'extra', () => {})
      expect(ipcRenderer.invoke.mock.calls, channel).toEqual([[channel, { a: 1 }]])
    }
  })
})
