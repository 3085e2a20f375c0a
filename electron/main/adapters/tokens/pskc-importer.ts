/**
 * PSKC (RFC 6030) key containers: plain, AES-128-CBC under a pre-shared key, or a PBKDF2
 * passphrase key; the MAC is checked on every encrypted value; every key package is checked
 * before anything is returned (all or nothing). Also reads the PSKC that Yubico's
 * personalization tool writes (algorithm http://www.yubico.com/#yubikey-aes).
 *
 * S37: `<!DOCTYPE` and `<!ENTITY` are refused before the parser sees the text, so an entity
 * bomb or an external entity never gets expanded; the parser's entity processing is off too.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { isModhex } from '../../domain/tokens/modhex'
import { checkHmacSha1, decryptAes128Cbc, pbkdf2Key } from './pskc-crypto'
import {
  dropDuplicateSerials,
  TokenImportError,
  type ImportedToken,
  type SkippedToken,
  type TokenImportResult,
} from './token-import-types'

export interface PskcKeys {
  /** The pre-shared AES-128 key (16 bytes). */
  key?: Uint8Array
  passphrase?: string
}

const algorithms = {
  hotp: 'urn:ietf:params:xml:ns:keyprov:pskc:hotp',
  totp: 'urn:ietf:params:xml:ns:keyprov:pskc:totp',
  yubico: 'http://www.yubico.com/#yubikey-aes',
  aes128cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  hmacSha1: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  pbkdf2: 'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2',
}

type Node = Record<string, unknown>

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** One child element; a repeated one where a single is expected is a malformed file. */
function child(node: unknown, name: string): Node | undefined {
  if (!isNode(node)) return undefined
  const value = node[name]
  if (value === undefined) return undefined
  if (Array.isArray(value)) throw new TokenImportError('malformed', `<${name}> appears more than once`)
  // An element holding only text parses as a string; wrap it so text() reads it alike.
  return isNode(value) ? value : { '#text': value }
}

function text(node: unknown, name?: string): string | undefined {
  const target = name === undefined ? node : child(node, name)
  if (!isNode(target)) return undefined
  const value = target['#text']
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined
}

