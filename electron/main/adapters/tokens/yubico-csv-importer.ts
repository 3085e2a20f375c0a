/** Yubico OTP CSV `serial,public_id,private_id,aes_key`: modhex public id, 12 hex private id, 32 hex AES key. */
import { isModhex } from '../../domain/tokens/modhex'
import { yubicoPublicIdLength } from '../../domain/tokens/yubico-otp-verifier'
import { checkSerial, csvRows, hexBytes } from './csv-rows'
import {
  dropDuplicateSerials,
  TokenImportError,
  type ImportedToken,
  type TokenImportResult,
} from './token-import-types'

export function importYubicoCsv(text: string): TokenImportResult {
  const tokens: ImportedToken[] = []
  for (const { line, fields } of csvRows(text, 4, 'Yubico CSV (serial,public_id,private_id,aes_key)')) {
    const [serialText, publicIdText, privateIdHex, keyHex] = fields as [string, string, string, string]
    const serial = checkSerial(serialText, line)
    const publicId = publicIdText.toLowerCase()
    if (publicId.length !== yubicoPublicIdLength || !isModhex(publicId)) {
      throw new TokenImportError('malformed', 'the public id must be 12 modhex characters', line)
    }
    const privateId = hexBytes(privateIdHex, 'the private id', line, 6)
    const aesKey = hexBytes(keyHex, 'the AES key', line, 16)
    tokens.push({ serial, type: 'yubico-otp', publicId, privateId, aesKey })
  }
  return { format: 'yubico-csv', ...dropDuplicateSerials(tokens, []) }
}
