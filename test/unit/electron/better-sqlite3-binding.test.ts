import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  devBindingPath,
  NativeBindingMissingError,
  packagedBindingPath,
  resolveBetterSqlite3Binding,
} from '../../../electron/main/native/better-sqlite3-binding'
import { bindingFileName, electronNativeDir } from '../../../scripts/postinstall.mjs'

describe('better-sqlite3 binding for Electron', () => {
  const base = { appPath: '/work/keyhold', resourcesPath: '/opt/Keyhold/resources' }
  const present = () => true

  it("uses npm's Node build on plain Node (tests, CLI, preview)", () => {
    expect(
      resolveBetterSqlite3Binding({ ...base, electronVersion: undefined, isPackaged: false }, present),
    ).toBeUndefined()
  })

  it('uses .native/electron next to the app in development', () => {
    expect(resolveBetterSqlite3Binding({ ...base, electronVersion: '41.7.1', isPackaged: false }, present)).toBe(
      join('/work/keyhold', '.native', 'electron', 'better_sqlite3.node'),
    )
  })

  it('uses the copy under resourcesPath in a packaged app', () => {
    expect(resolveBetterSqlite3Binding({ ...base, electronVersion: '41.7.1', isPackaged: true }, present)).toBe(
      join('/opt/Keyhold/resources', 'native', 'better_sqlite3.node'),
    )
  })

  it('fails with a message naming npm run postinstall when the Electron build is missing', () => {
    const attempt = () =>
      resolveBetterSqlite3Binding({ ...base, electronVersion: '41.7.1', isPackaged: false }, () => false)
    expect(attempt).toThrow(NativeBindingMissingError)
    expect(attempt).toThrow(/npm run postinstall/)
  })

  it('looks where the postinstall script writes', () => {
    expect([...devBindingPath]).toEqual([...electronNativeDir, bindingFileName])
    expect(packagedBindingPath.at(-1)).toBe(bindingFileName)
  })
})
