/**
 * Draws Keyhold's application icon, build/icon.png: a 512×512 RGBA PNG (a
 * keyhole on a rounded blue square), written with nothing but node:zlib so it
 * can be regenerated anywhere. electron-builder turns this one PNG into the
 * .icns (macOS), .ico (Windows) and the Linux icon set; 512 px is the smallest
 * size it accepts for macOS.
 *
 * The output is deterministic: `node build/make-icon.mjs` rewrites the committed
 * file byte for byte (a unit test checks that), so a changed icon is a reviewed change.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { deflateSync } from 'node:zlib'

export const iconSize = 512
const samplesPerAxis = 4
const background = [0x1f, 0x4e, 0x79]
const foreground = [0xff, 0xff, 0xff]

function insideRoundedSquare(x, y) {
  const inset = 16
  const radius = 96
  const min = inset
  const max = iconSize - inset
  if (x < min || x > max || y < min || y > max) return false
  const cx = Math.min(Math.max(x, min + radius), max - radius)
  const cy = Math.min(Math.max(y, min + radius), max - radius)
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2
}

function insideKeyhole(x, y) {
  const centre = 256
  if ((x - centre) ** 2 + (y - 212) ** 2 <= 68 ** 2) return true
  // The slot widens from 56 px under the circle to 116 px at its foot.
  const top = 250
  const bottom = 392
  if (y < top || y > bottom) return false
  const half = 28 + ((y - top) / (bottom - top)) * 30
  return Math.abs(x - centre) <= half
}

/** Coverage-weighted colour of one pixel (4×4 samples), as RGBA. */
function pixel(px, py) {
  let square = 0
  let hole = 0
  for (let sy = 0; sy < samplesPerAxis; sy += 1) {
    for (let sx = 0; sx < samplesPerAxis; sx += 1) {
      const x = px + (sx + 0.5) / samplesPerAxis
      const y = py + (sy + 0.5) / samplesPerAxis
      if (!insideRoundedSquare(x, y)) continue
      square += 1
      if (insideKeyhole(x, y)) hole += 1
    }
  }
  if (square === 0) return [0, 0, 0, 0]
  const mix = hole / square
  const rgb = background.map((c, i) => Math.round(c + (foreground[i] - c) * mix))
  return [...rgb, Math.round((255 * square) / samplesPerAxis ** 2)]
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** The icon as PNG bytes. */
export function renderIcon() {
  const rowBytes = 1 + iconSize * 4
  const raw = Buffer.alloc(rowBytes * iconSize)
  for (let y = 0; y < iconSize; y += 1) {
    raw[y * rowBytes] = 0 // filter: none
    for (let x = 0; x < iconSize; x += 1) {
      Buffer.from(pixel(x, y)).copy(raw, y * rowBytes + 1 + x * 4)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(iconSize, 0)
  header.writeUInt32BE(iconSize, 4)
  header[8] = 8 // bits per channel
  header[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

export const iconPath = join(dirname(fileURLToPath(import.meta.url)), 'icon.png')

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (invokedDirectly) {
  writeFileSync(iconPath, renderIcon())
  console.log(`wrote ${iconPath}`)
}
