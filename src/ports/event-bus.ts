/** What the console and the web chat hear about. Crosses processes when Redis is configured. */
export type AppEvent =
  | { type: 'conversation.updated'; conversationId: string; channelId: string; status: string }
  | { type: 'message.added'; conversationId: string; channelId: string; messageId: string; sender: string }
  | { type: 'message.status'; conversationId: string; channelId: string; messageId: string; status: string }
  | { type: 'channel.changed'; channelId: string }
  /** Sign-ins ended (logout: one session by its token hash; disabled or new password: all of a user's): their open streams close. */
  | { type: 'sessions.ended'; userId: string; tokenHash: string | null }
  /** A reply for a web chat visitor, delivered to whichever web process holds their stream. */
  | { type: 'webchat.reply'; channelId: string; visitorId: string; messageId: string; sender: 'bot' | 'agent'; text: string; at: string }
  /** issue 14 item 4: an agent's presence changed (set by them, or dropped when their last console tab closed). */
  | { type: 'agent.presence'; userId: string; presence: string; since: string | null };

export interface EventBus {
  publish(event: AppEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  close(): Promise<void>;
}
