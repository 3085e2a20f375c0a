import { channels } from '../../shared/channels'

/**
 * The browser preview's stand-in for the Electron preload: a classic script that
 * defines `window.keyhold` with exactly the preload's shape (one frozen object,
 * one named function per contract channel, no generic invoke), so the renderer
 * cannot tell where it runs (DESIGN.md, "One contract, several transports").
 *
 * Each call is a same-origin POST to `/__keyhold/rpc/<channel>` carrying:
 * - `X-Keyhold-Token`: the per-run token, read from the `keyhold-preview-token`
 *   meta tag the server injects into the page. A custom header also forces a
 *   CORS preflight for any cross-origin caller, which the server never grants.
 * - `X-Keyhold-Client`: a random id per tab, kept in sessionStorage so a reload
 *   keeps the tab's session while another tab gets its own (the router binds
 *   sessions to this client key, as it binds them to a window in Electron).
 */
export const previewTokenMetaName = 'keyhold-preview-token'
export const previewShimPath = '/__keyhold/shim.js'
export const previewRpcPrefix = '/__keyhold/rpc/'
export const previewTokenHeader = 'x-keyhold-token'
export const previewClientHeader = 'x-keyhold-client'

/** sessionStorage key of the per-tab client id. */
const clientStorageKey = 'keyhold-preview-client'

export function createShimSource(): string {
  const methods: Record<string, string> = {}
  for (const [channel, spec] of Object.entries(channels)) methods[spec.method] = channel
  // JSON.stringify yields valid JS literals; nothing here comes from a request.
  return `// Keyhold browser preview shim, generated from electron/shared/channels.ts. Development only.
(() => {
  'use strict'
  const methods = ${JSON.stringify(methods)}
  const rpcPrefix = ${JSON.stringify(previewRpcPrefix)}
  const tokenMeta = ${JSON.stringify(`meta[name="${previewTokenMetaName}"]`)}
  const clientStorageKey = ${JSON.stringify(clientStorageKey)}
  const unavailable = () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The preview server is not reachable' } })

  let memoryClientId = null
  function newClientId() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  }
  function clientId() {
    try {
      let id = sessionStorage.getItem(clientStorageKey)
      if (!id) {
        id = newClientId()
        sessionStorage.setItem(clientStorageKey, id)
      }
      return id
    } catch {
      // Storage can be disabled; the tab then keeps its id until it reloads.
      memoryClientId = memoryClientId || newClientId()
      return memoryClientId
    }
  }
  function token() {
    const meta = document.querySelector(tokenMeta)
    return meta ? meta.getAttribute('content') || '' : ''
  }
  function isResult(value) {
    return typeof value === 'object' && value !== null && typeof value.ok === 'boolean'
  }

  async function call(channel, input) {
    let response
    try {
      response = await fetch(rpcPrefix + encodeURIComponent(channel), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ${JSON.stringify(previewTokenHeader)}: token(),
          ${JSON.stringify(previewClientHeader)}: clientId(),
        },
        body: JSON.stringify(input === undefined ? {} : input),
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
      })
    } catch {
      return unavailable()
    }
    try {
      const body = await response.json()
      return isResult(body) ? body : unavailable()
    } catch {
      return unavailable()
    }
  }

  const api = {}
  for (const method of Object.keys(methods)) {
    const channel = methods[method]
    api[method] = (input) => call(channel, input)
  }
  Object.defineProperty(window, 'keyhold', { value: Object.freeze(api), enumerable: true, writable: false, configurable: false })
})()
`
}
