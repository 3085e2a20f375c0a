import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createKeytarSecretStore } from '../adapters/keychain/keytar-secret-store'
import type { SecretStore } from '../adapters/keychain/secret-store'
import { databaseFileName } from '../adapters/system/data-dir'
import { keychainAccountFor } from '../adapters/vault/open-vault'
import { describeStartupError, openKeyhold, type Keyhold } from '../composition/open-keyhold'
import { CliError } from './command'

/**
 * Opens a data folder for one command, the same way the app does, and closes it
 * afterwards. Startup failures become the explanation the app's window shows
 * (describeStartupError), so the operator reads the same reason and fix.
 */
export function createCliSecretStore(): SecretStore {
  return createKeytarSecretStore()
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, databaseFileName)
}

export function startupFailure(error: unknown, dataDir: string, report?: Record<string, unknown>): CliError {
  const problem = describeStartupError(error, dataDir)
  return new CliError(problem.code, problem.message, problem.fix, report)
}

export function notSetUp(dataDir: string): CliError {
  return new CliError(
    'SETUP_REQUIRED',
    `Keyhold is not set up in ${dataDir}`,
    'Create the first administrator with: keyhold init --admin NAME (or pass the right --data-dir)',
  )
}

/**
 * S19, fail closed: ask the keychain first, before the database file is even
 * created, so a missing or locked keychain leaves nothing behind on disk.
 * Returns whether the data folder's entry exists.
 */
export async function probeKeychain(secretStore: SecretStore, dataDir: string): Promise<boolean> {
  try {
    return (await secretStore.get(keychainAccountFor(dataDir))) !== null
  } catch (error) {
    throw startupFailure(error, dataDir)
  }
}

export interface OpenOptions {
  /** false only for `init`: every other command refuses a folder without a database rather than create one. */
  readonly mustExist: boolean
}

let nativeBinding: string | undefined

/** Set once by runCli: the better-sqlite3 binary to load (Electron's, inside the packaged app). */
export function setNativeBinding(path: string | undefined): void {
  nativeBinding = path
}

/** Options for a direct openKeyhold call (backup, vault status): the binary runCli was given. */
export function bindingOption(): { nativeBinding?: string } {
  return nativeBinding ? { nativeBinding } : {}
}

export async function withKeyhold<T>(
  dataDir: string,
  options: OpenOptions,
  use: (keyhold: Keyhold) => Promise<T> | T,
): Promise<T> {
  if (options.mustExist && !existsSync(databaseFile(dataDir))) throw notSetUp(dataDir)
  const secretStore = createCliSecretStore()
  await probeKeychain(secretStore, dataDir)
  let keyhold: Keyhold
  try {
    keyhold = await openKeyhold({ dataDir, secretStore, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch (error) {
    throw startupFailure(error, dataDir)
  }
  try {
    return await use(keyhold)
  } finally {
    keyhold.close()
  }
}
