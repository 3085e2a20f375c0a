import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  captureWindowState,
  createWindowStateStore,
  defaultWindowState,
  fitToDisplays,
  parseWindowState,
  windowStateFileName,
} from '../../../electron/main/app/window-state'

const laptop = { x: 0, y: 0, width: 1440, height: 870 }
const monitorOnTheRight = { x: 1440, y: 0, width: 2560, height: 1400 }

describe('window state validation', () => {
  it('accepts a stored state and fills in maximized', () => {
    expect(parseWindowState({ x: 10, y: 20, width: 900, height: 700 })).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 700,
      maximized: false,
    })
    expect(parseWindowState({ width: 900, height: 700, maximized: true })).toEqual({
      width: 900,
      height: 700,
      maximized: true,
    })
  })

  it.each([
    ['not an object', 'big'],
    ['null', null],
    ['a fraction', { width: 900.5, height: 700 }],
    ['too small', { width: 200, height: 700 }],
    ['absurdly large', { width: 9_000_000, height: 700 }],
    ['not finite', { width: Number.POSITIVE_INFINITY, height: 700 }],
    ['a string size', { width: '900', height: 700 }],
    ['half a position', { x: 10, width: 900, height: 700 }],
    ['a non-boolean maximized', { width: 900, height: 700, maximized: 'yes' }],
  ])('refuses %s', (_name, raw) => {
    expect(parseWindowState(raw)).toBeNull()
  })
})

describe('fitting to the displays', () => {
  it('keeps a position that is still on a display, including a second one', () => {
    const state = { x: 1600, y: 100, width: 1000, height: 800, maximized: false }
    expect(fitToDisplays(state, [laptop, monitorOnTheRight])).toEqual(state)
  })

  it('drops the position when its display is gone, so the OS places the window', () => {
    // The window was on the monitor to the right, which is no longer plugged in.
    const state = { x: 1600, y: 100, width: 1000, height: 800, maximized: false }
    expect(fitToDisplays(state, [laptop])).toEqual({ width: 1000, height: 800, maximized: false })
  })

  it('drops a position whose title bar is above the screen or only a sliver is visible', () => {
    expect(fitToDisplays({ x: 100, y: -500, width: 800, height: 600, maximized: false }, [laptop])).not.toHaveProperty(
      'x',
    )
    // Only 30 px of the window's width left on the laptop: not enough to grab it.
    expect(fitToDisplays({ x: 1410, y: 100, width: 800, height: 600, maximized: false }, [laptop])).not.toHaveProperty(
      'x',
    )
    // 200 px is enough.
    expect(fitToDisplays({ x: 1240, y: 100, width: 800, height: 600, maximized: false }, [laptop])).toMatchObject({
      x: 1240,
      y: 100,
    })
  })

  it('shrinks a window larger than every display, never below the minimum size', () => {
    const state = { x: 0, y: 0, width: 3000, height: 2000, maximized: true }
    expect(fitToDisplays(state, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 870, maximized: true })
    const tiny = { x: 0, y: 0, width: 500, height: 400 }
    expect(fitToDisplays({ width: 1024, height: 720, maximized: false }, [tiny])).toEqual({
      width: 640,
      height: 520,
      maximized: false,
    })
  })

  it('leaves the state alone when Electron reports no display', () => {
    const state = { x: 5, y: 5, width: 900, height: 700, maximized: false }
    expect(fitToDisplays(state, [])).toEqual(state)
  })

  it('captures the normal bounds of a maximized window, rounded', () => {
    const window = {
      getNormalBounds: () => ({ x: 10.2, y: 20.7, width: 1000.5, height: 700 }),
      isMaximized: () => true,
    }
    expect(captureWindowState(window)).toEqual({ x: 10, y: 21, width: 1001, height: 700, maximized: true })
  })
})

describe('window state file', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyhold-window-state-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('saves and loads the state in the data folder', () => {
    const store = createWindowStateStore(dir)
    expect(store.load()).toBeNull()
    const state = { x: 30, y: 40, width: 1100, height: 760, maximized: true }
    store.save(state)
    expect(JSON.parse(readFileSync(join(dir, windowStateFileName), 'utf8'))).toEqual(state)
    expect(createWindowStateStore(dir).load()).toEqual(state)
    expect(existsSync(join(dir, `${windowStateFileName}.partial`))).toBe(false)
  })

  it('creates the data folder when it does not exist yet', () => {
    const nested = join(dir, 'new', 'Keyhold')
    createWindowStateStore(nested).save(defaultWindowState)
    expect(createWindowStateStore(nested).load()).toEqual(defaultWindowState)
  })

  it.each([
    ['broken JSON', '{"width": 1000,'],
    ['a valid JSON that is not a state', '{"width": -5, "height": 10}'],
    ['an empty file', ''],
  ])('treats %s as no state', (_name, text) => {
    writeFileSync(join(dir, windowStateFileName), text)
    expect(createWindowStateStore(dir).load()).toBeNull()
  })

  it('does not write an invalid state', () => {
    const store = createWindowStateStore(dir)
    store.save({ width: 10, height: 10, maximized: false })
    expect(existsSync(join(dir, windowStateFileName))).toBe(false)
  })

  it('reports a failed write instead of throwing (the window is closing)', () => {
    // A file where the data folder should be: nothing can be written under it.
    const notAFolder = join(dir, 'file')
    writeFileSync(notAFolder, 'x')
    const errors: string[] = []
    createWindowStateStore(notAFolder, (message) => errors.push(message)).save(defaultWindowState)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/could not save the window position/)
  })
})
