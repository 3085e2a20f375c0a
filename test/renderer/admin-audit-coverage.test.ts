import { type DOMWrapper } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { auditCsv, auditQueryOf, filterAudit } from '../../renderer/src/admin/audit-csv'
import { auditEntries, coverage, fail, ok, stepUpRequired, type FakeBridge } from './support/fake-bridge'
import {
  alertTexts,
  clickButton,
  fieldError,
  inputByLabel,
  mountApp,
  pageText,
  type MountedApp,
} from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** Issue 5, "Audit log", "Coverage" and "Settings". */

let bridge: FakeBridge
let app: MountedApp | null = null

withFakeBridge(
  (fake) => {
    bridge = fake
    app = null
  },
  { utc: true, appState: 'signed-in' },
)

/** The mounted app of a page test. */
function page(): MountedApp {
  if (!app) throw new Error('No page mounted')
  return app
}

async function click(label: string, within?: Pick<DOMWrapper<Element>, 'findAll'>): Promise<void> {
  await clickButton(within ?? page().wrapper, label)
}

function tableRows(selector: string): string[][] {
  return page()
    .wrapper.findAll(`${selector} tbody tr`)
    .map((r) => r.findAll('th, td').map((c) => c.text().replace(/\s+/g, ' ').trim()))
}

describe('the audit CSV and filters', () => {
  it('writes RFC 4180 CSV and defuses cells that a spreadsheet would run as a formula', () => {
    const csv = auditCsv([auditEntries[0]!, auditEntries[2]!])
    expect(csv.split('\r\n')).toEqual([
      'id,time,event,account,actor,detail',
      '4,2026-11-28T08:20:00.000Z,policy.changed,,window:ada,"version=3, enforcement=prompt"',
      // reason==HYPERLINK(...) starts with "reason", so it is safe; a cell starting with = is prefixed.
      '2,2026-11-27T15:59:00.000Z,sign-in.failed,bob,window:bob,"reason==HYPERLINK(""x"")"',
      '',
    ])
    const formula = auditCsv([{ ...auditEntries[3]!, actor: '=cmd|calc', account: '+1' }])
    expect(formula.split('\r\n')[1]).toBe("1,2026-11-20T09:00:00.000Z,account.created,'+1,'=cmd|calc,")
    // S28: the same rule as the account export: an E.164 number is data, left as it is; a tab or CR is neutralised.
    const phone = auditCsv([{ ...auditEntries[3]!, actor: '\t@SUM(A1)', account: '+442079460958' }])
    expect(phone.split('\r\n')[1]).toBe("1,2026-11-20T09:00:00.000Z,account.created,+442079460958,'\t@SUM(A1),")
  })

  it('filters by event text (any case) and by a time range in local time, to the minute', () => {
    expect(filterAudit(auditEntries, { event: 'SIGN-IN', from: '', to: '' }).map((e) => e.id)).toEqual([3, 2])
    expect(filterAudit(auditEntries, { event: '', from: '2026-11-27T16:00', to: '' }).map((e) => e.id)).toEqual([4, 3])
    expect(filterAudit(auditEntries, { event: '', from: '', to: '2026-11-27T15:59' }).map((e) => e.id)).toEqual([2, 1])
    expect(filterAudit(auditEntries, { event: 'sign', from: '2026-11-27T16:00', to: '' }).map((e) => e.id)).toEqual([3])
  })

  it('turns the page filters into the main process query: ISO times, "to" through its minute, reversed is none', () => {
    expect(auditQueryOf({ event: '  ', from: '', to: '' })).toEqual({})
    expect(auditQueryOf({ event: 'Recovery', from: '2026-11-27T16:00', to: '2026-11-27T16:00' })).toEqual({
      event: 'Recovery',
      from: new Date('2026-11-27T16:00').toISOString(),
      until: new Date(new Date('2026-11-27T16:00').getTime() + 60_000).toISOString(),
    })
    expect(auditQueryOf({ event: '', from: '2026-11-27T16:01', to: '2026-11-27T16:00' })).toBeNull()
  })
})

