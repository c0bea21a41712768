import type { Channel, ChannelKind } from '../domain/channel.js';

const CALLBACK_PATHS: Partial<Record<ChannelKind, string>> = {
  wecom_app: '/webhooks/wecom/',
  wecom_kf: '/webhooks/wecom/',
  wecom_bot: '/webhooks/wecom-bot/',
  dingtalk_http: '/webhooks/dingtalk/',
  webchat: '/webchat/',
};

/** What the API shows of a channel: secrets only as "set" markers (DESIGN.md §3.6). */
export function channelView(channel: Channel, secretFields: readonly string[], publicUrl: string) {
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
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}
