import { app, type AboutPanelOptionsOptions } from 'electron'

/**
 * Help › About Keyhold (the app menu on macOS): the native about panel, with the version an
 * administrator needs to report a problem. The menu's `about` role shows it on every platform
 * (a message box on Windows); on Linux it shows only what is set here.
 */
export interface AboutFacts {
  /** `app.getVersion()`: package.json's version in a packaged build. */
  readonly appVersion: string
  /** `process.versions` (electron, chrome, node). */
  readonly versions: Readonly<Partial<Record<string, string>>>
}

export function aboutPanelOptions(facts: AboutFacts): AboutPanelOptionsOptions {
  const runtime = [
    facts.versions.electron && `Electron ${facts.versions.electron}`,
    facts.versions.chrome && `Chromium ${facts.versions.chrome}`,
    facts.versions.node && `Node ${facts.versions.node}`,
  ]
    .filter(Boolean)
    .join(', ')
  return {
    applicationName: 'Keyhold',
    applicationVersion: facts.appVersion,
    // macOS shows this in brackets after the version; Windows and Linux show the credits line.
    version: runtime,
    credits: `Account manager with multi-factor authentication. ${runtime}`,
    copyright: 'Copyright © Keyhold contributors. MIT licence.',
  }
}

export function installAboutPanel(): void {
  app.setAboutPanelOptions(aboutPanelOptions({ appVersion: app.getVersion(), versions: process.versions }))
}