describe('the audit log page', () => {
  it('shows the newest entries first, filters them here, and asks the main process for an account or a limit', async () => {
    app = await mountApp('/admin/audit')
    expect(page().wrapper.get('h1').text()).toBe('Audit log')
    expect(bridge.listAudit).toHaveBeenCalledWith({ limit: 100 })
    expect(tableRows('table').map((r) => r[1])).toEqual([
      'policy.changed',
      'sign-in.succeeded',
      'sign-in.failed',
      'account.created',
    ])
    expect(tableRows('table')[0]).toEqual([
      'Nov 28, 2026, 8:20 AM',
      'policy.changed',
      '',
      'window:ada',
      'version=3, enforcement=prompt',
    ])
    expect(pageText(page().wrapper)).toContain('4 of 4 entries shown.')

    await inputByLabel(page().wrapper, 'Event contains').setValue('sign-in')
    await inputByLabel(page().wrapper, 'From').setValue('2026-11-27T16:00')
    // At once, over what was fetched…
    expect(tableRows('table').map((r) => r[1])).toEqual(['sign-in.succeeded'])
    // S29: the account cell names the account with its id, so a reused name is told apart.
    expect(tableRows('table').map((r) => r[2])).toEqual(['bob #2'])
    expect(pageText(page().wrapper)).toContain('1 of 4 entries shown.')
    // …and after a pause the main process searches the whole log with the same filters.
    const from = new Date('2026-11-27T16:00').toISOString()
    await vi.waitFor(() => expect(bridge.listAudit).toHaveBeenLastCalledWith({ event: 'sign-in', from, limit: 100 }))
    const calls = bridge.listAudit.mock.calls.length
    await inputByLabel(page().wrapper, 'To').setValue('2026-11-27T10:00')
    expect(page().wrapper.find('table').exists()).toBe(false)
    expect(pageText(page().wrapper)).toContain('No entries match.')
    // A reversed range matches nothing: the main process is not asked.
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(bridge.listAudit).toHaveBeenCalledTimes(calls)

    await inputByLabel(page().wrapper, 'To').setValue('2026-11-28T09:00')
    await inputByLabel(page().wrapper, 'Account').setValue('bob')
    await inputByLabel(page().wrapper, 'Number of entries').setValue('1000')
    await click('Show entries')
    expect(bridge.listAudit).toHaveBeenLastCalledWith({
      username: 'bob',
      event: 'sign-in',
      from,
      // "To 09:00" takes in that whole minute.
      until: new Date(new Date('2026-11-28T09:00').getTime() + 60_000).toISOString(),
      limit: 1000,
    })
  })

  it('refuses a limit over 1,000 and says when the account does not exist', async () => {
    app = await mountApp('/admin/audit')
    await inputByLabel(page().wrapper, 'Number of entries').setValue('1001')
    await click('Show entries')
    expect(bridge.listAudit).toHaveBeenCalledTimes(1)
    expect(fieldError(page().wrapper, 'Number of entries')).toBe('Enter a whole number from 1 to 1000.')

    bridge.listAudit.mockResolvedValueOnce(fail({ code: 'NOT_FOUND', message: 'x' }))
    await inputByLabel(page().wrapper, 'Number of entries').setValue('50')
    await inputByLabel(page().wrapper, 'Account').setValue('ghost')
    await click('Show entries')
    expect(fieldError(page().wrapper, 'Account')).toBe('No account has or had this username.')
  })

  it('exports what the table shows as a CSV download', async () => {
    const created: Blob[] = []
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:audit'
    })
    const clicked: string[] = []
    const click$ = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.download)
    })
    app = await mountApp('/admin/audit')
    await inputByLabel(page().wrapper, 'Event contains').setValue('policy')
    await click('Export CSV')
    expect(clicked).toEqual(['keyhold-audit-log.csv'])
    expect(created[0]!.type).toBe('text/csv;charset=utf-8')
    const csv = await created[0]!.text()
    expect(csv.split('\r\n').filter((line) => line !== '')).toHaveLength(2)
    expect(csv).toContain('policy.changed')
    expect(csv).not.toContain('sign-in')
    createObjectURL.mockRestore()
    click$.mockRestore()
  })

  it('S22: "Verify chain" says the log is intact, or what is wrong', async () => {
    app = await mountApp('/admin/audit')
    await click('Verify chain')
    expect(pageText(page().wrapper)).toContain('The audit log is intact: 4 entries checked.')

    bridge.verifyAudit.mockResolvedValueOnce(ok({ ok: false, rows: 4, problem: 'row 3 does not match its HMAC' }))
    await click('Verify chain')
    expect(alertTexts(page().wrapper).map((a) => a.replace(/\s+/g, ' '))).toContain(
      'The audit log has been tampered with (4 entries checked). Details: row 3 does not match its HMAC',
    )
    expect(pageText(page().wrapper)).not.toContain('is intact')
  })
})

