import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectExit } from './support/operators'
import { requireBuiltCli, siteFor } from './support/run-cli'
import { initSite } from './support/site-setup'

/**
 * Issue 15: `keyhold auth` starts fast because it does not load what it does
 * not use. The built CLI runs with a --require hook that writes down every
 * module the process loads; the packages only other commands need (mail, QR,
 * the common-password list, otplib) and node:child_process (the gdbus probe of
 * a locked keychain, needed only on a miss) must not be among them. No timing:
 * the bench measures the time (KEYHOLD_BENCH_PARTS=cli).
 */
const { temp, cli } = siteFor('auth-startup')
const strong = 'Orbit lantern 7 meadow'
const hook = join(temp.path, 'record-modules.cjs')
const record = join(temp.path, 'modules.txt')

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  await initSite(cli, strong, 'alice', ['paula'])
  writeFileSync(
    hook,
    [
      "const Module = require('node:module')",
      "const { writeFileSync } = require('node:fs')",
      'const seen = new Set()',
      'const load = Module._load',
      'Module._load = function (request, ...rest) { seen.add(request); return load.call(this, request, ...rest) }',
      "process.on('exit', () => writeFileSync(process.env.KEYHOLD_TEST_MODULES, [...seen].join('\\n')))",
      '',
    ].join('\n'),
  )
}, 120_000)
afterAll(() => temp.remove())

describe('keyhold auth at start', () => {
  it('loads the database and the keychain, and none of the packages other commands need', async () => {
    const run = await cli(['auth', 'paula', '--json'], {
      input: `${strong}\n`,
      env: { NODE_OPTIONS: `--require ${hook}`, KEYHOLD_TEST_MODULES: record },
    })
    expectExit(run, 0)
    const loaded = readFileSync(record, 'utf8').split('\n')
    // The hook saw the process: what every check needs is there.
    expect(loaded).toEqual(expect.arrayContaining(['better-sqlite3', '@node-rs/argon2']))
    expect(loaded.some((name) => name.includes('keytar'))).toBe(true)
    const lazy = ['nodemailer', 'qrcode', 'otplib', '@otplib/plugin-crypto-node', '@zxcvbn-ts/language-common']
    for (const name of [...lazy, 'node:child_process', 'child_process']) expect(loaded).not.toContain(name)
  })
})
