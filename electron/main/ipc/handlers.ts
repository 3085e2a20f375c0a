import type { Keyhold } from '../composition/open-keyhold'
import type { Handlers } from './router'

/** Each channel mapped to its service call. Input here is already validated. */
export function createHandlers(keyhold: Keyhold): Handlers {
  const { auth, accounts } = keyhold
  return {
    'app:get-state': (_input, ctx) => ({
      status: 'ready',
      setupRequired: accounts.isSetupRequired(),
      session: ctx.session ? auth.sessionView(ctx.session) : null,
    }),
    'setup:create-admin': async (input, ctx) => {
      const created = await accounts.createFirstAdmin(input, `${ctx.actor.split(':')[0]}:setup`)
      return { username: created.username }
    },
    'auth:sign-in': async (input, ctx) => {
      const transport = ctx.actor.split(':')[0]!
      const { sessionId, view } = await auth.signIn(input, transport)
      // A client signing in again replaces its earlier session.
      if (ctx.session) auth.signOut(ctx.session, ctx.actor)
      ctx.bindSession(sessionId)
      return { status: 'signed-in', session: view }
    },
    'auth:sign-out': (_input, ctx) => {
      auth.signOut(ctx.session, ctx.actor)
      ctx.unbindSession()
      return {}
    },
    'auth:confirm-password': (input, ctx) => auth.confirmPassword(ctx.session, input.password, ctx.actor),
    'account:get-me': (_input, ctx) => accounts.getAccountById(ctx.session.account.id),
    'account:change-password': async (input, ctx) => {
      auth.requireStepUp(ctx.session)
      await accounts.changeOwnPassword(ctx.session.account, input.newPassword, ctx.actor, ctx.session.session.id)
      return {}
    },
  }
}
