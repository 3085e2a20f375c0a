import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireBuiltCli, runProcess, siteFor } from './support/run-cli'

/** Help and usage errors of the MFA, provider, settings and audit commands: found before anything is opened. */
const { temp, dataDir, cli } = siteFor('mfa-usage')

beforeAll(() => requireBuiltCli({ keyring: false }))
afterAll(() => temp.remove())

describe('help for the MFA engine commands', () => {
  it('help lists every command of issue 3', async () => {
    const run = await runProcess(['help'])
    expect(run.code).toBe(0)
    for (const usage of [
      'account contact NAME --email ADDRESS | --phone +NUMBER | --code CODE',
      'mfa list NAME',
      'mfa enroll begin NAME --type totp [--label TEXT] [--algorithm sha1|sha256|sha512] [--digits 6|8] | --type email --email ADDRESS | --type sms --phone +NUMBER',
      'mfa enroll send ID',
      'mfa enroll verify ID --code CODE',
      'mfa enroll enable ID',
      'mfa enroll cancel ID',
      'mfa preferred NAME METHOD_ID',
      'mfa rename NAME METHOD_ID LABEL',
      'mfa remove NAME METHOD_ID [--new-password-stdin < password]',
      'mfa reset NAME',
      'recovery regenerate NAME',
      'provider list',
      'provider set email --host HOST --port N --security none|starttls|tls',
      'provider set sms --kind kannel --url SENDSMS_URL',
      '| --kind http --method GET|POST --url URL',
      '| --kind twilio --account-sid AC…',
      'provider clear email|sms',
      'provider test email|sms --to ADDRESS',
      'settings get',
      'settings set site-name NAME',
      'audit list [--account NAME] [--event TEXT] [--since TIME] [--until TIME] [--limit N]',
      'audit verify',
    ]) {
      expect(run.stdout).toContain(usage)
    }
  })

  it('help GROUP and help COMMAND go down to the third word', async () => {
    const enroll = await runProcess(['help', 'mfa', 'enroll'])
    expect(enroll.stdout.match(/^usage: keyhold mfa enroll /gm)).toHaveLength(5)
    const begin = await runProcess(['help', 'mfa', 'enroll', 'begin'])
    expect(begin.stdout).toMatch(/^usage: keyhold mfa enroll begin NAME --type totp/)
    expect(begin.stdout.match(/^usage: /gm)).toHaveLength(1)
    const flag = await runProcess(['provider', 'set', 'sms', '--help'])
    expect(flag.code).toBe(0)
    expect(flag.stdout).toMatch(/^usage: keyhold provider set sms --kind kannel/)
  })
})

describe('usage errors exit 2 and create nothing', () => {
  const cases: [string, string[], RegExp, string][] = [
    [
      'a group without its command',
      ['mfa'],
      /^error: USAGE: "mfa" needs a command: list, enroll, preferred, rename, remove, reset$/m,
      'keyhold mfa list NAME',
    ],
    [
      'a subgroup without its command',
      ['provider', 'set'],
      /^error: USAGE: "provider set" needs a command: email, sms$/m,
      'keyhold provider set email',
    ],
    [
      'an unknown subcommand',
      ['mfa', 'enroll', 'start', 'bob'],
      /^error: USAGE: unknown command "mfa enroll start"; "mfa enroll" commands are: begin, send, verify, enable, cancel$/m,
      'keyhold mfa enroll begin',
    ],
    [
      'a missing METHOD_ID',
      ['mfa', 'preferred', 'bob'],
      /^error: USAGE: missing METHOD_ID$/m,
      'usage: keyhold mfa preferred NAME METHOD_ID',
    ],
    [
      'verify without --code',
      ['mfa', 'enroll', 'verify', 'abc'],
      /^error: USAGE: mfa enroll verify needs --code CODE$/m,
      'usage: keyhold mfa enroll verify ID --code CODE',
    ],
    [
      'a bad --limit',
      ['audit', 'list', '--limit', 'all'],
      /^error: USAGE: --limit must be a whole number from 1 to 1000$/m,
      'usage: keyhold audit list',
    ],
    [
      'an unknown settings key',
      ['settings', 'set', 'colour', 'red'],
      /^error: USAGE: unknown command "settings set colour"/m,
      'keyhold settings set site-name NAME',
    ],
    [
      'an unknown option',
      ['recovery', 'regenerate', 'bob', '--count', '5'],
      /^error: USAGE: unknown option --count for "recovery regenerate"$/m,
      'usage: keyhold recovery regenerate NAME',
    ],
  ]
  it.each(cases)('%s', async (_name, args, message, usage) => {
    const run = await cli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toContain(usage)
    expect(run.stdout).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })
})
