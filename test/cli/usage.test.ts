import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { version } from '../../package.json'
import { jsonOf, requireBuiltCli, runProcess, siteFor } from './support/run-cli'

/** Usage errors are found before anything is opened, so these need no keychain and create nothing. */
const { temp, dataDir, cli } = siteFor('usage')

beforeAll(() => requireBuiltCli({ keyring: false }))
afterAll(() => temp.remove())

describe('usage errors exit 2 and print the usage', () => {
  const cases: [string, string[], RegExp, string][] = [
    ['no command', [], /^error: USAGE: no command given$/m, 'usage: keyhold COMMAND [OPTIONS]'],
    ['an unknown command', ['frobnicate'], /^error: USAGE: unknown command "frobnicate"$/m, 'keyhold vault status'],
    [
      'a group without its command',
      ['account'],
      /^error: USAGE: "account" needs a command: create, list, show/m,
      'keyhold account show NAME',
    ],
    [
      'an unknown subcommand',
      ['account', 'rename', 'x'],
      /^error: USAGE: unknown command "account rename"/m,
      'keyhold account list',
    ],
    ['a missing argument', ['account', 'show'], /^error: USAGE: missing NAME$/m, 'usage: keyhold account show NAME'],
    [
      'an extra argument',
      ['account', 'enable', 'a', 'b'],
      /^error: USAGE: too many arguments$/m,
      'usage: keyhold account enable NAME',
    ],
    [
      'an unknown option',
      ['account', 'list', '--bogus'],
      /^error: USAGE: unknown option --bogus for "account list"$/m,
      'usage: keyhold account list',
    ],
    [
      'a bad number',
      ['account', 'list', '--limit', 'ten'],
      /^error: USAGE: --limit must be a whole number from 1 to 1000$/m,
      'usage: keyhold account list',
    ],
    [
      'a zero limit',
      ['account', 'list', '--limit', '0'],
      /^error: USAGE: --limit must be a whole number/m,
      'usage: keyhold account list',
    ],
    [
      'a negative offset',
      ['account', 'list', '--offset=-1'],
      /^error: USAGE: --offset must be a whole number from 0/m,
      'usage: keyhold account list',
    ],
    [
      'an option without its value',
      ['account', 'list', '--search'],
      /^error: USAGE: --search needs a value$/m,
      'usage: keyhold account list',
    ],
    ['init without --admin', ['init'], /^error: USAGE: init needs --admin NAME$/m, 'usage: keyhold init --admin NAME'],
    [
      'create without --password-stdin',
      ['account', 'create', 'bob'],
      /^error: USAGE: the password is read from stdin only/m,
      'usage: keyhold account create NAME',
    ],
    [
      'passwd without --password-stdin',
      ['account', 'passwd', 'bob'],
      /^error: USAGE: the password is read from stdin only/m,
      'usage: keyhold account passwd NAME',
    ],
    [
      'an option of another command',
      ['account', 'show', 'bob', '--admin'],
      /^error: USAGE: unknown option --admin for "account show"$/m,
      'usage: keyhold account show NAME',
    ],
  ]
  it.each(cases)('%s', async (_name, args, message, usage) => {
    const run = await cli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: USAGE: /)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toContain(usage)
    expect(run.stdout).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('with --json, also prints {"error":{"code":"USAGE",…}} on stdout', async () => {
    const run = await cli(['account', 'list', '--limit', 'x', '--json'])
    expect(run.code).toBe(2)
    expect(jsonOf(run)).toEqual({ error: { code: 'USAGE', message: '--limit must be a whole number from 1 to 1000' } })
  })

  it('an empty stdin where a password is expected is a usage error', async () => {
    const run = await cli(['account', 'create', 'bob', '--password-stdin'], { input: '' })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: USAGE: no password on stdin/)
    expect(run.stderr).toContain('usage: keyhold account create NAME')
    const newlineOnly = await cli(['account', 'passwd', 'bob', '--password-stdin'], { input: '\n' })
    expect(newlineOnly.code).toBe(2)
    expect(existsSync(dataDir)).toBe(false)
  })

  it('never takes a password from argv, and never repeats one typed there', async () => {
    const option = await cli(['account', 'passwd', 'bob', '--password=Hunter2-secret-value'])
    expect(option.code).toBe(2)
    expect(option.stderr).toMatch(/^error: USAGE: passwords are never taken from the command line/)
    expect(option.stderr).not.toContain('Hunter2')
    const positional = await cli(['account', 'passwd', 'bob', 'Hunter2-secret-value', '--password-stdin'])
    expect(positional.code).toBe(2)
    expect(positional.stderr + positional.stdout).not.toContain('Hunter2')
  })
})

describe('help and version', () => {
  it('help lists every command and exits 0', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const run = await runProcess(args)
      expect(run.code).toBe(0)
      for (const usage of [
        'init --admin NAME',
        'account create NAME',
        'account list [--search TEXT] [--limit N] [--offset N]',
        'account show NAME',
        'account disable NAME',
        'account enable NAME',
        'account delete NAME',
        'account unlock NAME',
        'account passwd NAME --password-stdin',
        'account edit NAME [--display-name TEXT]',
        'account setup-code NAME',
        'coverage',
        'vault status',
        '--data-dir DIR',
        '--json',
      ]) {
        expect(run.stdout).toContain(usage)
      }
    }
  })

  it('a command with --help, or help COMMAND, shows that command', async () => {
    const flag = await runProcess(['account', 'list', '--help'])
    expect(flag.code).toBe(0)
    expect(flag.stdout).toMatch(/^usage: keyhold account list \[--search TEXT\] \[--limit N\] \[--offset N\]\n/)
    const topic = await runProcess(['help', 'account', 'passwd'])
    expect(topic.stdout).toMatch(/^usage: keyhold account passwd NAME --password-stdin/)
    const group = await runProcess(['help', 'account'])
    expect(group.stdout.match(/^usage: keyhold account /gm)).toHaveLength(13)
    const unknown = await runProcess(['help', 'nope'])
    expect(unknown.code).toBe(2)
  })

  it('--version prints the package version', async () => {
    const run = await runProcess(['--version'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`keyhold ${version}\n`)
    expect(jsonOf(await runProcess(['--version', '--json']))).toEqual({ version })
  })
})
