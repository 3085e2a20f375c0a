import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  mapPolicyErrors,
  toPolicyDocument,
  toPolicyDraft,
  type PolicyDraft,
} from '../../renderer/src/admin/policy-form'
import {
  createFakeBridge,
  fail,
  installBridge,
  ok,
  policyView,
  readyState,
  sessionFor,
  siteRules,
  stepUpRequired,
  type FakeBridge,
} from './support/fake-bridge'
import { alertTexts, fieldError, inputByLabel, mountApp, pageText, type MountedApp } from './support/mount-app'

/** Issue 5, "Policy": the form's model (policy-form.ts) and the page. */
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC')
})

describe('the policy form model', () => {
  function draft(): PolicyDraft {
    return toPolicyDraft(policyView({ roles: { admin: { enforcement: 'required', gracePeriodDays: 7 } } }))
  }

  it('round-trips the policy: site rules whole, a role only with the rules it sets', () => {
    const { document, errors } = toPolicyDocument(draft())
    expect(errors).toEqual({ site: {}, admin: {}, user: {} })
    expect(document).toEqual({ site: siteRules, roles: { admin: { enforcement: 'required', gracePeriodDays: 7 } } })
  })

  it('S8, S10, S13, S17: refuses values outside the ranges of SECURITY.md, per field', () => {
    const form = draft()
    form.site.codeLifetimeMinutes = '11'
    form.site.resendCooldownSeconds = '29'
    form.site.lockoutThreshold = '2'
    form.site.lockoutMinutes = '1441'
    form.site.sessionIdleMinutes = '31'
    form.site.sessionAbsoluteHours = '13'
    form.site.recoveryCodeWarning = '6'
    form.site.gracePeriodDays = '5.5'
    form.admin.rules.gracePeriodDays = ''
    const { document, errors } = toPolicyDocument(form)
    expect(document).toBeNull()
    expect(Object.keys(errors.site).sort()).toEqual(
      [
        'codeLifetimeMinutes',
        'gracePeriodDays',
        'lockoutMinutes',
        'lockoutThreshold',
        'recoveryCodeWarning',
        'resendCooldownSeconds',
        'sessionAbsoluteHours',
        'sessionIdleMinutes',
      ].sort(),
    )
    expect(errors.admin).toEqual({ gracePeriodDays: 'range.gracePeriodDays' })
    // The bounds themselves are allowed.
    const edges = draft()
    Object.assign(edges.site, {
      codeLifetimeMinutes: '10',
      resendCooldownSeconds: '30',
      lockoutThreshold: '20',
      lockoutMinutes: '1',
      sessionIdleMinutes: '1',
      sessionAbsoluteHours: '12',
      recoveryCodeWarning: '5',
      gracePeriodDays: ' 0 ',
    })
    expect(toPolicyDocument(edges).document?.site.gracePeriodDays).toBe(0)
  })

  it('S8: "strong methods only" needs authenticator apps among the allowed methods, judged with the site rules', () => {
    const form = draft()
    form.site.allowedMethods = ['email', 'sms']
    form.site.strongMethodsOnly = true
    expect(toPolicyDocument(form).errors.site).toEqual({ allowedMethods: 'strongLeavesNone' })

    const role = draft()
    role.site.allowedMethods = ['email']
    role.user.enabled = true
    role.user.overridden.strongMethodsOnly = true
    role.user.rules.strongMethodsOnly = true
    expect(toPolicyDocument(role).errors.user).toEqual({ strongMethodsOnly: 'strongLeavesNone' })
    expect(toPolicyDocument(role).errors.site).toEqual({})
  })

  it('maps the main process field paths (request schema or policy service) onto the fields', () => {
    const { errors, unmapped } = mapPolicyErrors([
      { field: 'policy.site.codeLifetimeMinutes', message: 'At most 10 minutes' },
      { field: 'site.allowedMethods', message: '"Strong methods only" leaves no allowed method' },
      { field: 'roles.admin.enforcement', message: 'Nobody with the admin role could set up a method' },
      { field: 'policy.roles.user.totpDigits.1', message: 'Invalid input' },
      { field: 'policy.roles.guest', message: 'Unrecognized key' },
      { field: 'policy', message: 'Required' },
    ])
    expect(errors).toEqual({
      site: { codeLifetimeMinutes: 'range.codeLifetimeMinutes', allowedMethods: 'noMethodLeft' },
      admin: { enforcement: 'nobodyCanEnroll' },
      user: { totpDigits: 'totpDigits' },
    })
    expect(unmapped).toEqual(['policy.roles.guest', 'policy'])
  })
})

