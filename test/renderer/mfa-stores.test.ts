import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { useAccountStore } from '../../renderer/src/stores/account-store'
import { useContactChangeStore } from '../../renderer/src/stores/contact-change-store'
import { useEnrollmentStore } from '../../renderer/src/stores/enrollment-store'
import { useMfaMethodsStore } from '../../renderer/src/stores/mfa-methods-store'
import { useSessionStore } from '../../renderer/src/stores/session-store'
import { useSignInChallengeStore } from '../../renderer/src/stores/sign-in-challenge-store'
import {
  adminAccount,
  challengeFor,
  emailMethod,
  fail,
  ok,
  overview,
  recoveryCodes,
  sessionFor,
  smsMethod,
  totpMethod,
  type FakeBridge,
} from './support/fake-bridge'
import { withFakeBridge } from './support/renderer-test'

/** The feature stores of issue 4, one per feature, against a stubbed bridge. */
let bridge: FakeBridge

withFakeBridge((fake) => {
  setActivePinia(createPinia())
  bridge = fake
})

describe('sign-in challenge store', () => {
  it('S14: starts on the preferred method and counts as signed in only once a code is accepted', async () => {
    const challenge = useSignInChallengeStore()
    const session = useSessionStore()
    challenge.start(challengeFor([emailMethod, { ...smsMethod, preferred: true }]))
    expect(challenge.pending).toBe(true)
    expect(challenge.activeMethod?.id).toBe(smsMethod.id)
    expect(challenge.otherMethods.map((m) => m.id)).toEqual([emailMethod.id])
    expect(session.signedIn).toBe(false)

    await challenge.sendCode()
    expect(challenge.resendAvailableAt).toBe(challenge.sent[smsMethod.id]!.resendAvailableAt)
    challenge.choose(emailMethod.id)
    expect(challenge.resendAvailableAt).toBeNull()

    await challenge.verify('123456')
    expect(bridge.verifySignInCode).toHaveBeenCalledWith({ methodId: emailMethod.id, code: '123456' })
    expect(session.signedIn).toBe(true)
    expect(challenge.pending).toBe(false)
  })

  it('ignores a method that is not in the challenge', () => {
    const challenge = useSignInChallengeStore()
    challenge.start(challengeFor([totpMethod]))
    challenge.choose(999)
    expect(challenge.activeMethodId).toBe(totpMethod.id)
  })

  it('S13: a challenge ended by wrong codes is cleared and the sign-in page is told why', async () => {
    const challenge = useSignInChallengeStore()
    challenge.start(challengeFor([totpMethod]))
    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'x', attemptsLeft: 0 }))
    await expect(challenge.verify('000000')).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(challenge.pending).toBe(false)
    expect(useSessionStore().notice).toBe('challengeEnded')
  })

  it('S13: a lock is kept to show until when', async () => {
    const challenge = useSignInChallengeStore()
    challenge.start(challengeFor([totpMethod]))
    bridge.verifySignInCode.mockResolvedValue(
      fail({ code: 'LOCKED', message: 'x', lockedUntil: '2026-11-28T15:45:00.000Z' }),
    )
    await expect(challenge.verify('000000')).rejects.toMatchObject({ code: 'LOCKED' })
    expect(challenge.lock?.lockedUntil).toBe('2026-11-28T15:45:00.000Z')
  })

  it('S12: a recovery-code sign-in leaves the count for My account', async () => {
    const challenge = useSignInChallengeStore()
    challenge.start(challengeFor([totpMethod]))
    await challenge.signInWithRecoveryCode('ABCD-EFGH-JKLM-NPQR')
    expect(useAccountStore().flash).toEqual({ kind: 'recoverySignIn', remaining: 9, low: false })
    expect(useSessionStore().signedIn).toBe(true)
  })
})

describe('mfa-methods store', () => {
  it('keeps exactly one preferred method after "Set preferred"', async () => {
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod, emailMethod, smsMethod])))
    const methods = useMfaMethodsStore()
    await methods.load()
    bridge.setPreferredMethod.mockResolvedValue(ok({ ...smsMethod, preferred: true }))
    await methods.setPreferred(smsMethod.id)
    expect(methods.methods.filter((m) => m.preferred).map((m) => m.id)).toEqual([smsMethod.id])
    expect(methods.preferred?.id).toBe(smsMethod.id)
  })

  it('new lines are client-only, typed, and removable', () => {
    const methods = useMfaMethodsStore()
    const first = methods.addDraft()
    const second = methods.addDraft('sms')
    methods.setDraftType(first.id, 'email')
    expect(methods.drafts).toEqual([
      { id: first.id, type: 'email' },
      { id: second.id, type: 'sms' },
    ])
    methods.removeDraft(first.id)
    expect(methods.drafts.map((d) => d.id)).toEqual([second.id])
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
  })

  it('S11: hands new recovery codes to the caller without keeping them', async () => {
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod], 2)))
    const methods = useMfaMethodsStore()
    await methods.load()
    expect(methods.overview?.recoveryCodesLow).toBe(true)
    await expect(methods.regenerateRecoveryCodes()).resolves.toEqual(recoveryCodes)
    expect(methods.overview).toMatchObject({ recoveryCodesRemaining: 10, recoveryCodesLow: false })
    expect(JSON.stringify(methods.$state)).not.toContain(recoveryCodes[0])
  })

  it('forgets everything when the session ends', async () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    const methods = useMfaMethodsStore()
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod])))
    await methods.load()
    methods.addDraft()
    session.end('sessionExpired')
    await nextTick()
    expect(methods.overview).toBeNull()
    expect(methods.drafts).toEqual([])
  })
})