function attr(node: Node | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`]
  return typeof value === 'string' ? value.trim() : undefined
}

function base64(value: string | undefined, what: string): Uint8Array {
  const clean = (value ?? '').replace(/\s+/g, '')
  if (clean === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new TokenImportError('malformed', `${what} is not base64`)
  }
  return new Uint8Array(Buffer.from(clean, 'base64'))
}

function wholeNumber(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  if (!/^[0-9]{1,15}$/.test(value)) throw new TokenImportError('malformed', `${what} is not a whole number`)
  return Number(value)
}

/** S37: refused on sight, before any parser runs. */
function refuseMarkupDeclarations(xml: string): void {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new TokenImportError(
      'forbidden-markup',
      'the file declares a DOCTYPE or entities, which a PSKC file never needs; refused',
    )
  }
}

function parse(xml: string): Node {
  refuseMarkupDeclarations(xml)
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new TokenImportError('malformed', `not well-formed XML: ${valid.err.msg}`, valid.err.line)
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => name === 'KeyPackage',
  })
  let doc: unknown
  try {
    doc = parser.parse(xml)
  } catch (error) {
    // The validator lets a few broken declarations through that the parser then throws on.
    throw new TokenImportError('malformed', `not well-formed XML: ${(error as Error).message}`)
  }
  const container = child(doc, 'KeyContainer')
  if (!container) throw new TokenImportError('malformed', 'no PSKC <KeyContainer>')
  return container
}

interface Decryptor {
  key: Uint8Array
  macKey: Uint8Array
}

/** Reads the container's key: pre-shared or PBKDF2; asymmetric and signed files are refused. */
async function containerKey(container: Node, keys: PskcKeys): Promise<Decryptor | null> {
  if (child(container, 'Signature')) {
    throw new TokenImportError('unsupported-file', 'signed PSKC files are not supported')
  }
  const encryptionKey = child(container, 'EncryptionKey')
  if (!encryptionKey) return null
  if (child(encryptionKey, 'X509Data')) {
    throw new TokenImportError(
      'unsupported-file',
      'PSKC files encrypted to a certificate (asymmetric) are not supported',
    )
  }
  let key: Uint8Array
  const derived = child(encryptionKey, 'DerivedKey')
  if (derived) {
    const method = child(derived, 'KeyDerivationMethod')
    if (attr(method, 'Algorithm') !== algorithms.pbkdf2) {
      throw new TokenImportError('unsupported-file', 'only PBKDF2 key derivation is supported')
    }
    const params = child(method, 'PBKDF2-params')
    const prf = attr(child(params, 'PRF'), 'Algorithm')
    if (prf !== undefined && prf !== algorithms.hmacSha1) {
      throw new TokenImportError('unsupported-file', 'only PBKDF2 with HMAC-SHA1 is supported')
    }
    if (keys.passphrase === undefined) {
      throw new TokenImportError('wrong-key', 'this file is protected by a passphrase: give the passphrase')
    }
    key = await pbkdf2Key(
      keys.passphrase,
      base64(text(child(params, 'Salt'), 'Specified'), 'the PBKDF2 salt'),
      wholeNumber(text(params, 'IterationCount'), 'the PBKDF2 iteration count', -1),
      wholeNumber(text(params, 'KeyLength'), 'the PBKDF2 key length', 16),
    )
  } else {
    if (keys.key === undefined) {
      throw new TokenImportError('wrong-key', 'this file is encrypted with a pre-shared key: give the key')
    }
    if (keys.key.length !== 16) throw new TokenImportError('wrong-key', 'the key must be 32 hex characters')
    key = keys.key
  }
  const macMethod = child(container, 'MACMethod')
  if (!macMethod) throw new TokenImportError('bad-mac', 'the file is encrypted but carries no MAC method')
  if (attr(macMethod, 'Algorithm') !== algorithms.hmacSha1) {
    throw new TokenImportError('unsupported-file', 'only HMAC-SHA1 MACs are supported')
  }
  const macKey = decryptValue({ key, macKey: new Uint8Array() }, child(macMethod, 'MACKey'))
  return { key, macKey }
}

function decryptValue(decryptor: Decryptor, encrypted: Node | undefined): Uint8Array {
  const method = attr(child(encrypted, 'EncryptionMethod'), 'Algorithm')
  if (method !== algorithms.aes128cbc) {
    throw new TokenImportError('unsupported-file', 'only AES-128-CBC encryption is supported')
  }
  return decryptAes128Cbc(decryptor.key, base64(text(child(encrypted, 'CipherData'), 'CipherValue'), 'a cipher value'))
}

/** A Data field's value: PlainValue, or EncryptedValue checked against its ValueMAC. */
function fieldValue(
  field: Node | undefined,
  decryptor: Decryptor | null,
  what: string,
): Uint8Array | string | undefined {
  if (!field) return undefined
  const plain = text(field, 'PlainValue')
  if (plain !== undefined) return plain
  const encrypted = child(field, 'EncryptedValue')
  if (!encrypted) throw new TokenImportError('malformed', `${what} has no value`)
  if (!decryptor) throw new TokenImportError('malformed', `${what} is encrypted but the file names no key`)
  const cipher = base64(text(child(encrypted, 'CipherData'), 'CipherValue'), 'a cipher value')
  const mac = base64(text(field, 'ValueMAC'), `the MAC of ${what}`)
  if (!checkHmacSha1(decryptor.macKey, cipher, mac)) {
    throw new TokenImportError('bad-mac', `the MAC of ${what} does not match: wrong key, or the file was changed`)
  }
  return decryptValue(decryptor, encrypted)
}

function secretOf(data: Node | undefined, decryptor: Decryptor | null, serial: string): Uint8Array {
  const value = fieldValue(child(data, 'Secret'), decryptor, `the secret of ${serial}`)
  if (value === undefined) throw new TokenImportError('malformed', `token ${serial} has no secret`)
  return typeof value === 'string' ? base64(value, `the secret of ${serial}`) : value
}

function numberOf(data: Node | undefined, name: string, decryptor: Decryptor | null, fallback: number): number {
  const value = fieldValue(child(data, name), decryptor, name)
  if (value === undefined) return fallback
  // An encrypted integer is big-endian bytes (RFC 6030 §4.3.2 / §6).
  if (typeof value !== 'string') {
    if (value.length > 6) throw new TokenImportError('malformed', `${name} is too large`)
    return value.reduce((n, b) => n * 256 + b, 0)
  }
  return wholeNumber(value, name, fallback)
}

function keyPackage(pkg: Node, index: number, decryptor: Decryptor | null): ImportedToken | SkippedToken {
  const device = child(pkg, 'DeviceInfo')
  const key = child(pkg, 'Key')
  const serial = text(device, 'SerialNo') ?? attr(key, 'Id') ?? ''
  if (!/^[\x21-\x7e]{1,64}$/.test(serial)) {
    throw new TokenImportError('malformed', `key package ${index + 1} has no usable serial number`)
  }
  if (!key) throw new TokenImportError('malformed', `key package ${serial} has no <Key>`)
  const info = { serial, model: text(device, 'Model'), manufacturer: text(device, 'Manufacturer') }
  const described = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as typeof info
  const data = child(key, 'Data')
  // Every value is decrypted and its MAC checked even when the package is then skipped.
  const secret = secretOf(data, decryptor, serial)
  const algorithm = attr(key, 'Algorithm') ?? ''
  const params = child(key, 'AlgorithmParameters')
  const format = child(params, 'ResponseFormat')
  if (algorithm === algorithms.yubico) {
    const userId = text(key, 'UserId') ?? text(pkg, 'UserId') ?? ''
    const match = /CN=([a-z]+)\s*,\s*UID=([0-9a-fA-F]+)/i.exec(userId)
    const publicId = match?.[1]?.toLowerCase() ?? ''
    const privateHex = match?.[2] ?? ''
    if (publicId.length !== 12 || !isModhex(publicId) || privateHex.length !== 12 || secret.length !== 16) {
      throw new TokenImportError(
        'malformed',
        `Yubico token ${serial} needs UserId "CN=<12 modhex>, UID=<12 hex>" and a 16-byte AES key`,
      )
    }
    return {
      ...described,
      type: 'yubico-otp',
      publicId,
      privateId: new Uint8Array(Buffer.from(privateHex, 'hex')),
      aesKey: secret,
    }
  }
  if (algorithm !== algorithms.hotp && algorithm !== algorithms.totp) {
    return { serial, reason: `algorithm ${algorithm || '(none)'} is not supported` }
  }
  const suite = text(params, 'Suite')?.toUpperCase() ?? ''
  const hash = suite.includes('SHA256') ? 'sha256' : suite === '' || suite.includes('SHA1') ? 'sha1' : null
  if (hash === null) return { serial, reason: `hash ${suite} is not supported (SHA1 or SHA256)` }
  const encoding = attr(format, 'Encoding')
  if (encoding !== undefined && encoding.toUpperCase() !== 'DECIMAL') {
    return { serial, reason: `response encoding ${encoding} is not supported (DECIMAL)` }
  }
  const digits = wholeNumber(attr(format, 'Length'), 'the response length', 6)
  if (digits !== 6 && digits !== 8) return { serial, reason: `${digits} digits are not supported (6 or 8)` }
  if (algorithm === algorithms.hotp) {
    const counter = numberOf(data, 'Counter', decryptor, 0)
    return { ...described, type: 'hotp', hash, digits, counter, secret }
  }
  const period = numberOf(data, 'TimeInterval', decryptor, 30)
  if (period !== 30 && period !== 60) return { serial, reason: `a ${period}-second step is not supported (30 or 60)` }
  return { ...described, type: 'totp-token', hash, digits, period, secret }
}

export async function importPskc(xml: string, keys: PskcKeys = {}): Promise<TokenImportResult> {
  const container = parse(xml)
  const decryptor = await containerKey(container, keys)
  const packages = container['KeyPackage']
  if (!Array.isArray(packages) || packages.length === 0) {
    throw new TokenImportError('malformed', 'the file has no key packages')
  }
  const tokens: ImportedToken[] = []
  const skipped: SkippedToken[] = []
  packages.forEach((pkg: unknown, index) => {
    if (!isNode(pkg)) throw new TokenImportError('malformed', `key package ${index + 1} is empty`)
    const result = keyPackage(pkg, index, decryptor)
    if ('reason' in result) skipped.push(result)
    else tokens.push(result)
  })
  return { format: 'pskc', ...dropDuplicateSerials(tokens, skipped) }
}
