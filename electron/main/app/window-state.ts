import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { ensurePrivateDir, writePrivateFile } from '../adapters/system/private-files'

/**
 * The main window opens where the user left it: size, position and maximized state, kept as a small
 * JSON file in the data folder. The file is the user's to edit or break, so it is validated like any
 * input, and a position that no longer lies on a screen (a monitor was unplugged, the resolution
 * changed) is dropped so the window is never lost off-screen.
 */
export const windowStateFileName = 'window-state.json'

export interface WindowState {
  /** Left and top of the window's normal (not maximized) bounds; absent to let the OS place it. */
  readonly x?: number
  readonly y?: number
  readonly width: number
  readonly height: number
  readonly maximized: boolean
}

export interface Rectangle {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export const defaultWindowState: WindowState = { width: 1024, height: 720, maximized: false }
export const minimumWindowSize = { width: 640, height: 520 } as const
/** Far beyond any screen; a larger number is a corrupt file, not a window. */
const largest = 100_000

const coordinate = z.number().int().min(-largest).max(largest)
const storedState = z
  .object({
    x: coordinate.optional(),
    y: coordinate.optional(),
    width: z.number().int().min(minimumWindowSize.width).max(largest),
    height: z.number().int().min(minimumWindowSize.height).max(largest),
    maximized: z.boolean().default(false),
  })
  // A position needs both coordinates.
  .refine((s) => (s.x === undefined) === (s.y === undefined))

/** The stored state, or null when it is missing, unreadable or not a window state. */
export function parseWindowState(raw: unknown): WindowState | null {
  const parsed = storedState.safeParse(raw)
  return parsed.success ? parsed.data : null
}

/**
 * How much of the title bar strip must be on one display's work area for the window to be reachable:
 * enough to grab it with the mouse.
 */
const grabbable = { width: 100, height: 40 }

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/**
 * The state to open with on the current displays (Electron's `screen.getAllDisplays()` work areas):
 * the stored position only if the window's top strip can still be grabbed on some display, and a size
 * no larger than the largest work area.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rectangle[]): WindowState {
  if (workAreas.length === 0) return state
  const widest = Math.max(...workAreas.map((a) => a.width))
  const tallest = Math.max(...workAreas.map((a) => a.height))
  const width = Math.max(minimumWindowSize.width, Math.min(state.width, widest))
  const height = Math.max(minimumWindowSize.height, Math.min(state.height, tallest))
  const sized = { width, height, maximized: state.maximized }
  if (state.x === undefined || state.y === undefined) return sized
  const titleStrip = { x: state.x, y: state.y, width, height: grabbable.height }
  const reachable = workAreas.some((area) => {
    const visible = overlap(titleStrip, area)
    return visible.width >= Math.min(grabbable.width, width) && visible.height >= grabbable.height
  })
  return reachable ? { ...sized, x: state.x, y: state.y } : sized
}

/** The part of a BrowserWindow this module reads. */
export interface WindowGeometry {
  getNormalBounds(): Rectangle
  isMaximized(): boolean
}

/** The state to store for a window: its normal bounds, so a maximized window restores to its old size. */
export function captureWindowState(window: WindowGeometry): WindowState {
  const bounds = window.getNormalBounds()
  return {
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    maximized: window.isMaximized(),
  }
}

export interface WindowStateStore {
  /** The stored state, or null when there is none or it is not valid. */
  load(): WindowState | null
  /** Writes the state; a failure is reported, never thrown (the window is closing). */
  save(state: WindowState): void
}

export function createWindowStateStore(
  dataDir: string,
  onError: (message: string) => void = () => {},
): WindowStateStore {
  const file = join(dataDir, windowStateFileName)
  return {
    load: () => {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        return null
      }
      try {
        return parseWindowState(JSON.parse(text))
      } catch {
        return null
      }
    },
    save: (state) => {
      const valid = parseWindowState(state)
      if (valid === null) return
      try {
        ensurePrivateDir(dirname(file))
        // Written beside it, then renamed: a crash mid-write leaves the old file, never half a file (S31: 0600, no link followed).
        writePrivateFile(file, `${JSON.stringify(valid)}\n`)
      } catch (error) {
        onError(`could not save the window position: ${error instanceof Error ? error.message : String(error)}`)
      }
    },
  }
}
