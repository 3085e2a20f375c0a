import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { repoRoot } from './preview-process'

/**
 * Debian's Chromium driven by playwright-core (ENVIRONMENT.md: never
 * `npx playwright install`). Playwright gives each launch a throw-away profile;
 * scripts/with-keyring.sh also points HOME and XDG_* at temporary folders.
 */
export const chromiumPath = process.env.KEYHOLD_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/** test-results/ is git-ignored. */
export const screenshotDir = resolve(repoRoot, 'test-results/screenshots')

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  const path = resolve(screenshotDir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
