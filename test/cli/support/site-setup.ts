import { expect } from 'vitest'
import type { KannelPeer } from '../../peers/kannel-peer'
import type { SmtpPeer } from '../../peers/smtp-peer'
import type { Cli } from './operators'

/**
 * Setting up a site the way an operator does, for the tests that need one:
 * `keyhold init`, accounts, and providers aimed at the test peers. The e2e
 * flows use the same provider commands.
 */

/** `keyhold init` with `admin`, then `account create` for each of `others`, all with `password`; each exits 0. */
export async function initSite(
  cli: Cli,
  password: string,
  admin: string,
  others: readonly string[] = [],
): Promise<void> {
  const init = await cli(['init', '--admin', admin], { input: `${password}\n` })
  expect(init.code, init.stderr).toBe(0)
  for (const name of others) {
    const created = await cli(['account', 'create', name, '--password-stdin'], { input: `${password}\n` })
    expect(created.code, created.stderr).toBe(0)
  }
}

/**
 * `keyhold provider set email` aimed at the SMTP peer, without TLS. With
 * `username`, it signs in as that user and the password is read from stdin.
 */
export function emailProviderArgs(
  smtp: Pick<SmtpPeer, 'host' | 'port'>,
  options: { readonly from?: string; readonly username?: string } = {},
): string[] {
  const server = ['--host', smtp.host, '--port', String(smtp.port), '--security', 'none']
  // The peer takes AUTH without TLS: S34 wants that chosen knowingly.
  const login =
    options.username === undefined ? [] : ['--username', options.username, '--password-stdin', '--unencrypted-sign-in']
  return ['provider', 'set', 'email', ...server, '--from', options.from ?? 'keyhold@example.org', ...login]
}

/** `keyhold provider set sms --kind kannel` aimed at the Kannel peer; its password is read from stdin. */
export function kannelProviderArgs(kannel: Pick<KannelPeer, 'sendsmsUrl' | 'username'>): string[] {
  const gateway = ['--url', kannel.sendsmsUrl, '--username', kannel.username, '--password-stdin']
  return ['provider', 'set', 'sms', '--kind', 'kannel', ...gateway]
}
