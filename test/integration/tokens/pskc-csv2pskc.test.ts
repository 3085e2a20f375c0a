/**
 * PSKC files written by csv2pskc (Debian pskc-utils): plain, under a pre-shared AES key, and
 * under a PBKDF2 passphrase; codes checked with oathtool against what the importer returns.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeTokenCrypto } from '../../../electron/main/adapters/tokens/node-token-crypto'
import { importPskc } from '../../../electron/main/adapters/tokens/pskc-importer'
import { TokenImportError } from '../../../electron/main/adapters/tokens/token-import-types'
import { verifyHotp } from '../../../electron/main/domain/tokens/hotp-verifier'

const dir = mkdtempSync(join(tmpdir(), 'keyhold-pskc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const keyHex = '12345678901234567890123456789012'
const secretHex = '3132333435363738393031323334353637383930'
const csv = [
  'serial,secret,algorithm,counter,time_interval,manufacturer',
  `HOTP-1,${secretHex},urn:ietf:params:xml:ns:keyprov:pskc:hotp,7,,Acme`,
  `TOTP-1,${secretHex},urn:ietf:params:xml:ns:keyprov:pskc:totp,,60,Acme`,
  `OCRA-1,${secretHex},urn:ietf:params:xml:ns:keyprov:pskc:ocra,,,Acme`,
].join('\n')

let n = 0
function csv2pskc(options: string[]): string {
  n += 1
  const input = join(dir, `in-${n}.csv`)
  const output = join(dir, `out-${n}.pskc`)
  writeFileSync(input, csv + '\n')
  execFileSync('csv2pskc', [
    '-c',
    'serial,secret,algorithm,counter,time_interval,manufacturer',
    '-e',
    'hex',
    ...options,
    '-o',
    output,
    input,
  ])
  return readFileSync(output, 'utf8')
}

async function importError(run: () => Promise<unknown>): Promise<TokenImportError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof TokenImportError) return error
    throw error
  }
  throw new Error('no error thrown')
}

function checkTokens(result: Awaited<ReturnType<typeof importPskc>>): void {
  expect(result.skipped).toEqual([
    { serial: 'OCRA-1', reason: 'algorithm urn:ietf:params:xml:ns:keyprov:pskc:ocra is not supported' },
  ])
  const [hotp, totp] = result.tokens
  expect(totp).toEqual({
    serial: 'TOTP-1',
    manufacturer: 'Acme',
    type: 'totp-token',
    hash: 'sha1',
    digits: 6,
    period: 60,
    secret: new Uint8Array(Buffer.from(secretHex, 'hex')),
  })
  if (hotp?.type !== 'hotp') throw new Error('expected the HOTP token first')
  expect(hotp.counter).toBe(7)
  // The imported secret and counter give oathtool's next code.
  const code = execFileSync('oathtool', ['--hotp', '-c', '7', secretHex], { encoding: 'utf8' }).trim()
  expect(verifyHotp(nodeTokenCrypto, { ...hotp, nextCounter: hotp.counter }, code)).toEqual({
    ok: true,
    nextCounter: 8,
  })
}

describe('PSKC from csv2pskc', () => {
  it('plain', async () => {
    checkTokens(await importPskc(csv2pskc([])))
  })

  it('AES-128-CBC under a pre-shared key, MAC checked', async () => {
    const file = csv2pskc(['-s', keyHex])
    checkTokens(await importPskc(file, { key: Buffer.from(keyHex, 'hex') }))
    expect((await importError(() => importPskc(file))).kind).toBe('wrong-key')
    const wrong = await importError(() => importPskc(file, { key: Buffer.alloc(16, 0x42) }))
    // A wrong key shows as bad padding or, if the padding happens to look right, as a bad MAC.
    expect(['wrong-key', 'bad-mac']).toContain(wrong.kind)
  })

  it('a changed ciphertext fails the MAC: nothing is imported', async () => {
    const file = csv2pskc(['-s', keyHex])
    const values = [...file.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)]
    const target = values[values.length - 1]![1]!
    const bytes = Buffer.from(target, 'base64')
    bytes[20]! ^= 1
    const tampered = file.replace(target, bytes.toString('base64'))
    expect(await importError(() => importPskc(tampered, { key: Buffer.from(keyHex, 'hex') }))).toMatchObject({
      kind: 'bad-mac',
    })
  })

  it('PBKDF2 passphrase', async () => {
    const file = csv2pskc(['-p', 'correct horse'])
    checkTokens(await importPskc(file, { passphrase: 'correct horse' }))
    expect(['wrong-key', 'bad-mac']).toContain(
      (await importError(() => importPskc(file, { passphrase: 'wrong' }))).kind,
    )
    // The iteration count is capped: a file cannot make the import run for minutes.
    const heavy = file.replace(/<IterationCount>\d+</, '<IterationCount>50000000<')
    expect((await importError(() => importPskc(heavy, { passphrase: 'correct horse' }))).message).toContain('iteration')
  })
})
