import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpPeer, type HttpPeer } from '../peers/http-peer'
import { startKannelPeer, type KannelPeer } from '../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { expectFailure, okJson } from './support/mfa-cli'
import { cliActor, cliFor, jsonOf, makeTempDir, requireBuiltCli, withDatabase } from './support/run-cli'

/**
 * `keyhold provider …`, `settings …` and `audit …` against the real built CLI,
 * a real SMTP server, a real Kannel gateway and a loopback HTTP server (for the
 * generic HTTP adapter and Twilio's request shape).
 */
const temp = makeTempDir('providers')
const dataDir = join(temp.path, 'data')
const cli = cliFor(dataDir)
const strong = 'Orbit lantern 7 meadow'
const smtpPassword = 'smtp-Secret-4711-xyz'
const headerSecret = 'api-Key-0815-very-secret'
const twilioToken = 'twilio-Token-2718-abcdef'
const sid = `AC${'0123456789abcdef'.repeat(2)}`
const phone = '+44 20 7946 0958'
const phoneE164 = '+442079460958'

let smtp: SmtpPeer
let http: HttpPeer
let kannel: KannelPeer

const smsTextDefault = '{code} is your {site} security code. It expires in {minutes} minutes.'

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  ;[smtp, http, kannel] = await Promise.all([
    startSmtpPeer({ auth: { user: 'keyhold', pass: smtpPassword } }),
    startHttpPeer({ status: 200, body: 'ok' }),
    startKannelPeer(),
  ])
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
  expect((await cli(['account', 'create', 'bob', '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
})
afterAll(async () => {
  await Promise.all([smtp?.close(), http?.close(), kannel?.close()])
  temp.remove()
})

describe('keyhold provider get|list / set email / test email', () => {
  it('get (and its older name list) shows {email, sms, smsText, smsCountries, lastSend} before anything is set up', async () => {
    const empty = {
      email: null,
      sms: null,
      smsText: smsTextDefault,
      smsCountries: null,
      lastSend: { email: null, sms: null },
    }
    expect(okJson(await cli(['provider', 'get', '--json']))).toEqual(empty)
    expect(okJson(await cli(['provider', 'list', '--json']))).toEqual(empty)
    const human = await cli(['provider', 'get'])
    expect(human.stdout).toMatch(/^SMS countries: +any country$/m)
    expect(human.stdout).not.toContain('Last send')
  })

  it('S20: sets the SMTP server with the password from stdin; the password is never printed', async () => {
    const run = await cli(
      [
        'provider',
        'set',
        'email',
        '--host',
        smtp.host,
        '--port',
        String(smtp.port),
        '--security',
        'none',
        '--username',
        'keyhold',
        '--password-stdin',
        // The peer takes AUTH without TLS: S34 wants that chosen knowingly.
        '--unencrypted-sign-in',
        '--from',
        'keyhold@example.org',
        '--subject',
        '{site} code',
        '--json',
      ],
      { input: `${smtpPassword}\n` },
    )
    const view = okJson(run)
    expect(view).toEqual({
      host: smtp.host,
      port: smtp.port,
      security: 'none',
      username: 'keyhold',
      passwordSet: true,
      unencryptedSignIn: true,
      from: 'keyhold@example.org',
      subject: '{site} code',
      text: 'Your {site} security code is {code}. It expires in {minutes} minutes.',
    })
    expect(run.stdout).not.toContain(smtpPassword)
    const list = await cli(['provider', 'list', '--json'])
    expect(okJson(list)).toMatchObject({ email: view, sms: null })
    expect(list.stdout).not.toContain(smtpPassword)
    const human = await cli(['provider', 'list'])
    expect(human.stdout).toMatch(/^ {2}Sign-in: +keyhold, password set \(never shown\)$/m)
    // S20: encrypted at rest, so the password is nowhere in the database file.
    expect(readFileSync(join(dataDir, 'keyhold.db')).includes(smtpPassword)).toBe(false)
  })

  it('provider test email sends through the server, signed in, with the site name', async () => {
    const human = await cli(['provider', 'get'])
    expect(human.stdout).toMatch(/^ {2}Last send: +none yet$/m)
    const run = await cli(['provider', 'test', 'email', '--to', 'ops@example.org', '--json'])
    expect(okJson(run)).toEqual({ sent: true })
    const mail = await smtp.waitForMessage('ops@example.org')
    expect(mail.user).toBe('keyhold')
    expect(mail.subject).toBe('Keyhold test message')
  })

  it('provider get shows the last send: when, what, to whom (masked)', async () => {
    const { lastSend } = okJson<{ lastSend: Record<string, unknown> }>(await cli(['provider', 'get', '--json']))
    expect(lastSend).toEqual({
      email: {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        ok: true,
        purpose: 'test',
        to: 'o•s@example.org',
        detail: null,
      },
      sms: null,
    })
    const human = await cli(['provider', 'get'])
    expect(human.stdout).toMatch(
      /^ {2}Last send: +sent \d{4}-\d\d-\d\d \d\d:\d\d UTC \(test message to o•s@example\.org\)$/m,
    )
  })

  it('settings set site-name renames the site; messages use the new name', async () => {
    expect(okJson(await cli(['settings', 'get', '--json']))).toEqual({ siteName: 'Keyhold' })
    expect(okJson(await cli(['settings', 'set', 'site-name', '  Acme Lab ', '--json']))).toEqual({
      siteName: 'Acme Lab',
    })
    expect(okJson(await cli(['settings', 'get', '--json']))).toEqual({ siteName: 'Acme Lab' })
    expect((await cli(['settings', 'get'])).stdout).toBe('Site name:  Acme Lab\n')
    expectFailure(await cli(['settings', 'set', 'site-name', '   ']), 'VALIDATION', /NAME: /)
    expect((await cli(['provider', 'test', 'email', '--to', 'ops@example.org'])).code).toBe(0)
    expect((await smtp.waitForMessage('ops@example.org')).subject).toBe('Acme Lab test message')
  })

  it('settings set site-name refuses line breaks and control characters, and keeps the name', async () => {
    for (const name of ['Acme\nCall +1 555 0100', 'Acme\tLab', 'Acme\u202ELab']) {
      expectFailure(
        await cli(['settings', 'set', 'site-name', name]),
        'VALIDATION',
        /NAME: A site name cannot contain line breaks or control characters/,
      )
    }
    expect(okJson(await cli(['settings', 'get', '--json']))).toEqual({ siteName: 'Acme Lab' })
  })

  it('S34: --security none with a sign-in needs --unencrypted-sign-in; the stored password never moves to it', async () => {
    const base = ['provider', 'set', 'email', '--host', smtp.host, '--port', String(smtp.port), '--username', 'keyhold']
    const from = ['--from', 'keyhold@example.org']
    // Typed for plain text without saying so: refused before anything is stored.
    expectFailure(
      await cli([...base, '--security', 'none', ...from, '--password-stdin'], { input: `${smtpPassword}\n` }),
      'VALIDATION',
      /--unencrypted-sign-in: Without encryption the user name and password cross the network in clear/,
    )
    // Now move the stored settings to TLS (typing the password), then try to go back without typing it.
    expect(
      okJson(
        await cli([...base, '--security', 'tls', ...from, '--password-stdin', '--json'], {
          input: `${smtpPassword}\n`,
        }),
      ),
    ).toMatchObject({ security: 'tls', passwordSet: true, unencryptedSignIn: false })
    const back = await cli([...base, '--security', 'none', '--unencrypted-sign-in', ...from])
    expectFailure(back, 'VALIDATION', /--password-stdin: Enter it again/)
    expect(okJson(await cli(['provider', 'get', '--json']))).toMatchObject({ email: { security: 'tls' } })
    // Back as before, knowingly and with the password typed again.
    expect(
      okJson(
        await cli([...base, '--security', 'none', '--unencrypted-sign-in', ...from, '--password-stdin', '--json'], {
          input: `${smtpPassword}\n`,
        }),
      ),
    ).toMatchObject({ security: 'none', unencryptedSignIn: true, passwordSet: true })
    expect((await cli(['provider', 'get'])).stdout).toMatch(/security none \(signs in without encryption, as chosen\)/)
  })

  it('provider test is limited to 10 per provider in 10 minutes, shared by every run', async () => {
    // Tests earlier in this file already used some of the window: at most 10 more can go, then RATE_LIMITED.
    let sent = 0
    let run = await cli(['provider', 'test', 'email', '--to', 'ops@example.org', '--json'])
    while (run.code === 0 && sent < 11) {
      sent += 1
      run = await cli(['provider', 'test', 'email', '--to', 'ops@example.org', '--json'])
    }
    expect(sent).toBeLessThan(10)
    expectFailure(run, 'RATE_LIMITED', /Too many test messages through this provider: at most 10 in 10 minutes/)
  })

  it('refuses bad settings with VALIDATION naming the options, and keeps the old ones', async () => {
    const base = ['provider', 'set', 'email', '--host', smtp.host, '--from', 'keyhold@example.org']
    const port = await cli([...base, '--port', '70000', '--security', 'ssl', '--json'])
    expectFailure(port, 'VALIDATION', /--port: .*; --security: Invalid option/)
    const noUser = await cli([...base, '--port', '25', '--security', 'none', '--password-stdin'], {
      input: 'x\n',
    })
    expectFailure(noUser, 'VALIDATION', /--username: Enter the user name that goes with the password/)
    // A stored password is kept only while the server stays the same (S20).
    const moved = await cli([...base, '--port', '2526', '--security', 'none', '--username', 'keyhold'])
    expectFailure(moved, 'VALIDATION', /--password-stdin: Enter it again/)
    expect(okJson(await cli(['provider', 'list', '--json']))).toMatchObject({ email: { port: smtp.port } })
  })

  it('usage errors: missing options, a port that is not a number, a secret on the command line', async () => {
    const missing = await cli(['provider', 'set', 'email', '--host', 'mail'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^error: USAGE: provider set email needs --port, --security, --from$/m)
    expect(missing.stderr).toContain('usage: keyhold provider set email --host HOST --port N')
    const port = await cli([
      'provider',
      'set',
      'email',
      '--host',
      'h',
      '--port',
      'smtp',
      '--security',
      'none',
      '--from',
      'a@b.c',
    ])
    expect(port.stderr).toMatch(/^error: USAGE: --port must be a whole number from 1 to 65535$/m)
    const secret = await cli(['provider', 'set', 'email', '--password', smtpPassword])
    expect(secret.code).toBe(2)
    expect(secret.stderr).toMatch(/^error: USAGE: passwords are never taken from the command line/)
    expect(secret.stderr).not.toContain(smtpPassword)
    const kind = await cli(['provider', 'test', 'fax', '--to', 'x'])
    expect(kind.code).toBe(2)
    expect(kind.stderr).toMatch(/^error: USAGE: the provider is email or sms, not "fax"$/m)
  })
})

describe('keyhold provider set sms / test sms', () => {
  it('kannel: the password from stdin; a test SMS reaches fakesmsc', async () => {
    const run = await cli(
      [
        'provider',
        'set',
        'sms',
        '--kind',
        'kannel',
        '--url',
        kannel.sendsmsUrl,
        '--username',
        kannel.username,
        '--password-stdin',
        '--text',
        '{site}: {code}',
        '--json',
      ],
      { input: `${kannel.password}\n` },
    )
    expect(okJson(run)).toEqual({
      kind: 'kannel',
      url: kannel.sendsmsUrl,
      username: kannel.username,
      passwordSet: true,
      from: null,
    })
    expect(run.stdout).not.toContain(kannel.password)
    expect(okJson(await cli(['provider', 'list', '--json']))).toMatchObject({ smsText: '{site}: {code}' })
    expect(okJson(await cli(['provider', 'test', 'sms', '--to', phone, '--json']))).toEqual({ sent: true })
    const received = await kannel.waitForSms(phoneE164)
    expect(received.text).toBe('Keyhold test message: your Acme Lab SMS settings work.')
  })

  it('an invalid number is VALIDATION naming --to, before anything is sent', async () => {
    const before = kannel.messages.length
    expectFailure(
      await cli(['provider', 'test', 'sms', '--to', '12345']),
      'VALIDATION',
      /--to: Start the number with \+/,
    )
    const missing = await cli(['provider', 'test', 'sms'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^error: USAGE: provider test sms needs --to \+NUMBER$/m)
    expect(kannel.messages.length).toBe(before)
  })

  it('kannel without a password, options of another kind, an unknown kind: refused', async () => {
    const base = ['provider', 'set', 'sms', '--kind', 'kannel', '--url', 'http://127.0.0.1:1/cgi-bin/sendsms']
    // A new server needs the password again: a stored one never follows the URL elsewhere (S20).
    expectFailure(await cli([...base, '--username', 'u']), 'VALIDATION', /--password-stdin: Enter it again/)
    const other = await cli([...base, '--username', 'u', '--method', 'GET'])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(/^error: USAGE: --method does not go with --kind kannel$/m)
    const unknown = await cli(['provider', 'set', 'sms', '--kind', 'pigeon'])
    expect(unknown.stderr).toMatch(/^error: USAGE: --kind must be kannel, http, twilio or email, not "pigeon"$/m)
    const url = await cli(['provider', 'set', 'sms', '--kind', 'kannel', '--url', 'ftp://x', '--username', 'u'])
    expectFailure(url, 'VALIDATION', /--url: Enter an http:\/\/ or https:\/\/ URL/)
  })

  it('http: headers, a secret header from stdin and a JSON body; the secret is never shown', async () => {
    const run = await cli(
      [
        'provider',
        'set',
        'sms',
        '--kind',
        'http',
        '--method',
        'post',
        '--url',
        `${http.url}/v1/sms`,
        '--header',
        'X-Tenant: lab',
        '--header',
        'Accept: text/plain',
        '--secret-header',
        'X-Api-Key',
        '--body',
        '{"number":"{to}","message":"{text}"}',
        '--json',
      ],
      { input: `${headerSecret}\n` },
    )
    expect(okJson(run)).toEqual({
      kind: 'http',
      method: 'POST',
      url: `${http.url}/v1/sms`,
      headers: { 'X-Tenant': 'lab', Accept: 'text/plain' },
      secretHeaderNames: ['X-Api-Key'],
      body: '{"number":"{to}","message":"{text}"}',
      bodyEncoding: 'json',
    })
    expect(run.stdout).not.toContain(headerSecret)
    expect(okJson(await cli(['provider', 'test', 'sms', '--to', phone, '--json']))).toEqual({ sent: true })
    const request = await http.waitForRequest()
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/v1/sms')
    expect(request.headers['x-api-key']).toBe(headerSecret)
    expect(request.headers['x-tenant']).toBe('lab')
    expect(JSON.parse(request.body)).toEqual({
      number: phoneE164,
      message: 'Keyhold test message: your Acme Lab SMS settings work.',
    })
    const list = await cli(['provider', 'list'])
    expect(list.stdout).toMatch(/^ {2}Header: +X-Api-Key: \(secret, never shown\)$/m)
    expect(list.stdout).not.toContain(headerSecret)

    const header = await cli([
      'provider',
      'set',
      'sms',
      '--kind',
      'http',
      '--method',
      'GET',
      '--url',
      http.url,
      '--header',
      'nocolon',
    ])
    expect(header.stderr).toMatch(/^error: USAGE: --header must look like "Name: value", not "nocolon"$/m)
    const getBody = await cli([
      'provider',
      'set',
      'sms',
      '--kind',
      'http',
      '--method',
      'GET',
      '--url',
      http.url,
      '--body',
      'x',
    ])
    expectFailure(getBody, 'VALIDATION', /--body: A GET request has no body/)
  })

  it('a gateway that refuses gives DELIVERY_FAILED with its status; provider get shows it as the last send', async () => {
    http.respondWith({ status: 403, body: 'forbidden' })
    try {
      const run = await cli(['provider', 'test', 'sms', '--to', phone])
      expectFailure(run, 'DELIVERY_FAILED', /the SMS gateway refused the message \(403/)
      // The refused request did reach the gateway.
      expect((await http.waitForRequest()).url).toBe('/v1/sms')
    } finally {
      http.respondWith({ status: 200, body: 'ok' })
    }
    const { lastSend } = okJson<{ lastSend: { sms: unknown } }>(await cli(['provider', 'get', '--json']))
    expect(lastSend.sms).toMatchObject({
      ok: false,
      purpose: 'test',
      to: '+44 •••••••958',
      detail: 'the SMS gateway refused the message (403: forbidden)',
    })
    const human = await cli(['provider', 'get'])
    expect(human.stdout).toMatch(
      /^ {2}Last send: +failed .* UTC \(test message to \+44 •••••••958\): the SMS gateway refused the message \(403: forbidden\)$/m,
    )
  })

  it("twilio: the auth token from stdin; the request has Twilio's Messages API shape", async () => {
    const badSid = await cli([
      'provider',
      'set',
      'sms',
      '--kind',
      'twilio',
      '--account-sid',
      'XX1',
      '--from',
      '+15005550006',
    ])
    expectFailure(badSid, 'VALIDATION', /--account-sid: A Twilio Account SID starts with AC/)
    const inline = await cli(['provider', 'set', 'sms', '--kind', 'twilio', '--auth-token', twilioToken])
    expect(inline.code).toBe(2)
    expect(inline.stderr).toMatch(
      /^error: USAGE: secrets are never taken from the command line; use --auth-token-stdin/,
    )
    expect(inline.stderr).not.toContain(twilioToken)

    const run = await cli(
      [
        'provider',
        'set',
        'sms',
        '--kind',
        'twilio',
        '--account-sid',
        sid,
        '--auth-token-stdin',
        '--from',
        '+15005550006',
        '--base-url',
        http.url,
        '--json',
      ],
      { input: `${twilioToken}\n` },
    )
    expect(okJson(run)).toEqual({
      kind: 'twilio',
      accountSid: sid,
      authTokenSet: true,
      from: '+15005550006',
      baseUrl: http.url,
    })
    expect(run.stdout).not.toContain(twilioToken)
    http.respondWith({
      status: 201,
      body: '{"sid":"SM1","status":"queued"}',
      headers: { 'Content-Type': 'application/json' },
    })
    try {
      expect((await cli(['provider', 'test', 'sms', '--to', phone])).code).toBe(0)
    } finally {
      http.respondWith({ status: 200, body: 'ok' })
    }
    const request = await http.waitForRequest()
    expect(request.method).toBe('POST')
    expect(request.url).toBe(`/2010-04-01/Accounts/${sid}/Messages.json`)
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${sid}:${twilioToken}`).toString('base64')}`)
    const form = new URLSearchParams(request.body)
    expect(form.get('To')).toBe(phoneE164)
    expect(form.get('From')).toBe('+15005550006')
  })

  it('a stopped Kannel gives DELIVERY_FAILED saying the gateway is not reachable', async () => {
    const setKannel = await cli(
      [
        'provider',
        'set',
        'sms',
        '--kind',
        'kannel',
        '--url',
        kannel.sendsmsUrl,
        '--username',
        kannel.username,
        '--password-stdin',
      ],
      { input: `${kannel.password}\n` },
    )
    expect(setKannel.code).toBe(0)
    await kannel.close()
    const port = new URL(kannel.sendsmsUrl).port
    const run = await cli(['provider', 'test', 'sms', '--to', phone, '--json'])
    expectFailure(run, 'DELIVERY_FAILED')
    expect(jsonOf(run)).toEqual({
      error: { code: 'DELIVERY_FAILED', message: `the SMS gateway at 127.0.0.1:${port} is not reachable` },
    })
  })

  it('S35: provider clear is refused, with the count, when Required would leave nobody a method to set up', async () => {
    const policy = okJson<{ site: Record<string, unknown> }>(await cli(['policy', 'get', '--json']))
    const smsOnly = { site: { ...policy.site, enforcement: 'required', allowedMethods: ['sms'] }, roles: {} }
    expect((await cli(['policy', 'set'], { input: JSON.stringify(smsOnly) })).code).toBe(0)
    // alice and bob: neither could set up a method once the SMS gateway is gone.
    expectFailure(
      await cli(['provider', 'clear', 'sms']),
      'CONFLICT',
      /Removing the SMS gateway would lock people out: 2 accounts could not set up a method the Required policy allows/,
    )
    expect(okJson(await cli(['provider', 'list', '--json']))).toMatchObject({ sms: { kind: 'kannel' } })
    const optional = { site: { ...policy.site }, roles: {} }
    expect((await cli(['policy', 'set'], { input: JSON.stringify(optional) })).code).toBe(0)
  })

  it('provider clear removes a provider; then nothing can be sent that way', async () => {
    expect(okJson(await cli(['provider', 'clear', 'sms', '--json']))).toEqual({ cleared: 'sms' })
    expect(okJson(await cli(['provider', 'list', '--json']))).toMatchObject({ sms: null })
    expectFailure(await cli(['provider', 'test', 'sms', '--to', phone]), 'NOT_CONFIGURED', /No SMS gateway is set up/)
  })
})

describe('keyhold provider sms-countries', () => {
  it('shows, sets (any case) and lifts the list; --json gives {countries}', async () => {
    expect(okJson(await cli(['provider', 'sms-countries', '--json']))).toEqual({ countries: null })
    expect((await cli(['provider', 'sms-countries'])).stdout).toBe('Text messages may go to any country.\n')
    expect(okJson(await cli(['provider', 'sms-countries', '--set', 'gb, DE', '--json']))).toEqual({
      countries: ['GB', 'DE'],
    })
    expect((await cli(['provider', 'sms-countries'])).stdout).toBe('Text messages may go to only GB, DE.\n')
    expect(okJson(await cli(['provider', 'get', '--json']))).toMatchObject({ smsCountries: ['GB', 'DE'] })
    expect((await cli(['provider', 'sms-countries', '--any'])).stdout).toBe(
      'Text messages may now go to any country.\n',
    )
    expect(okJson(await cli(['provider', 'sms-countries', '--json']))).toEqual({ countries: null })
  })

  it('bad codes: exit 1, VALIDATION naming each; the list stays as it was', async () => {
    expect((await cli(['provider', 'sms-countries', '--set', 'FR'])).code).toBe(0)
    const bad = await cli(['provider', 'sms-countries', '--set', 'GB,ZZ,gb,France', '--json'])
    expectFailure(
      bad,
      'VALIDATION',
      /^error: VALIDATION: --set: ZZ is not a country code phone numbers are known for; --set: GB is listed twice; --set: "France" is not a two-letter country code \(e\.g\. GB\)$/,
    )
    expectFailure(
      await cli(['provider', 'sms-countries', '--set', ',']),
      'VALIDATION',
      /--set: Add at least one country/,
    )
    expect(okJson(await cli(['provider', 'sms-countries', '--json']))).toEqual({ countries: ['FR'] })
  })

  it('--set with --any is a usage error (exit 2)', async () => {
    const both = await cli(['provider', 'sms-countries', '--set', 'GB', '--any'])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^error: USAGE: give --set or --any, not both$/m)
  })

  it('a test to a number outside the list is refused naming --to, before anything is sent', async () => {
    const run = await cli(['provider', 'test', 'sms', '--to', phone])
    expectFailure(run, 'VALIDATION', /^error: VALIDATION: --to: This site does not send text messages to GB numbers$/)
    expect((await cli(['provider', 'sms-countries', '--any'])).code).toBe(0)
  })
})

describe('keyhold provider set sms --kind email (email-to-SMS through the SMTP server)', () => {
  it('stores the address template and sends the text as email to the gateway address', async () => {
    const run = await cli([
      'provider',
      'set',
      'sms',
      '--kind',
      'email',
      '--address',
      '{number}@sms.example.org',
      '--json',
    ])
    expect(okJson(run)).toEqual({ kind: 'email', addressTemplate: '{number}@sms.example.org' })
    const human = await cli(['provider', 'get'])
    expect(human.stdout).toMatch(/^SMS: +as email, through the email provider$/m)
    expect(human.stdout).toMatch(/^ {2}Address: +\{number\}@sms\.example\.org$/m)
    expect(okJson(await cli(['provider', 'test', 'sms', '--to', phone, '--json']))).toEqual({ sent: true })
    const mail = await smtp.waitForMessage(`${phoneE164.slice(1)}@sms.example.org`)
    expect(mail.text.trim()).toBe('Keyhold test message: your Acme Lab SMS settings work.')
    expect(mail.user).toBe('keyhold')
  })

  it('needs --address with {number}; options of other kinds are refused', async () => {
    const missing = await cli(['provider', 'set', 'sms', '--kind', 'email'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^error: USAGE: --kind email needs --address$/m)
    const other = await cli(['provider', 'set', 'sms', '--kind', 'email', '--address', '{number}@x.org', '--url', 'x'])
    expect(other.stderr).toMatch(/^error: USAGE: --url does not go with --kind email$/m)
    expectFailure(
      await cli(['provider', 'set', 'sms', '--kind', 'email', '--address', 'sms@x.org']),
      'VALIDATION',
      /--address: Put \{number\} where the phone number goes/,
    )
  })
})

describe('keyhold audit list / verify', () => {
  interface Entry {
    id: number
    at: string
    actor: string
    event: string
    account: string | null
    detail: Record<string, unknown>
  }

  it('lists {entries}, newest first, with exactly the contract keys and no secret anywhere (S20, S22)', async () => {
    const run = await cli(['audit', 'list', '--limit', '1000', '--json'])
    const { entries } = okJson<{ entries: Entry[] }>(run)
    expect(entries.length).toBeGreaterThan(10)
    for (const entry of entries)
      expect(Object.keys(entry)).toEqual(['id', 'at', 'actor', 'event', 'account', 'accountId', 'detail'])
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a))
    const events = entries.map((e) => e.event)
    for (const event of [
      'provider.email-set',
      'provider.sms-set',
      'provider.test-sent',
      'provider.test-failed',
      'provider.sms-cleared',
      'settings.site-name-changed',
    ]) {
      expect(events).toContain(event)
    }
    expect(entries.find((e) => e.event === 'provider.email-set')).toMatchObject({ actor: cliActor, account: null })
    expect(entries.find((e) => e.event === 'provider.test-failed')?.detail).toMatchObject({ kind: 'sms' })
    for (const secret of [smtpPassword, headerSecret, twilioToken, kannel.password])
      expect(run.stdout).not.toContain(secret)
  })

  it('--account filters, --limit limits, and the table is aligned', async () => {
    const bob = okJson<{ entries: Entry[] }>(await cli(['audit', 'list', '--account', 'bob', '--json']))
    expect(bob.entries.map((e) => e.event)).toEqual(['account.created'])
    expect(bob.entries[0]).toMatchObject({ account: 'bob', actor: cliActor })
    expect(okJson<{ entries: Entry[] }>(await cli(['audit', 'list', '--limit', '2', '--json'])).entries).toHaveLength(2)
    expectFailure(await cli(['audit', 'list', '--account', 'nobody']), 'NOT_FOUND', /No account named "nobody"/)
    const limit = await cli(['audit', 'list', '--limit', '0'])
    expect(limit.code).toBe(2)
    expect(limit.stderr).toMatch(/^error: USAGE: --limit must be a whole number from 1 to 1000$/m)

    const human = await cli(['audit', 'list', '--limit', '3'])
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^TIME \(UTC\) +ACTOR +EVENT +ACCOUNT +DETAIL$/)
    for (const row of lines.slice(1, 4)) expect(row).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}/)
    const at = lines[0]!.indexOf('EVENT')
    for (const row of lines.slice(1, 4)) expect(row[at - 1]).toBe(' ')
    expect(lines.at(-1)).toBe('3 entries, newest first')
  })

  it('S22: verify prints {ok, rows, problem}; a row slipped in breaks it: exit 1, AUDIT_CHAIN_BROKEN', async () => {
    const ok = okJson<{ ok: boolean; rows: number; problem: string | null }>(await cli(['audit', 'verify', '--json']))
    expect(Object.keys(ok)).toEqual(['ok', 'rows', 'problem'])
    expect(ok).toMatchObject({ ok: true, problem: null })
    expect((await cli(['audit', 'verify'])).stdout).toBe(`The audit log verifies: ${ok.rows} entries, chain intact.\n`)

    withDatabase(dataDir, (db) =>
      db
        .prepare(
          "INSERT INTO audit_log (at, actor, event, account_id, detail, mac) VALUES (1, 'cli:someone', 'mfa.reset', 2, '{}', ?)",
        )
        .run('0'.repeat(64)),
    )
    const broken = await cli(['audit', 'verify', '--json'])
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/^error: AUDIT_CHAIN_BROKEN: The audit log does not verify: /)
    expect(broken.stderr).toContain('fix: Someone or something changed the database outside Keyhold')
    expect(jsonOf(broken)).toMatchObject({
      ok: false,
      rows: ok.rows + 1,
      problem: expect.any(String),
      error: { code: 'AUDIT_CHAIN_BROKEN' },
    })
  })
})
