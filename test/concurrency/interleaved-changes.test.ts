import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../electron/main/domain/app-error'
import type { AccountRecord } from '../../electron/main/services/ports'
import { manualClock, openHarness, type Harness, type HarnessKeys } from '../crash/support/keyhold-harness'
import { codeFor } from '../unit/support/mfa-helpers'
import { policyDoc } from '../unit/support/router-fixture'

/**
 * Two Keyhold processes on one database file — a window and the operator CLI,
 * each with its own connection — changing the same account's MFA at the same
 * moment. Each case runs the CLI's change at the worst point of the window's:
 * after the window has read what it needs and before its transaction begins
 * (the hook below), which is where two real processes can meet. Whatever the
 * window decided before its transaction must be decided again inside it.
 */
const password = 'violet-harbour-kettle-42'
const shortPassword = 'Tulip-93x!'
const start = Date.UTC(2026, 10, 28, 9, 0, 0)

let dir: string
let window: Harness
let cli: Harness
const keys: HarnessKeys = { masterKey: new Uint8Array(randomBytes(32)), auditKey: new Uint8Array(randomBytes(32)) }
const clock = manualClock(start)

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-interleave-'))
  const file = join(dir, 'keyhold.db')
  window = openHarness({ file, keys, clock })
  cli = openHarness({ file, keys, clock })
  await window.services.accounts.createFirstAdmin({ username: 'root', password }, 'cli:test')
  await window.services.accounts.createAccount({ username: 'bob', role: 'user', password }, 'cli:test')
})

afterEach(() => {
  window.close()
  cli.close()
  rmSync(dir, { recursive: true, force: true })
})

const bob = (h: Harness): AccountRecord => h.deps.accounts.findByUsername('bob')!

/** Runs `other` once, just before the next transaction `h` begins. */
function justBeforeNextTransaction(h: Harness, other: () => void): void {
  const uow = h.deps.uow
  const tx = uow.tx.bind(uow)
  let armed = true
  uow.tx = (fn) => {
    if (armed) {
      armed = false
      other()
    }
    return tx(fn)
  }
}

