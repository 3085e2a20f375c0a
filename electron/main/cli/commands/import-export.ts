import { closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { createPrivateFile, writePrivateFile } from '../../adapters/system/private-files'
import { createImportService, type IssuedSetupCode, type RowProblem } from '../../services/import-service'
import {
  AccountFileError,
  formatAccountFile,
  formatOf,
  parseAccountFile,
  type AccountFileFormat,
} from '../account-file'
import { CliError, flagOption, stringOption, UsageError, type CommandDefinition } from '../command'
import { csvRecord } from '../csv-format'
import { withKeyhold } from '../open-data-dir'
import { formatTable, shortTime, terminalSafe } from '../output'
import { createProgress } from '../progress'
import { readStdinText } from '../read-lines'

/**
 * `keyhold account import FILE` and `account export FILE`: CSV (header
 * `username,display_name,email,phone,role`) or JSON, never a password or a
 * secret. An import checks every row first and imports nothing if any is bad
 * (unless --skip-invalid); each imported account gets a one-time setup code,
 * printed once or written to --codes-file (mode 0600).
 */
function formatFor(file: string, option: string | undefined, command: CommandDefinition): AccountFileFormat {
  const format = formatOf(file, option)
  if (format !== null) return format
  throw new UsageError(
    option === undefined
      ? 'say --format csv or --format json: the file name does not end in .csv or .json'
      : `--format must be csv or json, not "${option}"`,
    command,
  )
}

function readInput(file: string): Promise<string> | string {
  if (file === '-') return readStdinText(undefined, 'the account file')
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new CliError('NOT_FOUND', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new CliError('VALIDATION', `${file} is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)`)
  }
}

function problemText(p: RowProblem): string {
  const who = p.username === null ? '' : ` (${p.username})`
  return `line ${p.line}${who}: ${p.field === null ? '' : `${p.field}: `}${p.message}`
}

/** The codes file exists from before the import on, so a name that is taken stops everything before any work. */
function createCodesFile(file: string): number {
  try {
    // Never over a file (it may hold the codes of an earlier import) or a link; 0600: the codes are credentials (S31).
    return createPrivateFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError(
      code === 'EEXIST' ? 'CONFLICT' : 'VALIDATION',
      code === 'EEXIST'
        ? `${file} already exists; setup codes are never written over a file`
        : `Cannot create ${file}: ${code}`,
      code === 'EEXIST' ? 'Choose another --codes-file, or move the old one away first' : undefined,
    )
  }
}

function codesText(codes: readonly IssuedSetupCode[]): string {
  return [
    csvRecord(['username', 'setup_code', 'expires_at']),
    ...codes.map((c) => csvRecord([c.username, c.setupCode, c.expiresAt])),
  ].join('')
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

const importCommand: CommandDefinition = {
  words: ['account', 'import'],
  args: ['FILE'],
  options: {
    format: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    'codes-file': { type: 'string' },
  },
  usage: 'account import FILE|- [--format csv|json] [--skip-invalid] [--codes-file FILE]',
  summary:
    'Import accounts from CSV (username,display_name,email,phone,role) or JSON; each gets a one-time setup code, valid 7 days',
  async run({ args, options, dataDir, actor, output }) {
    const file = args[0]!
    const format = formatFor(file, stringOption(options, 'format'), importCommand)
    const skipInvalid = flagOption(options, 'skip-invalid')
    const codesFile = stringOption(options, 'codes-file')
    if (codesFile === '') throw new UsageError('--codes-file needs a file name', importCommand)
    const text = await readInput(file)
    let rows
    try {
      rows = parseAccountFile(text, format)
    } catch (error) {
      if (error instanceof AccountFileError) throw new CliError('VALIDATION', `${file}: ${error.message}`)
      throw error
    }
    const say = (line: string) => {
      if (!output.json) process.stderr.write(`${terminalSafe(line)}\n`)
    }

    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      if (keyhold.accounts.isSetupRequired()) {
        throw new CliError('SETUP_REQUIRED', 'Keyhold has no administrator yet', 'Run: keyhold init --admin NAME')
      }
      const service = createImportService(keyhold.deps, { setupCodes: keyhold.services.setupCodes })
      const { valid, problems } = service.validate(rows)
      const badLines = new Set(problems.map((p) => p.line)).size
      if (problems.length > 0 && (!skipInvalid || valid.length === 0)) {
        for (const p of problems) say(problemText(p))
        throw new CliError(
          'VALIDATION',
          `${plural(badLines, 'row', 'rows')} of ${rows.length} ${badLines === 1 ? 'is' : 'are'} invalid; nothing was imported`,
          valid.length === 0
            ? 'Fix the rows listed above'
            : `Fix them, or add --skip-invalid to import the other ${valid.length}`,
          { invalid: problems },
        )
      }
      for (const p of problems) say(`skipped ${problemText(p)}`)
      if (valid.length === 0) {
        output.result({ imported: 0, skipped: [], setupCodes: [] }, `${file} has no accounts; nothing was imported.`)
        return
      }

      const descriptor = codesFile === undefined ? null : createCodesFile(codesFile)
      const progress = createProgress({ json: output.json, total: valid.length })
      let written = false
      try {
        const result = await service.importRows(valid, actor, {
          skipInvalid,
          onProgress: ({ phase, done, total }) =>
            progress.update(phase === 'setup-codes' ? 'Making setup codes' : 'Saving accounts', done, total),
        })
        progress.end()
        for (const c of result.conflicts) say(`skipped ${problemText(c)}`)
        const skipped = [...problems, ...result.conflicts]
        const count = plural(result.imported.length, 'account', 'accounts')
        if (descriptor !== null) {
          writeSync(descriptor, codesText(result.imported))
          written = true
          output.result(
            { imported: result.imported.length, skipped, codesFile },
            `Imported ${count}. Their one-time setup codes are in ${codesFile} (readable only by you);\n` +
              'hand each user theirs (valid 7 days, for choosing a password at first sign-in), then delete the file.',
          )
          return
        }
        const expires = result.imported[0] ? shortTime(result.imported[0].expiresAt) : '-'
        output.result(
          { imported: result.imported.length, skipped, setupCodes: result.imported },
          [
            `Imported ${count}. Each has a one-time setup code, shown only now and valid until ${expires};`,
            'hand each user theirs: they choose their password with it at first sign-in.',
            '',
            formatTable(
              ['USERNAME', 'SETUP CODE', 'EXPIRES'],
              result.imported.map((c) => [c.username, c.setupCode, shortTime(c.expiresAt)]),
            ),
          ].join('\n'),
        )
      } finally {
        progress.end()
        if (descriptor !== null) {
          closeSync(descriptor)
          // Nothing imported, so the file would hold codes for nobody.
          if (!written) unlinkSync(codesFile!)
        }
      }
    })
  },
}

