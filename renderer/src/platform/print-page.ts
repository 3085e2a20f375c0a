/**
 * Prints only one part of the page: while the print dialog is open the root
 * element carries `printing-only`, and the print stylesheet (base.css) hides
 * everything but elements marked `print-target`. No inline styles (CSP).
 */
export function printOnly(): boolean {
  if (typeof window.print !== 'function') return false
  const root = document.documentElement
  root.classList.add('printing-only')
  // The class only matters to print media, so one left behind (no afterprint) changes nothing on screen.
  window.addEventListener('afterprint', () => root.classList.remove('printing-only'), { once: true })
  window.print()
  return true
}
