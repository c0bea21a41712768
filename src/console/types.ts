/** Shapes of the agent-side API answers (notes/console-contract.md, "HTTP contract"). */

export type Role = 'admin' | 'agent';
export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}
export interface SessionAnswer {
  user: User;
  csrfToken: string;
}

export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';
export type Sender = 'customer' | 'bot' | 'agent' | 'system';
export type DeliveryStatus = 'pending' | 'done' | 'sending' | 'sent' | 'failed' | 'unknown' | 'recalled';

/** An agent's verdict on a bot answer (issue 12); corrections feed the knowledge suggestions. */
export type FeedbackVerdict = 'good' | 'bad';
export interface MessageFeedback {
  verdict: FeedbackVerdict;
  correction: string | null;
}
/** POST /api/messages/:id/feedback answers this. */
export interface FeedbackAnswer extends MessageFeedback {
  messageId: string;
  by: string;
  at: string;
}

export interface Message {
  id: string;
  sender: Sender;
  kind: string;
  text: string | null;
  attachment: Record<string, string> | null;
  confidence: number | null;
  status: DeliveryStatus;
  error: string | null;
  createdAt: string;
  /** Bot answers only (issue 12); absent from servers without feedback, null when not marked yet. */
  feedback?: MessageFeedback | null;
}

/** 微信客服 only: what is left of the 48-hour / 5-message window; null on other channels. */
export interface ReplyWindow {
  open: boolean;
  secondsLeft: number;
  messagesLeft: number;
}

export interface ConversationSummary {
  id: string;
  channelId: string;
  status: ConversationStatus;
  contact: { id: string; externalId: string; name: string | null; address?: Record<string, string> };
  replyWindow: ReplyWindow | null;
  lastMessage: Message | null;
  handoffReason: string | null;
  assigneeId: string | null;
  lastConfidence: number | null;
  /** When it last entered the queue; null unless queued or assigned (older servers omit it). */
  waitingSince?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A low-confidence handoff's unsent answer (issue 13 item 5), open until an agent sends, edits or discards it. */
export interface AgentDraft {
  id: string;
  text: string;
  confidence: number;
  model: string;
  createdAt: string;
}

export interface ConversationDetail extends ConversationSummary {
  messages: Message[];
  /** The open draft; null when there is none (older servers omit it). */
  draft?: AgentDraft | null;
}

export interface DirectoryChannel {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  botEnabled: boolean;
}
export interface DirectoryUser {
  id: string;
  name: string | null;
  email: string;
  role: Role;
}
export interface Directory {
  channels: DirectoryChannel[];
  users: DirectoryUser[];
}

/** What /api/events sends (src/ports/event-bus.ts), plus `resync` after a reconnect (events may be lost). */
export type ServerEvent =
  | { type: 'conversation.created' | 'conversation.updated'; conversationId: string; channelId: string; status: string }
  | { type: 'message.added'; conversationId: string; channelId: string; messageId: string; sender: string }
  | { type: 'message.status'; conversationId: string; channelId: string; messageId: string; status: string }
  | { type: 'channel.changed'; channelId: string }
  | { type: 'resync' };
