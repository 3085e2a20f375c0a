/**
 * The function `Keyhold --cli` runs: the operator CLI's entry (electron/main/cli), given the Electron
 * build of better-sqlite3 (npm's build inside node_modules is for Node and cannot load in Electron).
 *
 * NOT CONNECTED YET, on purpose: electron/main/cli/index.ts starts the CLI with `process.argv` as soon
 * as it is imported (it is also the out/main/cli.js entry), so importing its `runCli` here would run a
 * second CLI, with the app's own arguments, every time. It returns null until the CLI's entry function
 * lives in a module without that side effect and accepts the binding; then this becomes
 *   `return (args) => runCli(args, { nativeBinding })`
 * with `import { runCli } from '../cli/run-cli'`.
 */
export type CliRunner = (args: readonly string[]) => Promise<number>

export function loadCliRunner(_nativeBinding: string | undefined): CliRunner | null {
  return null
}
