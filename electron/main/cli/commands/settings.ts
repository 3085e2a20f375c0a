import { schemas } from '../../../shared/schemas'
import type { CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { formatFields } from '../output'
import { checkInput, withOptionNames } from './mfa'

/** `keyhold settings …`: site-wide settings. The site name is the TOTP issuer and appears in codes' messages. */
const get: CommandDefinition = {
  words: ['settings', 'get'],
  args: [],
  options: {},
  usage: 'settings get',
  summary: 'Show the site settings',
  async run({ dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const siteName = keyhold.services.site.siteName()
      output.result({ siteName }, formatFields([['Site name', siteName]]))
    })
  },
}

const setSiteName: CommandDefinition = {
  words: ['settings', 'set', 'site-name'],
  args: ['NAME'],
  options: {},
  usage: 'settings set site-name NAME',
  summary: 'Name the site (1 to 64 characters): the issuer authenticator apps show, and the name in messages',
  async run({ args, dataDir, actor, output }) {
    const names = { siteName: 'NAME' }
    const { siteName: wanted } = checkInput(schemas['settings:set-site-name'].request, { siteName: args[0]! }, names)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const siteName = await withOptionNames(names, () => keyhold.services.site.setSiteName(wanted, actor))
      output.result(
        { siteName },
        `The site is now called "${siteName}"; authenticator apps added from now on show it as the issuer.`,
      )
    })
  },
}

export const settingsCommands: readonly CommandDefinition[] = [get, setSiteName]
