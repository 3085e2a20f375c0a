import type { z } from 'zod'
import {
  allowedDuringRequiredSetup,
  channels,
  isChannel,
  type Channel,
  type ChannelAccess,
} from '../../shared/channels'
import type { ErrorPayload, Result } from '../../shared/errors'
import { schemas, type ParsedRequestOf, type ResponseOf } from '../../shared/schemas'
import { AppError, isAppError } from '../domain/app-error'
import type { ResolvedSession } from '../services/auth-service'

/**
 * The transport-agnostic router (DESIGN.md): `dispatch(channel, rawInput, context)`.
 * It checks that the channel exists, resolves the caller's session, enforces the
 * channel's access level (S14: a session waiting for its second factor reaches
 * only `pending` channels), validates input with the contract's schema (S25),
 * enforces the channel's declared step-up (S15, S32: a recent password check,
 * decided here and never by a handler), calls the handler, parses the response (dropping any field not in the
 * contract) and maps every error to a code. It never throws and never sends a
 * stack trace across the boundary.
 */
export type Transport = 'window' | 'preview'

export interface CallContext {
  /** Identifies one window (Electron webContents) or one browser tab (preview). */
  readonly clientKey: string
  readonly transport: Transport
}

interface PublicContext {
  readonly session: ResolvedSession | null
  readonly actor: string
  /** Binds a new session to the calling client (after sign-in). */
  bindSession(sessionId: string): void
  unbindSession(): void
}

interface SessionContext extends PublicContext {
  readonly session: ResolvedSession
}

export type HandlerContext<C extends Channel> = (typeof channels)[C]['access'] extends 'public'
  ? PublicContext
  : SessionContext

export type Handlers = {
  readonly [C in Channel]: (
    input: ParsedRequestOf<C>,
    context: HandlerContext<C>,
  ) => Promise<ResponseOf<C>> | ResponseOf<C>
}

export interface SessionResolver {
  resolveSession(sessionId: string): ResolvedSession
  /** S15: throws STEP_UP_REQUIRED unless the session's password check is recent. */
  requireStepUp(resolved: ResolvedSession): void
}

export interface Router {
  /** Typed for callers that name a known channel (tests, in-process use); transports pass any string. */
  dispatch<C extends Channel>(channel: C, rawInput: unknown, context: CallContext): Promise<Result<ResponseOf<C>>>
  dispatch(channel: string, rawInput: unknown, context: CallContext): Promise<Result<unknown>>
}

export interface RouterOptions {
  readonly handlers: Handlers
  readonly sessions: SessionResolver
  /** Called with programmer errors; the caller logs them (never the input, which may hold a password). */
  readonly onInternalError?: (channel: string, error: unknown) => void
}

function fail(code: ErrorPayload['code'], message: string, extra: Partial<ErrorPayload> = {}): Result<never> {
  return { ok: false, error: { code, message, ...extra } }
}

function validationFailure(error: z.ZodError): Result<never> {
  const fields = error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }))
  const first = fields[0]
  return fail('VALIDATION', first ? `${first.field}: ${first.message}` : 'Invalid input', { fields })
}

function accessAllows(channel: Channel, access: ChannelAccess, session: ResolvedSession): AppError | null {
  if (access === 'pending') return null
  if (session.session.state === 'enrollment_required') {
    return allowedDuringRequiredSetup.has(channel)
      ? null
      : new AppError('FORBIDDEN', 'Set up multi-factor authentication first; the site policy requires it')
  }
  if (session.session.state !== 'active') {
    return new AppError('FORBIDDEN', 'Finish signing in with your second factor first')
  }
  if (access === 'admin' && session.account.role !== 'admin') {
    return new AppError('FORBIDDEN', 'Only an administrator can do this')
  }
  return null
}

export function createRouter(options: RouterOptions): Router {
  const bound = new Map<string, string>()

  function resolve(context: CallContext): ResolvedSession | AppError {
    const sessionId = bound.get(context.clientKey)
    if (sessionId === undefined) return new AppError('UNAUTHENTICATED', 'Sign in to continue')
    try {
      return options.sessions.resolveSession(sessionId)
    } catch (error) {
      bound.delete(context.clientKey)
      if (isAppError(error)) return error
      throw error
    }
  }

  async function dispatch(channel: string, rawInput: unknown, context: CallContext): Promise<Result<unknown>> {
    if (typeof channel !== 'string' || !isChannel(channel)) return fail('NOT_FOUND', 'No such channel')
    try {
      const spec = channels[channel]
      const resolved = resolve(context)
      let session: ResolvedSession | null = null
      if (resolved instanceof AppError) {
        if (spec.access !== 'public') return { ok: false, error: resolved.toPayload() }
      } else {
        const refusal = spec.access === 'public' ? null : accessAllows(channel, spec.access, resolved)
        if (refusal) return { ok: false, error: refusal.toPayload() }
        session = resolved
      }
      const parsed = schemas[channel].request.safeParse(rawInput ?? {})
      if (!parsed.success) return validationFailure(parsed.error)
      // S32: step-up is part of the contract. Checked after validation, as the handlers did, so a
      // malformed request is named as such rather than prompting for a password first.
      if (spec.stepUp) {
        if (session === null) return fail('UNAUTHENTICATED', 'Sign in to continue')
        options.sessions.requireStepUp(session)
      }
      const handlerContext: PublicContext = {
        session,
        actor: `${context.transport}:${session?.account.username ?? '?'}`,
        bindSession: (id) => void bound.set(context.clientKey, id),
        unbindSession: () => void bound.delete(context.clientKey),
      }
      const handler = options.handlers[channel] as (input: unknown, ctx: PublicContext) => unknown
      const output = await handler(parsed.data, handlerContext)
      const checked = schemas[channel].response.safeParse(output)
      if (!checked.success) {
        options.onInternalError?.(channel, checked.error)
        return fail('INTERNAL', 'Something went wrong inside Keyhold')
      }
      return { ok: true, value: checked.data }
    } catch (error) {
      if (isAppError(error)) return { ok: false, error: error.toPayload() }
      options.onInternalError?.(channel, error)
      return fail('INTERNAL', 'Something went wrong inside Keyhold')
    }
  }

  return { dispatch: dispatch as Router['dispatch'] }
}

/** When the database or keychain could not be opened: the state explains why, everything else is UNAVAILABLE. */
export function createUnavailableRouter(problem: ResponseOf<'app:get-state'> & { status: 'unavailable' }): Router {
  const dispatch = async (channel: string): Promise<Result<unknown>> => {
    if (channel === 'app:get-state') return { ok: true, value: problem }
    return fail('UNAVAILABLE', problem.problem.message)
  }
  return { dispatch: dispatch as Router['dispatch'] }
}