async function refusalCode(action: Promise<unknown>): Promise<string> {
  try {
    await action
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return 'ok'
}

/** A verified authenticator setup for bob through `h`: its id and the recovery codes it showed (or null). */
async function verifiedSetup(h: Harness, label: string) {
  const view = await h.services.enrollment.begin(bob(h), { type: 'totp', label }, `${label}:bob`)
  const verified = await h.services.enrollment.verify(bob(h), view.enrollmentId, codeFor(view, clock.now()), 'x')
  return { id: view.enrollmentId, codes: verified.recoveryCodes }
}

const methodCount = () => window.deps.methods.countActive(bob(window).id)
const validSets = () =>
  (
    window.db
      .prepare('SELECT count(DISTINCT batch) AS n FROM recovery_codes WHERE account_id = ? AND active = 1')
      .get(bob(window).id) as { n: number }
  ).n
/** As the challenge does: the hash check outside the transaction (S33), the use inside it. */
const works = async (h: Harness, code: string) => {
  const match = await h.services.recovery.find(bob(h).id, code)
  return match !== null && h.deps.uow.tx(() => h.services.recovery.consume(bob(h).id, match, clock.now()))
}

describe('removing methods from a window and the CLI at once', () => {
  /** Bob with two authenticator apps and a password that is only long enough while he has MFA. */
  async function twoMethodsShortPassword() {
    const first = await verifiedSetup(window, 'Phone')
    await window.services.enrollment.enable(bob(window), first.id, true, 'window:bob')
    const second = await verifiedSetup(window, 'Tablet')
    await window.services.enrollment.enable(bob(window), second.id, true, 'window:bob')
    await window.services.accounts.changeOwnPassword(bob(window), shortPassword, 'window:bob', 'no-session')
    expect(bob(window).passwordShort).toBe(true)
    const [phone, tablet] = window.deps.methods.listActive(bob(window).id).sort((a, b) => a.id - b.id)
    return { phone: phone!, tablet: tablet! }
  }

  it('S1: the second removal to commit is the last one, and asks for a long password; MFA stays on', async () => {
    const { phone, tablet } = await twoMethodsShortPassword()
    let cliRemoval: Promise<unknown> = Promise.resolve()
    justBeforeNextTransaction(window, () => {
      cliRemoval = cli.services.methods.remove(bob(cli), tablet.id, undefined, 'cli:root')
      // The CLI's removal committed before the window's transaction begins.
      expect(cli.deps.methods.countActive(bob(cli).id)).toBe(1)
    })
    const windowRemoval = await refusalCode(
      window.services.methods.remove(bob(window), phone.id, undefined, 'window:bob'),
    )
    expect(await refusalCode(cliRemoval)).toBe('ok')
    expect(windowRemoval).toBe('WEAK_PASSWORD')
    // Never MFA off with a password that is too short without it.
    expect(methodCount()).toBe(1)
    expect(window.deps.mfa.hasActiveMethod(bob(window).id)).toBe(true)
    expect(validSets()).toBe(1)

    // Asked again, with a long password, it goes through in one step.
    expect(await window.services.methods.remove(bob(window), phone.id, password, 'window:bob')).toEqual({
      mfaEnabled: false,
    })
    expect(bob(window).passwordShort).toBe(false)
    expect(validSets()).toBe(0)
  })

  it('S1: a policy that forbids removing the last method holds against two removals at once', async () => {
    const { phone, tablet } = await twoMethodsShortPassword()
    window.services.policy.set(policyDoc({ allowRemovingLastMethod: false }), 'cli:root')
    let cliRemoval: Promise<unknown> = Promise.resolve()
    justBeforeNextTransaction(window, () => {
      cliRemoval = cli.services.methods.remove(bob(cli), tablet.id, undefined, 'cli:root')
    })
    const windowRemoval = await refusalCode(
      window.services.methods.remove(bob(window), phone.id, password, 'window:bob'),
    )
    expect(await refusalCode(cliRemoval)).toBe('ok')
    expect(windowRemoval).toBe('FORBIDDEN')
    expect(methodCount()).toBe(1)
    expect(bob(window).passwordShort).toBe(true)
  })
})

describe('S36: overlapping setups in a window and the CLI', () => {
  it('both verified (two sets shown), both enabled: one valid set, the one enabled last', async () => {
    const inWindow = await verifiedSetup(window, 'Phone')
    const inCli = await verifiedSetup(cli, 'Tablet')
    expect(inWindow.codes).toHaveLength(10)
    expect(inCli.codes).toHaveLength(10)
    await window.services.enrollment.enable(bob(window), inWindow.id, true, 'window:bob')
    await cli.services.enrollment.enable(bob(cli), inCli.id, true, 'cli:root')
    expect(methodCount()).toBe(2)
    expect(validSets()).toBe(1)
    expect(window.services.recovery.remaining(bob(window).id).remaining).toBe(10)
    expect(await works(window, inWindow.codes![0]!)).toBe(false)
    expect(await works(window, inCli.codes![0]!)).toBe(true)
  })

  it('enabled at the same moment: the set whose Enable commits last is the one that works', async () => {
    const inWindow = await verifiedSetup(window, 'Phone')
    const inCli = await verifiedSetup(cli, 'Tablet')
    let cliEnable: Promise<unknown> = Promise.resolve()
    justBeforeNextTransaction(window, () => {
      cliEnable = cli.services.enrollment.enable(bob(cli), inCli.id, true, 'cli:root')
    })
    await window.services.enrollment.enable(bob(window), inWindow.id, true, 'window:bob')
    expect(await refusalCode(cliEnable)).toBe('ok')
    expect(methodCount()).toBe(2)
    expect(validSets()).toBe(1)
    expect(await works(cli, inCli.codes![0]!)).toBe(false)
    expect(await works(cli, inWindow.codes![0]!)).toBe(true)
  })
})

describe('Enable decides on the policy as it is when it commits', () => {
  it('refuses a type the administrator disallowed between the request and its transaction', async () => {
    const inWindow = await verifiedSetup(window, 'Phone')
    justBeforeNextTransaction(window, () => {
      cli.services.policy.set(policyDoc({ allowedMethods: ['email'] }), 'cli:root')
    })
    expect(await refusalCode(window.services.enrollment.enable(bob(window), inWindow.id, true, 'window:bob'))).toBe(
      'FORBIDDEN',
    )
    expect(methodCount()).toBe(0)
    expect(validSets()).toBe(0)
  })
})
