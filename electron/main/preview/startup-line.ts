import type { AppProblem } from '../../shared/schemas'

/**
 * The one stderr line the browser preview prints when Keyhold cannot open (it still serves the page,
 * which shows the full explanation). It says what to do: for a missing Secret Service, which is what a
 * bare server has, the way to try Keyhold anyway is a throwaway keyring in a private D-Bus session
 * (scripts/with-keyring.sh, the same one the tests use). S19: there is no fallback to a key in a file.
 */
export function previewStartupLine(problem: AppProblem): string {
  const fix =
    problem.code === 'KEYCHAIN_UNAVAILABLE'
      ? 'Keyhold never writes its key to a file instead. To try it here, run `scripts/with-keyring.sh npm start` ' +
        '(a throwaway keyring and data folder); to keep your data, start it in a desktop session that runs ' +
        'GNOME Keyring or KWallet.'
      : problem.fix
  // One line even when the keychain library's own message has several.
  return `Keyhold preview: ${problem.message} ${fix}`.replace(/\s*\n\s*/g, ' ')
}
