import type { Channel, ChannelOfMethod, MethodName } from './channels'
import type { Result } from './errors'
import type { RequestOf, ResponseOf } from './schemas'

/** The shape of `window.keyhold`: one named function per channel. */
export type KeyholdApi = {
  readonly [M in MethodName]: (input: RequestOf<ChannelOfMethod<M>>) => Promise<Result<ResponseOf<ChannelOfMethod<M>>>>
}

export type ChannelResult<C extends Channel> = Result<ResponseOf<C>>
