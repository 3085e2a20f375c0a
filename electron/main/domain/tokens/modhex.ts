/** Yubico's modhex: hex written with keys that sit at the same place on every keyboard layout. */
const alphabet = 'cbdefghijklnrtuv'

export function isModhex(text: string): boolean {
  return text.length % 2 === 0 && /^[cbdefghijklnrtuv]*$/.test(text)
}

export function modhexToBytes(text: string): Uint8Array {
  if (!isModhex(text)) throw new RangeError('not modhex')
  const bytes = new Uint8Array(text.length / 2)
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = (alphabet.indexOf(text[2 * i]!) << 4) | alphabet.indexOf(text[2 * i + 1]!)
  }
  return bytes
}

export function bytesToModhex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += alphabet[byte >> 4]! + alphabet[byte & 0x0f]!
  return out
}