describe('the policy page', () => {
  let bridge: FakeBridge
  let app: MountedApp

  beforeEach(() => {
    bridge = createFakeBridge()
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    bridge.getPolicy.mockResolvedValue(ok(policyView({ roles: { user: { codeLifetimeMinutes: 3 } } })))
    installBridge(bridge)
  })

  afterEach(() => {
    expect(app.missingKeys).toEqual([])
    app.unmount()
    installBridge(undefined)
  })

  function group(name: string): DOMWrapper<Element> {
    const found = app.wrapper.findAll('fieldset.policy-role').find((f) => f.get('legend').text() === name)
    if (!found) throw new Error(`No group "${name}"`)
    return found
  }

  async function save(): Promise<void> {
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
  }

  /** The error text an input (by id) points at. */
  function errorOf(id: string): string | null {
    const input = app.wrapper.get(`#${id}`)
    const described = (input.attributes('aria-describedby') ?? '').split(' ')
    for (const ref of described) {
      const el = app.wrapper.find(`#${ref}`)
      if (el.exists() && el.attributes('role') === 'alert') return el.text()
    }
    return null
  }

  it('shows the rules, the version and who changed it last', async () => {
    app = await mountApp('/admin/policy')
    expect(app.wrapper.get('h1').text()).toBe('MFA policy')
    expect(pageText(app.wrapper)).toContain('Version 3, changed Nov 20, 2026, 10:00 AM by window:ada.')
    expect((inputByLabel(app.wrapper, 'Code lifetime (minutes)').element as HTMLInputElement).value).toBe('5')
    expect((app.wrapper.get('#policy-site-enforcement-optional').element as HTMLInputElement).checked).toBe(true)
    expect((app.wrapper.get('#policy-site-allowedMethods-sms').element as HTMLInputElement).checked).toBe(true)
    // Users have their own code lifetime; administrators follow the site.
    expect((app.wrapper.get('#policy-user-enabled').element as HTMLInputElement).checked).toBe(true)
    expect((app.wrapper.get('#policy-user-codeLifetimeMinutes').element as HTMLInputElement).value).toBe('3')
    expect(group('Users').text()).toContain('As the site rules: 10')
    expect((app.wrapper.get('#policy-admin-enabled').element as HTMLInputElement).checked).toBe(false)
    expect(app.wrapper.find('#policy-admin-codeLifetimeMinutes').exists()).toBe(false)
  })

  it('S15: saves the document after step-up, with a role override holding only its own rules', async () => {
    bridge.setPolicy.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/admin/policy')
    await app.wrapper.get('#policy-site-enforcement-prompt').setValue(true)
    await app.wrapper.get('#policy-site-allowedMethods-sms').setValue(false)
    await app.wrapper.get('#policy-admin-enabled').setValue(true)
    await app.wrapper.get('#policy-admin-enforcement-override').setValue(true)
    await app.wrapper.get('#policy-admin-enforcement-required').setValue(true)
    await app.wrapper.get('#policy-admin-gracePeriodDays-override').setValue(true)
    await app.wrapper.get('#policy-admin-gracePeriodDays').setValue('3')
    await save()
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await app.wrapper
      .findAll('button')
      .find((b) => b.text() === 'Confirm')!
      .trigger('click')
    await flushPromises()

    expect(bridge.setPolicy).toHaveBeenCalledTimes(2)
    expect(bridge.setPolicy).toHaveBeenLastCalledWith({
      policy: {
        site: { ...siteRules, enforcement: 'prompt', allowedMethods: ['totp', 'email'] },
        roles: {
          admin: { enforcement: 'required', gracePeriodDays: 3 },
          user: { codeLifetimeMinutes: 3 },
        },
      },
    })
    expect(pageText(app.wrapper)).toContain('The policy was saved.')
    expect(pageText(app.wrapper)).toContain('Version 4')
  })

  it('checks the ranges before sending, and says each one beside its field', async () => {
    app = await mountApp('/admin/policy')
    await inputByLabel(app.wrapper, 'Code lifetime (minutes)').setValue('0')
    await app.wrapper.get('#policy-user-codeLifetimeMinutes').setValue('20')
    await save()
    expect(bridge.setPolicy).not.toHaveBeenCalled()
    expect(fieldError(app.wrapper, 'Code lifetime (minutes)')).toBe('Enter a whole number from 1 to 10.')
    expect(errorOf('policy-user-codeLifetimeMinutes')).toBe('Enter a whole number from 1 to 10.')
    expect(alertTexts(app.wrapper)).toContain('Some fields need attention.')
    expect(document.activeElement?.id).toBe('policy-site-codeLifetimeMinutes')
  })

  it("puts the main process's VALIDATION fields next to the fields their paths name", async () => {
    bridge.setPolicy.mockResolvedValue(
      fail({
        code: 'VALIDATION',
        message: 'x',
        fields: [
          { field: 'roles.user.enforcement', message: 'Nobody with the user role could set up a method' },
          { field: 'policy.site.lockoutMinutes', message: 'At most 1440 minutes' },
        ],
      }),
    )
    app = await mountApp('/admin/policy')
    await app.wrapper.get('#policy-user-enforcement-override').setValue(true)
    await app.wrapper.get('#policy-user-enforcement-required').setValue(true)
    await save()
    expect(errorOf('policy-user-enforcement-required')).toBe(
      'Under Required, nobody with this role could set up a method: allow authenticator apps, or set up the email or SMS provider first.',
    )
    expect(fieldError(app.wrapper, 'Lockout duration (minutes)')).toBe('Enter a whole number from 1 to 1440.')
    // The message of the main process (English, for logs) is never shown.
    expect(pageText(app.wrapper)).not.toContain('Nobody with the user role')
    expect(document.activeElement?.id).toBe('policy-site-lockoutMinutes')
  })

  it('says so when a refused path names no field on the page', async () => {
    bridge.setPolicy.mockResolvedValue(
      fail({ code: 'VALIDATION', message: 'x', fields: [{ field: 'policy.roles.guest', message: 'Unrecognized' }] }),
    )
    app = await mountApp('/admin/policy')
    await save()
    expect(alertTexts(app.wrapper)).toContain('Some values were refused. Check the rules and try again.')
  })
})
