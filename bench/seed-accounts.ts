import { createHash } from 'node:crypto'
import { totpSecretContext, type MfaDeps } from '../electron/main/services/mfa-deps'
import type { Role } from '../electron/main/services/ports'

/**
 * Large account sets for the bench, made fast: rows go in through the real
 * repositories (so the FTS5 triggers of 0004_admin.sql index them exactly as
 * the app would) in ONE transaction, and every account shares ONE Argon2id
 * hash computed beforehand: 100,000 hashes would take about 25 minutes, and
 * the hash's cost is measured on its own. A third of the accounts have an
 * authenticator app and a fifth an email method, with the audit row an
 * account creation writes, so the list's per-row reads and the file's size
 * look like a site in use. Names are deterministic: every run seeds the same set.
 */
// prettier-ignore
const firstNames = [
  'Alice', 'Bob', 'Carlos', 'Dana', 'Elena', 'Farid', 'Grace', 'Hiro', 'Inès', 'Jamal', 'Kai', 'Lena',
  'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Uma', 'Victor', 'Wen', 'Xavier',
  'Yara', 'Zoë', 'Amélie', 'Björn', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Giulia', 'Hannah', 'Ivan', 'Jorge',
  'Keiko', 'Liam', 'Maria', 'Noah', 'Olga', 'Pedro', 'Ravi', 'Sofia', 'Tomás', 'Uwe', 'Valentina', 'William',
  'Ximena', 'Yusuf', 'Mei', 'Ana', 'Ben', 'Clara', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Isla',
]
// prettier-ignore
const lastNames = [
  'Smith', 'García', 'Müller', 'Rossi', 'Kowalski', 'Nakamura', 'Okafor', 'Dubois', 'Silva', 'Jensen',
  'Novak', 'Haddad', 'Ivanova', 'Chen', 'Wang', 'Kim', 'Singh', 'Patel', 'Cohen', 'Andersson', 'Bianchi',
  'Costa', 'Dimitrov', 'Eriksen', 'Fischer', 'González', 'Horvat', 'Ito', 'Johansson', 'Kaya', 'Larsen',
  'Moreau', 'Nielsen', 'Oliveira', 'Petrov', 'Quispe', 'Romero', 'Santos', 'Tanaka', 'Urban', 'Varga',
  'Weber', 'Yılmaz', 'Zimmermann', 'Brown', 'López', 'Martin', 'Schmidt', 'Lee', 'Nguyen',
]
/** Most people of an on-premise site share its domain; some are partners with their own. */
const domains = ['site.example', 'site.example', 'site.example', 'site.example', 'partner.example.org']

export interface SeedAccount {
  readonly username: string
  readonly displayName: string
  readonly email: string
  readonly role: Role
}

/** Spreads consecutive indexes over the name lists (Knuth's multiplicative hash). */
function mix(index: number): number {
  return Math.imul(index + 1, 2654435761) >>> 0
}

function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .toLowerCase()
}

/** The account number `index` of every seeded set (0-based). */
export function seedAccountAt(index: number): SeedAccount {
  const h = mix(index)
  const first = firstNames[h % firstNames.length]!
  const last = lastNames[(h >>> 8) % lastNames.length]!
  const username = `${ascii(first)}.${ascii(last)}${index}`
  return {
    username,
    displayName: `${first} ${last}`,
    email: `${username}@${domains[(h >>> 16) % domains.length]!}`,
    role: index % 50 === 0 ? 'admin' : 'user',
  }
}

/** A stand-in TOTP secret (20 bytes, as the enrollment makes); never used to sign in. */
function seedSecret(index: number): string {
  return createHash('sha1').update(`keyhold-bench-${index}`).digest('base64')
}

/** Inserts accounts `from` … `to - 1` in one transaction. */
export function seedAccounts(deps: MfaDeps, range: { from: number; to: number }, passwordHash: string): void {
  deps.uow.tx(() => {
    const now = deps.clock.now()
    for (let index = range.from; index < range.to; index += 1) {
      const seed = seedAccountAt(index)
      const account = deps.accounts.insert({ ...seed, phone: null, passwordHash, passwordShort: false, now })
      deps.audit.append(
        { actor: 'cli:bench', event: 'account.created', accountId: account.id, detail: { role: seed.role } },
        now,
      )
      const common = { accountId: account.id, lastUsedStep: null, createdAt: now }
      if (index % 3 === 0) {
        deps.methods.insert({
          ...common,
          type: 'totp',
          label: 'Authenticator app',
          destination: null,
          secretEnc: deps.secrets.encrypt(seedSecret(index), totpSecretContext(account.id)),
          totp: { algorithm: 'sha1', digits: 6, period: 30 },
          preferred: true,
        })
      }
      if (index % 5 === 0) {
        deps.methods.insert({
          ...common,
          type: 'email',
          label: 'Email',
          destination: seed.email,
          secretEnc: null,
          totp: null,
          preferred: index % 3 !== 0,
        })
      }
    }
  })
}