const exportCommand: CommandDefinition = {
  words: ['account', 'export'],
  args: ['FILE'],
  options: { format: { type: 'string' } },
  usage: 'account export FILE|- [--format csv|json]',
  summary: 'Write every account (username, display name, email, phone, role; no secrets) to a CSV or JSON file',
  async run({ args, options, dataDir, actor, output }) {
    const file = args[0]!
    const format =
      file === '-' && stringOption(options, 'format') === undefined
        ? 'csv'
        : formatFor(file, stringOption(options, 'format'), exportCommand)
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const service = createImportService(keyhold.deps, { setupCodes: keyhold.services.setupCodes })
      const accounts = service.exportAccounts(actor, format)
      const text = formatAccountFile(accounts, format)
      if (file === '-') {
        // The file is the output.
        process.stdout.write(text)
        return
      }
      try {
        // Names, addresses and numbers of people: readable by the operator only, whatever an old file's mode
        // was, and never written through a link (S31: a new file renamed over the old name).
        writePrivateFile(file, text)
      } catch (error) {
        throw new CliError(
          'VALIDATION',
          `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        )
      }
      output.result(
        { exported: accounts.length, file, format },
        `Exported ${plural(accounts.length, 'account', 'accounts')} to ${file} (${format.toUpperCase()}).`,
      )
    })
  },
}

export const importExportCommands: readonly CommandDefinition[] = [importCommand, exportCommand]
