import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, codeFor, refusal } from '../support/mfa-helpers'
import { policyDoc } from '../support/router-fixture'

/**
 * S36: overlapping setups never destroy a usable set of recovery codes. At
 * every moment an account with MFA has exactly one valid set, and the set the
 * user last saved (confirmed with "Enable") is the one that works. And
 * (issue 13, found in review) "Enable" decides on the setup and the policy as
 * they are when it commits, not as they were when the request was read.
 */
describe('overlapping setups and recovery codes', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  })
  afterEach(() => f.close())
  const alice = () => account(f, 'alice')

  /** Begins and verifies an authenticator setup ("Next Step"), as one window would. */
  async function verifiedSetup(label: string, algorithm?: 'sha1' | 'sha256') {
    const view = await f.services.enrollment.begin(alice(), { type: 'totp', label, algorithm }, actor)
    const verified = await f.services.enrollment.verify(alice(), view.enrollmentId, codeFor(view, f.clock.now()), actor)
    return { id: view.enrollmentId, codes: verified.recoveryCodes }
  }

  const enable = (id: string) => f.services.enrollment.enable(alice(), id, true, actor)

  /** The valid sets: distinct batches of active codes. */
  const validSets = () =>
    (
      f.db
        .prepare('SELECT count(DISTINCT batch) AS n FROM recovery_codes WHERE account_id = ? AND active = 1')
        .get(alice().id) as { n: number }
    ).n

  /** Signs in with a recovery code, as the challenge does: true when it was accepted (and is now used). */
  const works = async (code: string) => {
    // The hash check outside the transaction (S33), the use inside it, as the challenge does.
    const match = await f.services.recovery.find(alice().id, code)
    return match !== null && f.deps.uow.tx(() => f.services.recovery.consume(alice().id, match, f.clock.now()))
  }

  it('S36: two setups verified side by side, enabled one after the other: the set enabled last works', async () => {
    const phone = await verifiedSetup('Phone')
    const tablet = await verifiedSetup('Tablet')
    // Two different sets were shown, one per setup.
    expect(phone.codes).toHaveLength(10)
    expect(tablet.codes).toHaveLength(10)
    expect(phone.codes!.some((c) => tablet.codes!.includes(c))).toBe(false)

    await enable(phone.id)
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(10)
    expect(validSets()).toBe(1)

    await enable(tablet.id)
    expect(f.deps.methods.countActive(alice().id)).toBe(2)
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(10)
    expect(validSets()).toBe(1)
    // Nothing pending is left behind once both setups are done.
    expect(f.db.prepare('SELECT count(*) AS n FROM recovery_codes WHERE active = 0').get()).toEqual({ n: 0 })

    expect(await works(phone.codes![0]!)).toBe(false)
    expect(await works(tablet.codes![0]!)).toBe(true)
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(9)
  })

  it('S36: the same in the other order: the first setup, enabled last, has the set that works', async () => {
    const phone = await verifiedSetup('Phone')
    const tablet = await verifiedSetup('Tablet')
    await enable(tablet.id)
    await enable(phone.id)
    expect(validSets()).toBe(1)
    expect(await works(tablet.codes![0]!)).toBe(false)
    expect(await works(phone.codes![0]!)).toBe(true)
  })

  it('S36: a set regenerated while another setup waits, then that setup enabled: the setup’s set works', async () => {
    const phone = await verifiedSetup('Phone')
    const tablet = await verifiedSetup('Tablet')
    await enable(phone.id)
    const regenerated = await f.services.methods.regenerateRecoveryCodes(alice(), actor)
    expect(validSets()).toBe(1)
    expect(await works(regenerated[0]!)).toBe(true)
    // "Enable" on the tablet confirms its codes were saved, after the regenerated ones were shown.
    await enable(tablet.id)
    expect(validSets()).toBe(1)
    expect(await works(regenerated[1]!)).toBe(false)
    expect(await works(tablet.codes![0]!)).toBe(true)
  })

  it('S36: a cancelled or expired overlapping setup takes only its own pending set', async () => {
    const phone = await verifiedSetup('Phone')
    const tablet = await verifiedSetup('Tablet')
    const laptop = await verifiedSetup('Laptop')
    f.services.enrollment.cancel(alice(), tablet.id, actor)
    await enable(phone.id)
    expect(await works(phone.codes![0]!)).toBe(true)
    f.clock.advance(11 * 60_000)
    expect(f.services.enrollment.purgeExpired()).toBe(1)
    expect((await refusal(enable(laptop.id))).code).toBe('NOT_FOUND')
    expect(validSets()).toBe(1)
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(9)
  })

  it('S36: a setup whose codes were taken by removing the last method cannot turn MFA on without a set', async () => {
    const phone = await verifiedSetup('Phone')
    await enable(phone.id)
    f.clock.advance(30_000)
    // Verified while the phone's set was valid, so this setup shows no codes of its own.
    const tablet = await verifiedSetup('Tablet')
    expect(tablet.codes).toBeNull()
    const [phoneMethod] = f.deps.methods.listActive(alice().id)
    await f.services.methods.remove(alice(), phoneMethod!.id, undefined, actor)
    expect(validSets()).toBe(0)

    const refused = await refusal(enable(tablet.id))
    expect(refused.code).toBe('RECOVERY_CODES_CHANGED')
    expect(refused.message).toMatch(/start again/i)
    expect(f.deps.methods.countActive(alice().id)).toBe(0)
    expect(f.deps.mfa.hasActiveMethod(alice().id)).toBe(false)
    // The setup ended; a new one shows (and on Enable makes valid) a new set.
    expect((await refusal(enable(tablet.id))).code).toBe('NOT_FOUND')
    f.clock.advance(30_000)
    const again = await verifiedSetup('Tablet')
    expect(again.codes).toHaveLength(10)
    await enable(again.id)
    expect(validSets()).toBe(1)
    expect(await works(again.codes![0]!)).toBe(true)
  })

  it('S36: a setup whose own set was taken with the last method ends, even once another set is valid', async () => {
    const phone = await verifiedSetup('Phone')
    const tablet = await verifiedSetup('Tablet')
    const method = await enable(tablet.id)
    await f.services.methods.remove(alice(), method.id, undefined, actor)
    f.clock.advance(30_000)
    const laptop = await verifiedSetup('Laptop')
    await enable(laptop.id)
    // The phone's setup showed codes that no longer exist: enabling it would leave the user trusting them.
    expect((await refusal(enable(phone.id))).code).toBe('RECOVERY_CODES_CHANGED')
    expect(f.deps.methods.countActive(alice().id)).toBe(1)
    expect(validSets()).toBe(1)
    expect(await works(phone.codes![0]!)).toBe(false)
    expect(await works(laptop.codes![0]!)).toBe(true)
  })

  it('Enable re-checks the policy: a method type no longer allowed is refused and nothing changes', async () => {
    const phone = await verifiedSetup('Phone')
    f.services.policy.set(policyDoc({ allowedMethods: ['email'] }), actor)
    const refused = await refusal(enable(phone.id))
    expect(refused.code).toBe('FORBIDDEN')
    expect(refused.message).toMatch(/authenticator apps/)
    expect(f.deps.methods.countActive(alice().id)).toBe(0)
    expect(validSets()).toBe(0)
    // Allowed again, the same setup can still be enabled with the codes it showed.
    f.services.policy.set(policyDoc({}), actor)
    await enable(phone.id)
    expect(await works(phone.codes![0]!)).toBe(true)
  })

  it('Enable re-checks the policy for the role: an override for administrators applies', async () => {
    const phone = await verifiedSetup('Phone')
    f.services.policy.set(policyDoc({}, { admin: { allowedMethods: ['email'] } }), actor)
    expect((await refusal(enable(phone.id))).code).toBe('FORBIDDEN')
    expect(f.deps.methods.countActive(alice().id)).toBe(0)
  })

  it('Enable re-checks the policy: an authenticator algorithm no longer allowed is refused', async () => {
    const phone = await verifiedSetup('Phone', 'sha256')
    f.services.policy.set(policyDoc({ totpAlgorithms: ['sha1'] }), actor)
    const refused = await refusal(enable(phone.id))
    expect(refused.code).toBe('FORBIDDEN')
    expect(refused.message).toMatch(/SHA256/)
    expect(f.deps.methods.countActive(alice().id)).toBe(0)
  })
})
