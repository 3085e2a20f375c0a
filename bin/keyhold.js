#!/usr/bin/env node
'use strict'
// The `keyhold` command (package.json "bin"): the operator CLI, which `npm run build` emits as out/main/cli.js.
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const entry = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(entry)) {
  process.stderr.write('error: Keyhold is not built yet; run: npm run build\n')
  process.exit(1)
}
require(entry)
