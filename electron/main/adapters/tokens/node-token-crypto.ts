/** The hardware-token crypto port on node:crypto (synchronous by design, see the port). */
import { createDecipheriv, createHmac } from 'node:crypto'
import type { TokenCrypto } from '../../domain/tokens/token-crypto'

export const nodeTokenCrypto: TokenCrypto = {
  hmac(hash, key, message) {
    return new Uint8Array(createHmac(hash, key).update(message).digest())
  },
  aes128EcbDecryptBlock(key, block) {
    if (key.length !== 16 || block.length !== 16) throw new RangeError('AES-128 block and key are 16 bytes')
    const decipher = createDecipheriv('aes-128-ecb', key, null)
    decipher.setAutoPadding(false)
    return new Uint8Array(Buffer.concat([decipher.update(block), decipher.final()]))
  },
}
