import type { ChannelAdapter } from '../../src/ports/channel-adapter.js';
import type { EventBus } from '../../src/ports/event-bus.js';
import { parseWebchatConfig, webchatConfigFields } from './config.js';

/**
 * The built-in web chat. Replies travel over the event bus to whichever web process holds the
 * visitor's stream; the history endpoint serves whatever a closed tab missed.
 */
export function createWebchatAdapter(deps: { events: EventBus; now?: () => Date }): ChannelAdapter {
  const now = deps.now ?? (() => new Date());
  return {
    kind: 'webchat',
    label: '网页聊天',
    secretFields: [],
    configFields: webchatConfigFields,
    safeToResend: true,
    parseConfig: parseWebchatConfig,
    // Nothing outside this process to reach: the config only has to parse.
    async testConnection(channel) {
      parseWebchatConfig(channel.config);
    },
    async send(channel, to, message) {
      // The stored message's id, as the visitor's history names it, so the widget shows it once.
      await deps.events.publish({
        type: 'webchat.reply', channelId: channel.id, visitorId: to.externalId,
        messageId: message.messageId ?? `outbox-${message.outboxId}`, sender: message.sender ?? 'bot', text: message.text, at: now().toISOString(),
      });
      return { platformMessageId: message.outboxId };
    },
  };
}
