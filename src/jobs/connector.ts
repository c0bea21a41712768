import type { Channel } from '../domain/channel.js';
import { AppError } from '../domain/errors.js';
import type { ConnectionGauges } from '../metrics.js';
import type { ConnectionReport, DeliverMessages, PlatformConnection } from '../ports/channel-adapter.js';
import type { CoreDeps } from '../usecases/deps.js';
import { receiveMessages } from '../usecases/receive-messages.js';
import { sendOutboxMessage } from '../usecases/send-outbox-message.js';
import { recordCustomerFeedback } from '../usecases/record-customer-feedback.js';

interface Open {
  /** The channel as it was when connected: a change of settings means reconnect. */
  version: string;
  connection: Promise<PlatformConnection | null>;
  /** Set when close() starts: what the closing connection still reports is dropped. */
  closing: boolean;
  /** The channel as connected (issue 15: its outbox rows go out over this connection). */
  channel?: Channel;
}

/**
 * issue 15: how long a connector's lease on a single-connection channel lasts without renewal
 * (renewed every round): a connector killed outright is replaced after at most this.
 */
export const CONNECTION_LEASE_MS = 10_000;
/** issue 15: how often the lease holder looks for its channels' due outbox rows. */
export const CONNECTION_OUTBOX_MS = 250;

const versionOf = (c: Channel) => `${c.updatedAt.getTime()}`;

/**
 * How often a running connection's status row is touched (issue 14 item 6). The API calls a row
 * older than 30 s stale (no connector runs it): three missed beats.
 */
export const CONNECTION_HEARTBEAT_MS = 10_000;
/** How often the connector reads the channels (a channel turned off is closed within about this). */
export const CONNECTOR_ROUND_MS = 1000;

const noGauges: ConnectionGauges = { connected: () => undefined, forget: () => undefined, wanted: () => undefined };

/**
 * The connector role: one platform connection per enabled channel whose adapter connects
 * (DingTalk Stream). Every `intervalMs` it reads the channels from the database, so turning a
 * channel off (or deleting or editing it) closes its socket on every process within about that
 * time, and turning it on opens one (issue 4; DESIGN.md §4.2). Delivered messages are committed
 * through the same use case as webhooks before the adapter acks them.
 *
 * issue 14 item 6: each connection's state (connecting, connected, reconnecting with the last
 * error) is written to deps.connectionStatus on every change, and touched every
 * CONNECTION_HEARTBEAT_MS while this process runs the connection, so the console can tell a
 * connection that keeps failing, and one nobody runs. The row goes when the connection is closed.
 *
 * issue 16 item 5: `gauges` (kefu_channel_connected) follow the same reports: a channel's series
 * lives while this process runs its connection, and goes with its status row or when the lease
 * moves to another process.
 */
