import type { AnswerLabelStore } from '../ports/answer-labels.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { AdapterRegistry, ChannelDirectory } from '../ports/channel-directory.js';
import type { ChannelRepository } from '../ports/channel-repository.js';
import type { ContactDirectory } from '../ports/contact-directory.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationStats } from '../ports/conversation-stats.js';
import type { ConversationNotes } from '../ports/conversation-notes.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EventBus } from '../ports/event-bus.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { KnowledgeRepository } from '../ports/knowledge-repository.js';
import type { KnowledgeSuggestionStore } from '../ports/knowledge-suggestions.js';
import type { Log } from '../ports/logger.js';
import type { LoginThrottle } from '../ports/login-throttle.js';
import type { ModelCatalog } from '../ports/model-catalog.js';
import type { ModelReportStore } from '../ports/model-reports.js';
import type { OutboxStore } from '../ports/outbox-store.js';
import type { ConnectionLeases } from '../ports/connection-leases.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { PullStore } from '../ports/pull-store.js';
import type { AssignmentStore, PresenceStore } from '../ports/presence.js';
import type { QuickReplyStore } from '../ports/quick-replies.js';
import type { ConnectionStatusStore } from '../ports/connection-status.js';
import type { KnowledgeSearch, Responder } from '../ports/responder.js';
import type { TurnGate } from '../ports/turn-gate.js';
import type { SessionStore } from '../ports/session-store.js';
import type { ShadowAnswerStore } from '../ports/shadow-answers.js';
import type { TrainingDataSource } from '../ports/training-data.js';
import type { UserStore } from '../ports/user-store.js';

export interface CoreSettings {
  /** Burst window before a turn starts (DESIGN.md §3.5). */
  coalesceMs: number;
  /** Adapter used when a channel names none. */
  defaultModelName: string;
  historyLimit: number;
  knowledgeHits: number;
  /** Longer than the model timeout: a live turn never loses its lease. */
  turnLeaseMs: number;
  sendLeaseMs: number;
  /** SEND_RETRY_WINDOW_S: how long a transiently failing send is retried before a person is asked (issue 11). */
  sendRetryWindowMs: number;
  /** MODEL_HANDBACK_S: a model_unavailable handoff nobody took returns to the bot this long after the model is back; 0 = never. */
  modelHandbackMs: number;
  /** Customer messages older than this are stored as history, never answered. */
  maxAnswerAgeMs: number;
  /** How long one pull may run before another process may take over its source. */
  pullLeaseMs: number;
  /** How long a callback's pull token stays usable (WeCom: 10 minutes). */
  pullTokenTtlMs: number;
  auth: AuthSettings;
  /** issue 13 item 1: how the training-data export cleans and splits pairs. */
  training: TrainingSettings;
}

/** The training-data export's settings (issue 13 item 1): TRAINING_* and ORDER_NUMBER_PATTERN. */
export interface TrainingSettings {
  /** TRAINING_CUSTOMER_ADDRESS: how answers address the customer (亲, 您 …). */
  customerAddress: string;
  /** TRAINING_SIGN_OFF: appended once to every answer; empty for none. */
  signOff: string;
  /** TRAINING_PHRASINGS_PER_ANSWER: distinct question phrasings kept per answer group (K). */
  phrasingsPerAnswer: number;
  /** TRAINING_HELDOUT_SHARE: share of answer groups held out for evaluation. */
  heldoutShare: number;
  /** ORDER_NUMBER_PATTERN: the shop's order numbers, masked as PII. */
  orderNumberPattern: RegExp;
}

/** Console sign-in (reliability.md §3.4, §3.6). */
export interface AuthSettings {
  /** SESSION_IDLE_MINUTES and SESSION_MAX_HOURS. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Failed logins counted per window; past a limit, login answers 429 until the window ends. */
  loginWindowMs: number;
  /** Guessing one account from one address. */
  maxFailuresPerAccountAndIp: number;
  /** Spraying many accounts from one address. */
  maxFailuresPerIp: number;
  /**
   * One account guessed from many (or forged) addresses. Never a lockout of the account (issue 11:
   * 50 spoofed failures locked the real admin out for 15 minutes): past this many failures of the
   * account from anywhere, it counts as under attack, and only addresses that already failed at it
   * get fewer tries. An address without failures is never refused because of the others.
   */
  accountUnderAttackAfter: number;
  /** While the account is under attack: failures one address may have at it before it waits. */
  maxFailuresPerAccountAndIpUnderAttack: number;
}

/** Everything a use case may touch: ports only (DESIGN.md §5). */
export interface CoreDeps {
  store: ConversationStore;
  /** Internal notes agents write in a conversation, never sent (issue 14 item 2). */
  notes: ConversationNotes;
  outbox: OutboxStore;
  pulls: PullStore;
  channels: ChannelDirectory;
  channelRepository: ChannelRepository;
  /** Contacts' profiles and shared notes (issue 14 item 1). */
  contacts: ContactDirectory;
  knowledge: KnowledgeRepository;
  search: KnowledgeSearch;
  /** Agents' verdicts on bot answers, for calibration (issue 12 item 4). */
  answerLabels: AnswerLabelStore;
  /** Questions agents answered, proposed as knowledge (issue 12 item 5). */
  suggestions: KnowledgeSuggestionStore;
  responder: Responder;
  /**
   * issue 13 item 4: answers a channel's shadow adapter in the background, with its own breaker and
   * timeout, so a failing shadow never opens the live circuit.
   */
  shadowResponder: Responder;
  /** The adapters the model node serves. */
  models: ModelCatalog;
  modelReports: ModelReportStore;
  shadowAnswers: ShadowAnswerStore;
  queue: JobQueue;
  events: EventBus;
  audit: AuditLog;
  trainingData: TrainingDataSource;
  /**
   * issue 13 item 1: questions only the customer's own records answer (the knowledge-base responder's
   * asksAboutOwnRecords); the training export makes them 转人工 examples. Absent: answers decide alone.
   */
  asksAboutOwnRecords?: (question: string) => boolean;
  stats: ConversationStats;
  users: UserStore;
  sessions: SessionStore;
  passwords: PasswordHasher;
  loginThrottle: LoginThrottle;
  /** Agents' presence and console streams; auto-assignment's statement (issue 14 item 4). */
  presence: PresenceStore;
  assignments: AssignmentStore;
  /** Quick replies, shared and personal (issue 14 item 3). */
  quickReplies: QuickReplyStore;
  /** Live states of platform connections, written by the connector (issue 14 item 6). */
  connectionStatus: ConnectionStatusStore;
  /** issue 15: one connector process per single-connection channel (WeCom 智能机器人 long connection). */
  connectionLeases?: ConnectionLeases;
  adapters: AdapterRegistry;
  clock: Clock;
  log: Log;
  settings: CoreSettings;
  /** Identifies this process in turn leases. */
  workerId: string;
  /** Set for bot turns run by the workers (jobs/turn-slots.ts). */
  turnGate?: TurnGate;
}