describe('enrollment store', () => {
  it('walks the steps for email, and Back before the code cancels the pending enrollment', async () => {
    const enrollment = useEnrollmentStore()
    enrollment.start('email')
    expect(enrollment.step).toBe('password')
    await enrollment.confirmPassword('orbit lantern pebble quartz', 'Email')
    expect(enrollment.step).toBe('destination')
    await enrollment.sendCode({ email: 'new@example.org' }, 'Email')
    expect(enrollment.step).toBe('code')
    expect(enrollment.sent?.sentTo).toBe('n•••w@example.org')
    await enrollment.back()
    expect(bridge.cancelEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-email' })
    expect(enrollment.step).toBe('destination')
    expect(enrollment.enrollment).toBeNull()
  })

  it('S11: keeps recovery codes only until "Enable", which needs them saved', async () => {
    const methods = useMfaMethodsStore()
    const draft = methods.addDraft('totp')
    const enrollment = useEnrollmentStore()
    enrollment.start('totp', draft.id)
    await enrollment.confirmPassword('orbit lantern pebble quartz', 'Authenticator app')
    await enrollment.verify('123456')
    expect(enrollment.step).toBe('recovery')
    expect(enrollment.recoveryCodes).toEqual(recoveryCodes)
    await enrollment.back()
    expect(enrollment.step).toBe('code')
    await enrollment.verify('')
    expect(bridge.verifyEnrollment).toHaveBeenCalledTimes(1)
    await enrollment.enable(true)
    expect(bridge.enableEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp', recoveryCodesSaved: true })
    expect(enrollment.recoveryCodes).toBeNull()
    expect(enrollment.type).toBeNull()
    expect(methods.drafts).toEqual([])
  })

  it('S18: notes a setup the main process no longer has', async () => {
    const enrollment = useEnrollmentStore()
    enrollment.start('totp')
    await enrollment.confirmPassword('orbit lantern pebble quartz', 'Authenticator app')
    bridge.verifyEnrollment.mockResolvedValueOnce(fail({ code: 'NOT_FOUND', message: 'x' }))
    await expect(enrollment.verify('123456')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(enrollment.ended).toBe('expired')
    expect(enrollment.enrollment).toBeNull()
    await enrollment.restart()
    expect([enrollment.step, enrollment.ended]).toEqual(['password', null])
  })

  it('cancels with the main process, and resets when the session ends', async () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    const enrollment = useEnrollmentStore()
    enrollment.start('totp')
    await enrollment.confirmPassword('orbit lantern pebble quartz', 'Authenticator app')
    session.end('sessionExpired')
    await nextTick()
    expect(enrollment.type).toBeNull()
    expect(enrollment.enrollment).toBeNull()
  })
})

describe('contact-change store', () => {
  it('sends a code to the new address and adopts the account the main process returns', async () => {
    const contact = useContactChangeStore()
    await contact.sendCode('phone', '+442079460958')
    expect(bridge.beginContactChange).toHaveBeenCalledWith({ phone: '+442079460958' })
    await contact.resendCode()
    expect(bridge.beginContactChange).toHaveBeenCalledTimes(2)
    bridge.confirmContactChange.mockResolvedValue(ok({ ...adminAccount, phone: '+442079460958' }))
    await contact.confirm('123456')
    expect(useAccountStore().me?.phone).toBe('+442079460958')
    expect(contact.sent).toBeNull()
  })

  it('an expired code ends the change', async () => {
    const contact = useContactChangeStore()
    await contact.sendCode('email', 'new@example.org')
    bridge.confirmContactChange.mockResolvedValue(fail({ code: 'EXPIRED', message: 'x' }))
    await expect(contact.confirm('123456')).rejects.toMatchObject({ code: 'EXPIRED' })
    expect(contact.sent).toBeNull()
  })
})