export function startConnector(deps: CoreDeps, intervalMs = CONNECTOR_ROUND_MS, heartbeatMs = CONNECTION_HEARTBEAT_MS, gauges = noGauges): () => Promise<void> {
  const open = new Map<string, Open>();
  /** issue 15: single-connection channels whose lease this process holds. */
  const leased = new Set<string>();
  /** What this process last recorded per channel; kept across the connector's own retries. */
  const known = new Map<string, ConnectionReport>();
  /** Per channel, so a channel's status writes land in the order they happened. */
  const writes = new Map<string, Promise<void>>();
  let stopped = false;

  const write = (channelId: string, what: string, step: () => Promise<unknown>) => {
    const next = (writes.get(channelId) ?? Promise.resolve())
      .then(step)
      .then(() => undefined, (err: Error) => deps.log.warn({ err: err.message, channelId }, `connection status ${what} failed`));
    writes.set(channelId, next);
    void next.finally(() => {
      if (writes.get(channelId) === next) writes.delete(channelId);
    });
    return next;
  };

  /** This process no longer runs the channel's connection: what it last recorded goes. */
  const forget = (id: string) => {
    known.delete(id);
    gauges.forget(id);
  };

  /** Writes a report of `entry`'s connection, if it still is the channel's connection and says something new. */
  const reportFor = (channel: Channel, entry: Open) => (report: ConnectionReport) => {
    const channelId = channel.id;
    if (entry.closing || open.get(channelId) !== entry) return;
    const before = known.get(channelId);
    // A fresh attempt after failures (the connector's own retry) is still reconnecting: `since` stays.
    if (report.state === 'connecting' && before?.state === 'reconnecting') return;
    if (before && before.state === report.state && before.error === report.error) return;
    known.set(channelId, report);
    gauges.connected(channel, report.state === 'connected');
    void write(channelId, 'write', () => deps.connectionStatus.record(channelId, report, deps.workerId));
  };

  /** `forgetting`: the channel is off, gone, or this process stops: its status row goes too. */
  const close = async (id: string, forgetting: boolean) => {
    const entry = open.get(id);
    if (entry) entry.closing = true;
    open.delete(id);
    const connection = await entry?.connection;
    await connection?.close().catch((err: Error) => deps.log.warn({ err: err.message, channelId: id }, 'connection close failed'));
    if (forgetting) {
      forget(id);
      await write(id, 'removal', () => deps.connectionStatus.remove(id));
      if (leased.delete(id)) await deps.connectionLeases?.release(id, deps.workerId).catch((err: Error) => deps.log.warn({ err: err.message, channelId: id }, 'connection lease release failed'));
    }
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
    const entry: Open = { version: versionOf(channel), connection: Promise.resolve(null), closing: false, channel };
    const report = reportFor(channel, entry);
    open.set(channel.id, entry);
    // Through a promise: a config that no longer parses throws synchronously in some adapters.
    entry.connection = Promise.resolve()
      .then(() => adapter.connect!(channel, deliver, report, {
        // issue 15: a member's 👍/👎 on one of this channel's bot answers.
        customerFeedback: async (feedback) => {
          if (!(await recordCustomerFeedback(deps, channel.id, feedback))) deps.log.info({ channelId: channel.id, messageId: feedback.messageId }, 'feedback on no rateable bot message; ignored');
        },
      }))
      .catch((err: Error) => {
        deps.log.warn({ err: err.message, channelId: channel.id }, 'connection failed; retrying on the next round');
        report({ state: 'reconnecting', error: err.message });
        if (open.get(channel.id) === entry) open.delete(channel.id);
        return null;
      });
  };

  async function reconcile(): Promise<void> {
    const channels = await deps.channelRepository.list();
    const connects = (c: Channel) => {
      const adapter = deps.adapters.get(c.kind);
      return adapter?.connect !== undefined && (adapter.connectsFor?.(c) ?? true);
    };
    const wanted = new Map(channels.filter((c) => c.enabled && connects(c)).map((c) => [c.id, c]));
    // Before the leases: a channel is wanted whoever connects it (the alert looks for it on any replica).
    gauges.wanted([...wanted.values()]);
    // issue 15: a channel the platform allows one connection for is connected by the lease holder only.
    const elsewhere = new Set<string>();
    if (deps.connectionLeases && !stopped) {
      for (const [id, channel] of [...wanted]) {
        if (!deps.adapters.get(channel.kind)?.exclusiveConnection) continue;
        if (await deps.connectionLeases.acquire(id, deps.workerId, CONNECTION_LEASE_MS)) {
          leased.add(id);
        } else {
          leased.delete(id);
          wanted.delete(id);
          elsewhere.add(id);
        }
      }
    }
    for (const [id, entry] of [...open]) {
      const channel = wanted.get(id);
      if (!channel || versionOf(channel) !== entry.version) await close(id, !channel && !elsewhere.has(id));
    }
    // Another process holds it now: its status row is that process's to write.
    for (const id of elsewhere) forget(id);
    // A channel whose connection failed outright has no entry until the next round, but is still wanted.
    for (const id of [...known.keys()]) if (!wanted.has(id) && !open.has(id)) await close(id, true);
    // Turned off or deleted while this process held the lease without a connection: give it back.
    for (const id of [...leased]) if (!wanted.has(id) && !open.has(id)) await close(id, true);
    for (const [id, channel] of wanted) if (!open.has(id) && !stopped) connect(channel);
  }

  /** The heartbeat: touch every row this process runs; one somebody removed or overwrote is written again. */
  function beat(): void {
    for (const [id, entry] of open) {
      const report = known.get(id);
      if (entry.closing || !report) continue;
      void write(id, 'heartbeat', async () => {
        if (!(await deps.connectionStatus.touch(id, report.state, deps.workerId))) await deps.connectionStatus.record(id, { state: report.state }, deps.workerId);
      });
    }
  }

  /**
   * issue 15: the holder of a channel's connection sends the channel's due outbox rows over it
   * (ChannelAdapter.sendsOverConnection): workers elsewhere leave them waiting. Claimed through the
   * outbox like any send, so a row goes out once; retries and give-ups as sendOutboxMessage does.
   */
  let delivering: Promise<void> | null = null;
  async function deliverOutbox(): Promise<void> {
    if (!deps.connectionLeases) return;
    for (const [id, entry] of [...open]) {
      const channel = entry.channel;
      const adapter = channel && deps.adapters.get(channel.kind);
      if (entry.closing || !channel || !adapter?.sendsOverConnection?.(channel) || !adapter.connectedHere?.(id)) continue;
      for (const outboxId of await deps.connectionLeases.dueOutbox(id, 20)) {
        if (stopped || open.get(id) !== entry) break;
        await sendOutboxMessage(deps, outboxId);
      }
    }
  }
  const deliverTick = () => {
    if (delivering || stopped) return;
    delivering = deliverOutbox()
      .catch((err: Error) => deps.log.warn({ err: err.message }, 'connection outbox round failed'))
      .finally(() => (delivering = null));
  };
  const outboxTimer = setInterval(deliverTick, Math.min(CONNECTION_OUTBOX_MS, intervalMs));
  outboxTimer.unref();

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
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    clearInterval(heartbeat);
    clearInterval(outboxTimer);
    await running;
    await delivering;
    await Promise.all([...new Set([...open.keys(), ...known.keys(), ...leased])].map((id) => close(id, true)));
    gauges.wanted([]);
  };
}
