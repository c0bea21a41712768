import { AppError, NotFoundError, PlatformError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

export type ConnectionTestResult = { ok: true } | { ok: false; error: { code: string; message: string } };

/**
 * An admin's "test connection": the channel's adapter makes one harmless platform call with the
 * stored credentials (an access token). A refusal is an answer, not an error: it comes back as
 * `ok: false` with the platform's code and message (which never carry a secret), and is audited.
 */
export async function testChannelConnection(deps: CoreDeps, actor: Actor, channelId: string): Promise<ConnectionTestResult> {
  const channel = await deps.channelRepository.get(channelId);
  if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
  const adapter = deps.adapters.get(channel.kind);
  let result: ConnectionTestResult;
  if (!adapter) {
    result = failure('CHANNEL.KIND_UNSUPPORTED', `channel kind ${channel.kind} is not supported by this build`);
  } else if (!adapter.testConnection) {
    result = failure('CHANNEL.TEST_UNSUPPORTED', `channel kind ${channel.kind} has no connection test`);
  } else {
    result = await adapter.testConnection(channel).then((): ConnectionTestResult => ({ ok: true }), (err: unknown) => {
      if (!(err instanceof AppError)) deps.log.warn({ err: (err as Error)?.message, channelId }, 'connection test failed unexpectedly');
      return describe(err);
    });
  }
  const details = result.ok ? { ok: true } : { ok: false, code: result.error.code };
  await deps.audit.record({ actor: actor.id, action: 'channel.test', target: `channel:${channelId}`, details });
  return result;
}

function failure(code: string, message: string): ConnectionTestResult {
  return { ok: false, error: { code, message } };
}

/** Platform refusals and invalid stored config are shown as they are; anything else is ours, not the admin's. */
function describe(err: unknown): ConnectionTestResult {
  if (err instanceof PlatformError) return failure('CHANNEL.CONNECTION_FAILED', err.message);
  if (err instanceof AppError && err.expose) return failure(err.code, err.message);
  return failure('CHANNEL.CONNECTION_FAILED', 'the connection test failed unexpectedly; see the server log');
}
