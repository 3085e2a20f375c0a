import { runCli } from './run-cli'

// `keyhold account list | head -1`: a closed pipe ends the CLI quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
