/**
 * Copies text the person asked to copy (a key, recovery codes). The async
 * Clipboard API first: in the app the main process grants Keyhold's own page
 * clipboard writing, and nothing else (web-contents-guards.ts, S23). If it is
 * refused anyway (a window without focus, an older browser), the older copy
 * command on a hidden, selected text area. Resolves to false when neither
 * worked, so the page can ask the person to copy by hand.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // Fall through to the copy command.
  }
  return copyWithCommand(text)
}

function copyWithCommand(text: string): boolean {
  if (typeof document.execCommand !== 'function') return false
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.className = 'visually-hidden'
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null
  document.body.append(area)
  area.select()
  const copied = tryCopyCommand()
  area.remove()
  focused?.focus()
  return copied
}

function tryCopyCommand(): boolean {
  try {
    return document.execCommand('copy')
  } catch {
    return false
  }
}
