import { readFileSync } from 'node:fs'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { iconPath, iconSize, renderIcon } from '../../../build/make-icon.mjs'

describe('application icon', () => {
  const png = readFileSync(iconPath)

  it('is a 512×512 RGBA PNG, the size electron-builder needs for macOS', () => {
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.toString('ascii', 12, 16)).toBe('IHDR')
    expect(png.readUInt32BE(16)).toBe(512)
    expect(png.readUInt32BE(20)).toBe(512)
    expect(png[24]).toBe(8)
    expect(png[25]).toBe(6)
    expect(iconSize).toBe(512)
  })

  it('is exactly what build/make-icon.mjs draws (regenerate with `node build/make-icon.mjs`)', () => {
    expect(renderIcon().equals(png)).toBe(true)
  })

  it('has transparent corners and a filled, opaque middle', () => {
    const idatAt = png.indexOf('IDAT') - 4
    const raw = inflateSync(png.subarray(idatAt + 8, idatAt + 8 + png.readUInt32BE(idatAt)))
    const alpha = (x: number, y: number) => raw[y * (1 + 512 * 4) + 1 + x * 4 + 3]
    expect(alpha(0, 0)).toBe(0)
    expect(alpha(511, 511)).toBe(0)
    expect(alpha(256, 256)).toBe(255)
    expect(alpha(60, 256)).toBe(255)
  })
})
