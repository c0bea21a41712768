import type { Channel } from '../domain/channel.js';
import { AppError } from '../domain/errors.js';
import type { DeliverMessages, PlatformConnection } from '../ports/channel-adapter.js';
import type { CoreDeps } from '../usecases/deps.js';
import { receiveMessages } from '../usecases/receive-messages.js';

interface Open {
  /** The channel as it was when connected: a change of settings means reconnect. */
  version: string;
  connection: Promise<PlatformConnection | null>;
}

const versionOf = (c: Channel) => `${c.updatedAt.getTime()}`;

/**
 * The connector role: one platform connection per enabled channel whose adapter connects
 * (DingTalk Stream). Every `intervalMs` it reads the channels from the database, so turning a
 * channel off (or deleting or editing it) closes its socket on every process within about that
 * time, and turning it on opens one (issue 4; DESIGN.md §4.2). Delivered messages are committed
 * through the same use case as webhooks before the adapter acks them.
 */
export function startConnector(deps: CoreDeps, intervalMs = 1000): () => Promise<void> {
  const open = new Map<string, Open>();
  let stopped = false;

  const close = async (id: string) => {
    const entry = open.get(id);
    open.delete(id);
    const connection = await entry?.connection;
    await connection?.close().catch((err: Error) => deps.log.warn({ err: err.message, channelId: id }, 'connection close failed'));
  };

  const connect = (channel: Channel) => {
    const adapter = deps.adapters.get(channel.kind)!;
    const deliver: DeliverMessages = async (messages) => {
      try {
        await receiveMessages(deps, channel, messages);
      } catch (err) {
        // A frame that can never be stored (bad input, a 4xx on a webhook) is acked and dropped:
        // failing it would have the platform redeliver it for ever (issue 11). Anything else
        // (the database down) fails the frame so it comes again.
        if (!(err instanceof AppError) || err.httpStatus >= 500) throw err;
        deps.log.warn({ code: err.code, channelId: channel.id }, 'frame refused as bad input; acked and dropped');
      }
    };
    const connection = adapter.connect!(channel, deliver).catch((err: Error) => {
      deps.log.warn({ err: err.message, channelId: channel.id }, 'connection failed; retrying on the next round');
      open.delete(channel.id);
      return null;
    });
    open.set(channel.id, { version: versionOf(channel), connection });
  };

  async function reconcile(): Promise<void> {
    const channels = await deps.channelRepository.list();
    const wanted = new Map(channels.filter((c) => c.enabled && deps.adapters.get(c.kind)?.connect).map((c) => [c.id, c]));
    for (const [id, entry] of [...open]) {
      const channel = wanted.get(id);
      if (!channel || versionOf(channel) !== entry.version) await close(id);
    }
    for (const [id, channel] of wanted) if (!open.has(id) && !stopped) connect(channel);
  }

  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || stopped) return;
    running = reconcile()
      .catch((err: Error) => deps.log.warn({ err: err.message }, 'connector round failed'))
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
    await Promise.all([...open.keys()].map(close));
  };
}
