import type { Channel, ChannelKind } from '../domain/channel.js';
import type { ConnectionState, ConnectionStatus } from '../ports/connection-status.js';

const CALLBACK_PATHS: Partial<Record<ChannelKind, string>> = {
  wecom_app: '/webhooks/wecom/',
  wecom_kf: '/webhooks/wecom/',
  wecom_bot: '/webhooks/wecom-bot/',
  dingtalk_http: '/webhooks/dingtalk/',
  webchat: '/webchat/',
};

/**
 * A connection row whose heartbeat is older than this means no connector process runs it
 * (issue 14 item 6): the connector touches it every 10 s (jobs/connector.ts).
 */
export const CONNECTION_STALE_AFTER_MS = 30_000;

/**
 * The live state of a channel's platform connection (issue 14 item 6). 'stopped': no connector
 * runs it now (the channel is off, or no connector process has picked it up); `stale`: the last
 * state written is older than CONNECTION_STALE_AFTER_MS (its connector stopped or hangs).
 */
export interface ConnectionView {
  state: ConnectionState | 'stopped';
  since: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date | null;
  stale: boolean;
}

/** null for kinds that take webhooks (nothing to connect); `connects`: the kind's adapter opens a connection. */
export function connectionView(channel: Channel, connects: boolean, status: ConnectionStatus | null): ConnectionView | null {
  if (!connects) return null;
  if (!channel.enabled || !status) return { state: 'stopped', since: null, lastError: null, lastErrorAt: null, updatedAt: null, stale: false };
  const { state, since, lastError, lastErrorAt, updatedAt, stale } = status;
  return { state, since, lastError, lastErrorAt, updatedAt, stale };
}

/** What the API shows of a channel: secrets only as "set" markers (DESIGN.md §3.6). */
export function channelView(channel: Channel, secretFields: readonly string[], publicUrl: string, connection: ConnectionView | null = null) {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(channel.config)) {
    config[key] = secretFields.includes(key) ? (value ? '********' : '') : value;
  }
  const path = CALLBACK_PATHS[channel.kind];
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    botEnabled: channel.botEnabled,
    config,
    model: channel.model,
    handoff: channel.handoff,
    welcomeMessage: channel.welcomeMessage,
    callbackUrl: path ? `${publicUrl}${path}${channel.id}` : null,
    connection,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}
