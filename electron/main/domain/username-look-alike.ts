import { rectifyConfusion } from 'unicode-confusables'
import propertyValueAliases from 'unicode-property-value-aliases-ecmascript'
import { usernameKey } from './username'

/**
 * S30: usernames that look alike. Two checks from Unicode Technical Standard #39:
 *
 * - the confusable skeleton: NFD, each character replaced by its prototype from Unicode's
 *   confusables.txt (the `unicode-confusables` package), NFD again. Taken of the username
 *   key (NFKC, lower case), as usernames are compared without regard to case. Two names
 *   with one skeleton look alike: `bob` and `bоb` (Cyrillic о).
 * - the "Highly Restrictive" level: every letter from one script, or Latin with Han and
 *   Hiragana/Katakana, with Han and Bopomofo, or with Han and Hangul (`王Lee` is fine, Latin
 *   mixed with Cyrillic is not).
 */
export function usernameSkeleton(username: string): string {
  return rectifyConfusion(usernameKey(username).normalize('NFD')).normalize('NFD')
}

/**
 * One test per script, from the script names ECMAScript knows (the property value aliases
 * package) and the Script_Extensions data built into the JavaScript engine. A name the engine
 * does not know as a Script_Extensions value (Katakana_Or_Hiragana) is left out.
 */
const scriptTests: readonly (readonly [string, RegExp])[] = [
  ...new Set(propertyValueAliases.get('Script_Extensions')?.values() ?? []),
].flatMap((name) => {
  try {
    return [[name, new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u')] as const]
  } catch {
    return []
  }
})

/** Characters that go with every script (digits, punctuation, combining marks). */
const anyScript = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u

/** The sets of scripts that UTS #39's Highly Restrictive level allows to mix. */
const allowedMixes: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
]

// Per character, as the search runs every script's test: an import of many names meets few characters.
const scriptCache = new Map<string, readonly string[] | null>()

function scriptsOf(character: string): readonly string[] | null {
  let scripts = scriptCache.get(character)
  if (scripts === undefined) {
    scripts = anyScript.test(character) ? null : scriptTests.filter(([, test]) => test.test(character)).map(([n]) => n)
    scriptCache.set(character, scripts)
  }
  return scripts
}

/** Whether the username stays within UTS #39's Highly Restrictive level. */
export function isHighlyRestrictive(username: string): boolean {
  // Plain ASCII letters, digits and punctuation are Latin and Common only.
  if (/^[ -~]*$/.test(username)) return true
  const perCharacter = [...username.normalize('NFD')].map(scriptsOf).filter((s): s is readonly string[] => s !== null)
  if (perCharacter.length === 0) return true
  // Single script: one script common to every character.
  const [first, ...rest] = perCharacter
  if (first!.some((script) => rest.every((scripts) => scripts.includes(script)))) return true
  // Or every character belongs to one of the allowed mixes ("covered by" it).
  return allowedMixes.some((mix) => perCharacter.every((scripts) => scripts.some((s) => mix.has(s))))
}
