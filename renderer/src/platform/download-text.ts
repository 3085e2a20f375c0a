/**
 * Saves text as a file through the browser's own download (a Blob behind an
 * object URL and a link with `download`). Checked in Chromium under the app's
 * CSP: a download is not a fetch or a navigation the CSP governs, so neither
 * `blob:` nor `data:` needs adding to it. In Electron the session shows its
 * save dialog. The URL is revoked once the download has had time to start.
 */
const revokeAfterMs = 60_000

export function downloadText(fileName: string, text: string, type = 'text/plain;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.className = 'visually-hidden'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs)
}
