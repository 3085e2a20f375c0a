import { runCli } from '../cli/run-cli'

/**
 * The function `Keyhold --cli` runs: the operator CLI (the same code as out/main/cli.js), given the
 * Electron build of better-sqlite3 — npm's build inside node_modules is for Node and cannot load here.
 */
export type CliRunner = (args: readonly string[]) => Promise<number>

export function loadCliRunner(nativeBinding: string | undefined): CliRunner | null {
  return (args) => runCli(args, undefined, { nativeBinding })
}