describe('the coverage page', () => {
  it('draws the accounts by MFA state and by method, with the same numbers in tables', async () => {
    app = await mountApp('/admin/coverage')
    expect(page().wrapper.get('h1').text()).toBe('Coverage')
    const chart = page().wrapper.get('#coverage-states-chart')
    expect(chart.attributes('role')).toBe('img')
    expect(chart.attributes('aria-label')).toBe(
      'Bar chart: Accounts by MFA state. The same numbers are in the table below.',
    )
    // One bar per state, longest for the largest number, each with its number written beside it.
    const bars = chart.findAll('rect')
    expect(bars.map((b) => b.classes().find((c) => c.startsWith('chart__bar--')))).toEqual([
      'chart__bar--none',
      'chart__bar--invited',
      'chart__bar--grace',
      'chart__bar--overdue',
      'chart__bar--enrolled',
    ])
    const widths = bars.map((b) => Number(b.attributes('width')))
    expect(widths[4]).toBe(Math.max(...widths))
    expect(widths[0]).toBe(widths[2])
    expect(chart.findAll('.chart__value').map((v) => v.text())).toEqual(['2', '1', '2', '1', '4'])
    // No style attribute anywhere (CSP without 'unsafe-inline').
    expect(page().wrapper.html()).not.toMatch(/\sstyle=/)

    const [states, methods] = page().wrapper.findAll('table.data-table--numbers')
    const cells = (table: DOMWrapper<Element>) =>
      table.findAll('tbody tr').map((r) => r.findAll('th, td').map((c) => c.text().trim()))
    expect(cells(states!)).toEqual([
      ['No MFA', '2', '20%'],
      ['Invited', '1', '10%'],
      ['In grace period', '2', '20%'],
      ['Past the deadline', '1', '10%'],
      ['Enrolled', '4', '40%'],
    ])
    expect(cells(methods!)).toEqual([
      ['Authenticator app', '3'],
      ['Email', '2'],
      ['Text message (SMS)', '1'],
    ])
    const stats = page()
      .wrapper.findAll('.stats__item')
      .map((item) => [item.get('dt').text(), item.get('dd').text()])
    expect(stats).toEqual([
      ['Accounts', '10'],
      ['With MFA', '4 (40%)'],
      ['Locked', '1'],
      ['Disabled', '1'],
    ])
  })

  it('lists the accounts that must still set up MFA, soonest deadline first, linked to their page', async () => {
    app = await mountApp('/admin/coverage')
    const late = page().wrapper.findAll('table').at(-1)!
    expect(late.findAll('tbody tr').map((r) => r.findAll('th, td').map((c) => c.text().trim()))).toEqual([
      ['carol', 'Carol', 'Past the deadline', 'Nov 20, 2026, 9:00 AM'],
      ['dave', 'Dave', 'In grace period', 'Dec 5, 2026, 9:00 AM'],
    ])
    expect(late.get('a').attributes('href')).toContain('/admin/accounts/carol')
  })

  it('says when nobody is late', async () => {
    bridge.adminCoverage.mockResolvedValue(ok({ ...coverage, nonCompliant: [] }))
    app = await mountApp('/admin/coverage')
    expect(pageText(page().wrapper)).toContain('No account is late.')
  })
})

describe('the settings page', () => {
  it('S15: saves the site name after step-up', async () => {
    bridge.setSiteName.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/admin/settings')
    expect(page().wrapper.get('h1').text()).toBe('Settings')
    const field = inputByLabel(page().wrapper, 'Site name')
    expect((field.element as HTMLInputElement).value).toBe('Keyhold')
    await field.setValue('')
    await click('Save')
    expect(fieldError(page().wrapper, 'Site name')).toBe('Enter a site name.')
    await inputByLabel(page().wrapper, 'Site name').setValue('Harbour Clinic')
    await click('Save')
    await inputByLabel(page().wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click('Confirm', page().wrapper)
    expect(bridge.setSiteName).toHaveBeenLastCalledWith({ siteName: 'Harbour Clinic' })
    expect(pageText(page().wrapper)).toContain('The site name was saved.')
  })
})
