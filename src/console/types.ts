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
  /** channelKind (issue 14 item 1): a nameless web chat visitor is 访客 n (contact-label.ts). */
  contact: { id: string; externalId: string; name: string | null; address?: Record<string, string>; channelKind?: string | null };
  replyWindow: ReplyWindow | null;
  lastMessage: Message | null;
  handoffReason: string | null;
  assigneeId: string | null;
  lastConfidence: number | null;
  /** When it last entered the queue; null unless queued or assigned (older servers omit it). */
  waitingSince?: string | null;
  /** With ?q= (issue 14 item 1): the latest message whose text matched; null when the name or id did. */
  match?: { messageId: string; sender: Sender; text: string } | null;
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
  /** Internal notes, agents only, never sent (issue 14 item 2); older servers omit them. */
  notes?: ConversationNote[];
}

/** An internal note (issue 14 item 2); `transfer`: the note given with a transfer (转交备注, item 3). */
export interface ConversationNote {
  id: string;
  authorId: string;
  kind: 'note' | 'transfer';
  text: string;
  createdAt: string;
}

export interface DirectoryChannel {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  botEnabled: boolean;
  /** issue 15: replies reach the customer only when the platform polls for them (智能机器人 in callback mode). */
  pollsReplies?: boolean;
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
  /** issue 14 item 4: an agent set their presence, or dropped offline when their last tab closed. */
  | { type: 'agent.presence'; userId: string; presence: Presence; since: string | null }
  | { type: 'resync' };

/** issue 14 item 4: whether an agent takes new chats (online), keeps theirs only (away), or neither. */
export type Presence = 'online' | 'away' | 'offline';
/** GET /api/me/presence and PUT's answer. */
export interface PresenceAnswer {
  userId: string;
  presence: Presence;
  since: string | null;
}
/** GET /api/agents: who may take chats, and how busy they are now. */
export interface AgentStatus {
  id: string;
  name: string;
  email: string;
  role: Role;
  presence: Presence;
  presenceSince: string | null;
  capacity: number;
  openChats: number;
}

/** One visit of a contact (issue 14 item 1): a stretch of their one conversation between closes. */
export interface ContactVisit {
  firstMessageId: string;
  startedAt: string;
  endedAt: string | null;
  messageCount: number;
  firstCustomerText: string | null;
  agentIds: string[];
}

/** GET /api/contacts/:id (issue 14 item 1). */
export interface ContactProfile {
  id: string;
  channel: { id: string; name: string; kind: string };
  externalId: string;
  name: string | null;
  firstSeen: string;
  note: string | null;
  noteUpdatedBy: string | null;
  noteUpdatedAt: string | null;
  conversationId: string | null;
  visits: ContactVisit[];
}

/** GET /api/quick-replies (issue 14 item 3): the shared ones and the caller's own. Texts keep their {客户}-style variables. */
export interface QuickReply {
  id: string;
  ownerId: string | null;
  title: string;
  text: string;
  shared: boolean;
  /** A personal reply of the caller. */
  mine: boolean;
  /** Whether the caller may change or delete it (own ones; shared ones for admins). */
  editable: boolean;
  createdAt: string;
  updatedAt: string;
}
