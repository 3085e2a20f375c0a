import { describe, expect, it } from 'vitest'
import { isHighlyRestrictive, usernameSkeleton } from '../../../electron/main/domain/username-look-alike'

/** S30: the UTS #39 skeleton and the Highly Restrictive level, on names a person could mistake. */
describe('username look-alikes (S30)', () => {
  it('gives look-alike names one skeleton, whatever the case or compatibility form', () => {
    // Latin "bob" and "bоb" with a Cyrillic о; all-Cyrillic "сора" and Latin "copa".
    expect(usernameSkeleton('b\u043eb')).toBe(usernameSkeleton('bob'))
    expect(usernameSkeleton('\u0441\u043e\u0440\u0430')).toBe(usernameSkeleton('copa'))
    expect(usernameSkeleton('rnary')).toBe(usernameSkeleton('mary'))
    expect(usernameSkeleton('BOB')).toBe(usernameSkeleton('bob'))
    expect(usernameSkeleton('ｂｏｂ')).toBe(usernameSkeleton('bob'))
    expect(usernameSkeleton('bob')).not.toBe(usernameSkeleton('rob'))
    expect(usernameSkeleton('王lee')).not.toBe(usernameSkeleton('lee'))
  })

  it('keeps one script, or Latin with Chinese, Japanese or Korean; refuses Latin with Cyrillic or Greek', () => {
    for (const ok of ['bob', '王Lee', 'пётр', 'ελένη', '山田たろう', 'タナカ2', '김철수kim', 'mary.jones-2', 'مریم'])
      expect(isHighlyRestrictive(ok), ok).toBe(true)
    for (const mixed of ['b\u043eb', 'abc\u03b1', '\u0441opa', 'пётрk', '김철수たろう'])
      expect(isHighlyRestrictive(mixed), mixed).toBe(false)
  })
})
