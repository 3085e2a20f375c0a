import { promisify } from 'node:util'
import { KeychainError, type SecretStore } from './secret-store'

/**
 * libsecret answers "not found" for an entry in a locked collection when it cannot show an
 * unlock prompt, so on Linux a missing entry is checked against the collection's Locked flag.
 */
async function secretServiceLocked(): Promise<boolean> {
  if (process.platform !== 'linux') return false
  try {
    // Loaded here, on the rare miss: node:child_process costs every command's start otherwise (issue 15).
    const { execFile } = await import('node:child_process')
    const { stdout } = await promisify(execFile)(
      'gdbus',
      [
        'call',
        '--session',
        '--dest',
        'org.freedesktop.secrets',
        '--object-path',
        '/org/freedesktop/secrets/aliases/default',
        '--method',
        'org.freedesktop.DBus.Properties.Get',
        'org.freedesktop.Secret.Collection',
        'Locked',
      ],
      { timeout: 5000 },
    )
    return stdout.includes('true')
  } catch {
    return false
  }
}

/** The OS keychain through keytar: Keychain on macOS, Credential Vault on Windows, Secret Service on Linux. */
export const keychainService = 'Keyhold'

type Keytar = typeof import('keytar')

function classify(error: unknown): KeychainError {
  const text = error instanceof Error ? error.message : String(error)
  const failure = /lock|dismissed|prompt/i.test(text) ? 'locked' : 'unavailable'
  return new KeychainError(failure, text, { cause: error })
}

/** keytar is CommonJS: under Node's ESM loader its functions sit on `default`; bundled, on the module itself. */
async function importKeytar(): Promise<Keytar> {
  const loaded = (await import('keytar')) as Keytar & { default?: Keytar }
  return loaded.default ?? loaded
}

export function createKeytarSecretStore(loadKeytar: () => Promise<Keytar> = importKeytar): SecretStore {
  let keytar: Promise<Keytar> | undefined
  const load = async (): Promise<Keytar> => {
    keytar ??= loadKeytar()
    try {
      return await keytar
    } catch (error) {
      keytar = undefined
      throw new KeychainError('unavailable', `The keychain library could not be loaded: ${String(error)}`, {
        cause: error,
      })
    }
  }
  const call = async <T>(fn: (k: Keytar) => Promise<T>): Promise<T> => {
    const k = await load()
    try {
      return await fn(k)
    } catch (error) {
      throw classify(error)
    }
  }
  // Once an entry was found the collection is unlocked: a later miss (the `vault rotate` entry, which
  // is nearly always absent) is a plain miss, without asking D-Bus again through a gdbus process.
  let unlockedSeen = false
  return {
    get: async (account) => {
      const secret = await call((k) => k.getPassword(keychainService, account))
      if (secret !== null) unlockedSeen = true
      if (secret === null && !unlockedSeen && (await secretServiceLocked())) {
        throw new KeychainError('locked', 'the Secret Service collection "default" is locked')
      }
      return secret
    },
    set: (account, secret) => call((k) => k.setPassword(keychainService, account, secret)),
    delete: (account) => call((k) => k.deletePassword(keychainService, account)),
  }
}
