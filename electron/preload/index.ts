import { contextBridge, ipcRenderer } from 'electron'
import { channels, type Channel, type MethodName } from '../shared/channels'

/**
 * The sandboxed preload (S23): it builds `window.keyhold`, one named function
 * per contract channel, from `electron/shared/channels` alone (plain data, so
 * no zod and no Node module lands in a script that may only require
 * `electron`). The page never gets `ipcRenderer`, a generic `invoke(channel)`,
 * or any way to name a channel that is not in the contract. Types of
 * `window.keyhold` come from `keyhold-api.d.ts`; the main process validates
 * every input, so nothing here needs to.
 */
type PreloadApi = Readonly<Record<MethodName, (input?: unknown) => Promise<unknown>>>

function buildApi(): PreloadApi {
  const api: Partial<Record<MethodName, (input?: unknown) => Promise<unknown>>> = {}
  for (const channel of Object.keys(channels) as Channel[]) {
    // Exactly one argument crosses; extra arguments from the page are dropped here.
    api[channels[channel].method] = (input?: unknown) => ipcRenderer.invoke(channel, input)
  }
  return Object.freeze(api as Record<MethodName, (input?: unknown) => Promise<unknown>>)
}

const keyholdApi = buildApi()

contextBridge.exposeInMainWorld('keyhold', keyholdApi)
