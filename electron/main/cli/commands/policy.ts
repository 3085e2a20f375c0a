import { readFileSync } from 'node:fs'
import { policyDocumentSchema, type PolicyDocument } from '../../../shared/policy-schemas'
import { isAppError } from '../../domain/app-error'
import { CliError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { readStdinText } from '../read-lines'

/**
 * `keyhold policy get|set`: the site's MFA policy as JSON, the same document
 * the admin window edits. `set` validates with the contract's schema (every
 * limit within SECURITY.md's ranges) and then the policy service, which
 * refuses a policy that would leave a role unable to set up any method (the
 * last administrator first of all), versions it and audits the change.
 */

/** What `policy get` prints beside the document; `policy set` accepts them back and ignores them. */
const readOnlyKeys = ['version', 'updatedAt', 'updatedBy', 'requiredSince'] as const

interface FieldProblem {
  readonly field: string
  readonly message: string
}

function validationError(fields: readonly FieldProblem[]): CliError {
  return new CliError('VALIDATION', fields.map((f) => `${f.field}: ${f.message}`).join('; '), undefined, { fields })
}

function parseDocument(text: string, source: string): PolicyDocument {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CliError('VALIDATION', `${source} is not valid JSON: ${error instanceof Error ? error.message : error}`)
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    // `policy get > policy.json`, edit, `policy set policy.json`: the view's read-only fields may come back.
    const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) }
    for (const key of readOnlyKeys) delete copy[key]
    data = copy
  }
  const parsed = policyDocumentSchema.safeParse(data)
  if (parsed.success) return parsed.data
  throw validationError(
    parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(document)',
      message: issue.message,
    })),
  )
}

const get: CommandDefinition = {
  words: ['policy', 'get'],
  args: [],
  options: {},
  usage: 'policy get',
  summary: 'Print the MFA policy in force as JSON (edit it and give it back to "policy set")',
  async run({ dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const view = keyhold.services.policy.view()
      output.result(view, JSON.stringify(view, null, 2))
    })
  },
}

const set: CommandDefinition = {
  words: ['policy', 'set'],
  args: ['[FILE]'],
  options: {},
  usage: 'policy set [FILE]  (or the JSON document on stdin)',
  summary:
    'Replace the MFA policy with a JSON document {site, roles}; every field is checked, the change is versioned and audited',
  async run({ args, dataDir, actor, output }) {
    const file = args[0]
    let text: string
    if (file === undefined || file === '-') text = await readStdinText(undefined, 'the policy document')
    else {
      try {
        text = readFileSync(file, 'utf8')
      } catch (error) {
        throw new CliError(
          'NOT_FOUND',
          `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        )
      }
    }
    const source = file === undefined || file === '-' ? 'The policy on stdin' : file
    if (text.trim() === '') throw new CliError('VALIDATION', `${source} is empty; give a JSON policy document`)
    const document = parseDocument(text, source)
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      let view
      try {
        view = keyhold.services.policy.set(document, actor)
      } catch (error) {
        // The service's own checks (a role left without any method it can set up) name their fields too.
        const fields = isAppError(error) && error.code === 'VALIDATION' ? error.extra.fields : undefined
        if (fields && fields.length > 0) throw validationError(fields)
        throw error
      }
      output.result(view, `The MFA policy is now version ${view.version}.`)
    })
  },
}

export const policyCommands: readonly CommandDefinition[] = [get, set]
