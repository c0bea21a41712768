/**
 * In-memory fakes of the ports (src/ports/*.ts) for unit tests of use cases. Each fake records
 * what it was asked so tests can assert on calls; ports a test does not set up throw when used,
 * so a use case touching something unexpected fails loudly.
 */
import type { Channel, ChannelKind } from '../../src/domain/channel.js';
import { DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { DEFAULT_ORDER_NUMBER_PATTERN } from '../../src/domain/pii.js';
import type { Conversation, Contact } from '../../src/domain/conversation.js';
import type { Message, MessageKind, Sender } from '../../src/domain/message.js';
import type { AuditEntry, AuditLog, AuditRecord } from '../../src/ports/audit-log.js';
import type { ChannelAdapter, OutgoingMessage, SendReceipt, SendTarget } from '../../src/ports/channel-adapter.js';
import type { AdapterRegistry, ChannelDirectory } from '../../src/ports/channel-directory.js';
import type { ChannelPatch, ChannelRepository, NewChannel } from '../../src/ports/channel-repository.js';
import type { Clock } from '../../src/ports/clock.js';
import type { AppEvent, EventBus } from '../../src/ports/event-bus.js';
import type { JobHandler, JobName, JobOptions, JobQueue } from '../../src/ports/job-queue.js';
import type { KnowledgeHit, KnowledgeSearch, Responder, ResponderAnswer, ResponderInput } from '../../src/ports/responder.js';
import type { KnowledgeRecord, KnowledgeRepository, NewKnowledgeEntry } from '../../src/ports/knowledge-repository.js';
import type { Log } from '../../src/ports/logger.js';
import type { ClaimedSend, OutboxStore } from '../../src/ports/outbox-store.js';
import type { CoreDeps, CoreSettings } from '../../src/usecases/deps.js';

/** A port the test did not expect to be used: any method call throws. */
export function unused<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      return () => {
        throw new Error(`${name}.${String(prop)} was called but this test did not fake it`);
      };
    },
  });
}

export function makeChannel(overrides: Partial<Channel> = {}): Channel {
  const at = new Date('2024-01-01T00:00:00Z');
  return {
    id: 'ch-1', kind: 'webchat', name: 'Test channel', enabled: true, botEnabled: true, config: {},
    model: { name: null, threshold: DEFAULT_THRESHOLD, systemPrompt: DEFAULT_SYSTEM_PROMPT },
    handoff: { keywords: [], holdingMessage: DEFAULT_HOLDING_MESSAGE },
    welcomeMessage: null, createdAt: at, updatedAt: at,
    ...overrides,
  };
}

export function makeConversation(overrides: Partial<Conversation> = {}): Conversation {
  const at = new Date('2024-01-01T00:00:00Z');
  return {
    id: 'conv-1', channelId: 'ch-1', contactId: 'contact-1', status: 'bot', handoffReason: null, assigneeId: null,
    lastConfidence: null, createdAt: at, updatedAt: at,
    ...overrides,
  };
}

export function makeContact(overrides: Partial<Contact> = {}): Contact {
  return { id: 'contact-1', channelId: 'ch-1', externalId: 'ext-1', name: null, address: {}, ...overrides };
}

let messageSeq = 0;
export function makeMessage(sender: Sender, text: string | null, kind: MessageKind = 'text', overrides: Partial<Message> = {}): Message {
  messageSeq += 1;
  return {
    id: `msg-${messageSeq}`, conversationId: 'conv-1', sender, kind, text, confidence: null,
    status: sender === 'customer' ? 'pending' : 'sent', error: null, attachment: null,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, messageSeq)),
    ...overrides,
  };
}

export interface LogEntry { level: 'debug' | 'info' | 'warn' | 'error'; obj: object; msg?: string }

export class FakeLog implements Log {
  constructor(readonly entries: LogEntry[] = []) {}
  debug = (obj: object, msg?: string): void => void this.entries.push({ level: 'debug', obj, msg });
  info = (obj: object, msg?: string): void => void this.entries.push({ level: 'info', obj, msg });
  warn = (obj: object, msg?: string): void => void this.entries.push({ level: 'warn', obj, msg });
  error = (obj: object, msg?: string): void => void this.entries.push({ level: 'error', obj, msg });
  child = (): Log => new FakeLog(this.entries);
  at = (level: LogEntry['level']): LogEntry[] => this.entries.filter((e) => e.level === level);
}

export type OutboxCall =
  | { op: 'claim'; outboxId: string; leaseMs: number }
  | { op: 'markSent'; outboxId: string; platformMessageId: string | null }
  | { op: 'markRetry'; outboxId: string; error: string; delayMs: number }
  | { op: 'markFailed'; outboxId: string; error: string }
  | { op: 'markUnknown'; outboxId: string; error: string };

/**
 * The outbox in memory: records every state change, and keeps DeliveryHealth as migration 007's
 * table does (one probe per failing channel). A row is claimable once, and again after a retry or
 * a wait, as the real store's pending rows are; `waiting` are those a drain would make due.
 */
export class FakeOutboxStore implements OutboxStore {
  readonly calls: OutboxCall[] = [];
  readonly health: string[] = [];
  readonly waits: { outboxId: string; reason: string; delayMs: number }[] = [];
  readonly retryUntil = new Map<string, Date>();
  failing = false;
  probe: string | null = null;
  private readonly rows = new Map<string, ClaimedSend>();
  private readonly claimable = new Set<string>();
  private readonly waiting = new Set<string>();

  /** `queuedAt`: when rows added without one were queued (now by default). */
  constructor(private readonly defaults: { queuedAt?: Date } = {}) {}

  /** Makes one row claimable; `attempts` is the value after the claim (the real claim increments it). */
  add(row: Partial<ClaimedSend> & { outboxId: string }): ClaimedSend {
    const claimed: ClaimedSend = {
      messageId: `m-${row.outboxId}`,
      sender: 'bot',
      conversationId: 'conv-1',
      channelId: 'ch-1',
      contactExternalId: 'ext-1',
      contactAddress: {},
      text: 'hello',
      replyCode: null,
      attempts: 1,
      queuedAt: this.defaults.queuedAt ?? new Date(),
      retryUntil: null,
      channelFailing: false,
      ...row,
    };
    this.rows.set(claimed.outboxId, claimed);
    this.claimable.add(claimed.outboxId);
    return claimed;
  }

  ops = (): string[] => this.calls.map((c) => c.op);

  async claim(outboxId: string, leaseMs: number): Promise<ClaimedSend | null> {
    this.calls.push({ op: 'claim', outboxId, leaseMs });
    const row = this.rows.get(outboxId);
    if (!row || !this.claimable.delete(outboxId)) return null;
    return { ...row, channelFailing: this.failing };
  }
  async markSent(outboxId: string, platformMessageId: string | null): Promise<void> {
    this.calls.push({ op: 'markSent', outboxId, platformMessageId });
  }
  async markRetry(outboxId: string, error: string, delayMs: number): Promise<void> {
    this.calls.push({ op: 'markRetry', outboxId, error, delayMs });
    this.again(outboxId, 1);
  }
  async markWaiting(outboxId: string, reason: string, delayMs: number): Promise<void> {
    this.waits.push({ outboxId, reason, delayMs });
    this.again(outboxId, 0);
  }
  async markFailed(outboxId: string, error: string): Promise<void> {
    this.calls.push({ op: 'markFailed', outboxId, error });
  }
  async markUnknown(outboxId: string, error: string): Promise<void> {
    this.calls.push({ op: 'markUnknown', outboxId, error });
  }
  async setRetryUntil(outboxId: string, until: Date): Promise<void> {
    this.retryUntil.set(outboxId, until);
  }
  async takeProbe(_channelId: string, outboxId: string): Promise<boolean> {
    this.health.push(`takeProbe ${outboxId}`);
    if (!this.failing) return true;
    this.probe ??= outboxId;
    return this.probe === outboxId;
  }
  async recordFailure(_channelId: string, outboxId: string): Promise<boolean> {
    this.health.push(`recordFailure ${outboxId}`);
    this.failing = true;
    this.probe ??= outboxId;
    return this.probe === outboxId;
  }
  async recordRecovery(): Promise<number> {
    this.health.push('recordRecovery');
    const woken = this.failing ? this.waiting.size : 0;
    this.failing = false;
    this.probe = null;
    this.waiting.clear();
    return woken;
  }
  async releaseProbe(_channelId: string, outboxId: string): Promise<void> {
    this.health.push(`releaseProbe ${outboxId}`);
    if (this.probe === outboxId) this.probe = null;
  }
  failByPlatformId = async (): Promise<null> => null;
  takeForPoll = async (): Promise<null> => null;
  retryFailed = async (): Promise<'not_found'> => 'not_found';
  findDue = async (): Promise<{ outboxId: string; expiredLease: boolean }[]> => [];
  requeueExpired = async (): Promise<boolean> => false;
  pendingCount = async (): Promise<number> => this.claimable.size;
  channelOf = async (outboxId: string): Promise<string | null> => this.rows.get(outboxId)?.channelId ?? null;

  /** Pending again and claimable; a claim that called the platform counts as an attempt. */
  private again(outboxId: string, attempted: number): void {
    const row = this.rows.get(outboxId);
    if (!row) return;
    this.rows.set(outboxId, { ...row, attempts: row.attempts + attempted });
    this.claimable.add(outboxId);
    if (this.failing) this.waiting.add(outboxId);
  }
}

export class FakeChannelDirectory implements ChannelDirectory {
  readonly channels = new Map<string, Channel>();
  readonly invalidated: string[] = [];
  constructor(channels: Channel[] = []) {
    channels.forEach((c) => this.channels.set(c.id, c));
  }
  get = async (id: string): Promise<Channel | null> => this.channels.get(id) ?? null;
  invalidate = (id: string): void => void this.invalidated.push(id);
}

export type SendBehaviour = SendReceipt | Error;

/** A ChannelAdapter whose `send` answers from a script: one receipt or error per call, the last repeating. */
export class FakeChannelAdapter implements ChannelAdapter {
  readonly secretFields: readonly string[] = [];
  readonly sent: { channelId: string; to: SendTarget; message: OutgoingMessage }[] = [];
  private script: SendBehaviour[];

  constructor(readonly kind: ChannelKind = 'webchat', readonly safeToResend = false, script: SendBehaviour[] = [{ platformMessageId: 'pm-1' }]) {
    this.script = [...script];
  }

  parseConfig = (config: unknown): Record<string, unknown> => config as Record<string, unknown>;

  async send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt> {
    this.sent.push({ channelId: channel.id, to, message });
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0];
    if (next instanceof Error) throw next;
    return next;
  }
}

export class FakeAdapterRegistry implements AdapterRegistry {
  private readonly adapters = new Map<ChannelKind, ChannelAdapter>();
  constructor(adapters: ChannelAdapter[] = []) {
    adapters.forEach((a) => this.adapters.set(a.kind, a));
  }
  get = (kind: ChannelKind): ChannelAdapter | undefined => this.adapters.get(kind);
}

export interface EnqueuedJob { name: JobName; data: Record<string, string>; opts: JobOptions }

/** Records jobs; runs nothing. `failWith` makes enqueue reject (backend down). */
export class FakeJobQueue implements JobQueue {
  readonly jobs: EnqueuedJob[] = [];
  failWith: Error | null = null;
  async enqueue(name: JobName, data: Record<string, string>, opts: JobOptions): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.jobs.push({ name, data, opts });
  }
  process(_name: JobName, _handler: JobHandler, _concurrency: number): void {}
  depth = async (): Promise<number> => this.jobs.length;
  ping = async (): Promise<boolean> => true;
  close = async (): Promise<void> => {};
}

export class FakeEventBus implements EventBus {
  readonly published: AppEvent[] = [];
  private readonly listeners = new Set<(event: AppEvent) => void>();
  async publish(event: AppEvent): Promise<void> {
    this.published.push(event);
    this.listeners.forEach((l) => l(event));
  }
  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close = async (): Promise<void> => {};
}

export class FakeAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.records.push({ id: String(this.records.length + 1), at: new Date(0), actorEmail: null, ...entry });
  }
  list = async (limit: number): Promise<AuditRecord[]> => this.records.slice(-limit).reverse();
}

export class FakeChannelRepository implements ChannelRepository {
  readonly channels = new Map<string, Channel>();
  constructor(channels: Channel[] = []) {
    channels.forEach((c) => this.channels.set(c.id, c));
  }
  async create(input: NewChannel): Promise<Channel> {
    const { secretFields: _secretFields, ...rest } = input;
    const channel = makeChannel({ ...rest, id: `ch-${this.channels.size + 1}` });
    this.channels.set(channel.id, channel);
    return channel;
  }
  get = async (id: string): Promise<Channel | null> => this.channels.get(id) ?? null;
  list = async (): Promise<Channel[]> => [...this.channels.values()];
  async update(id: string, patch: ChannelPatch): Promise<Channel | null> {
    const current = this.channels.get(id);
    if (!current) return null;
    const { secretFields: _secretFields, ...rest } = patch;
    const updated = { ...current, ...rest };
    this.channels.set(id, updated);
    return updated;
  }
  delete = async (id: string): Promise<boolean> => this.channels.delete(id);
}

/** Keeps every insertMany batch as given. */
export class FakeKnowledgeRepository implements KnowledgeRepository {
  readonly batches: NewKnowledgeEntry[][] = [];
  private readonly entries: KnowledgeRecord[] = [];
  async insertMany(entries: NewKnowledgeEntry[]): Promise<number> {
    this.batches.push(entries);
    entries.forEach((e) => void this.create(e));
    return entries.length;
  }
  async create(entry: NewKnowledgeEntry): Promise<KnowledgeRecord> {
    const record = { id: String(this.entries.length + 1), ...entry, updatedAt: new Date('2024-01-01T00:00:00Z') };
    this.entries.push(record);
    return record;
  }
  listFor = async (channelId: string | null): Promise<KnowledgeRecord[]> => this.entries.filter((e) => e.channelId === null || e.channelId === channelId);
  update = async (): Promise<KnowledgeRecord | null> => null;
  delete = async (): Promise<boolean> => false;
  count = async (): Promise<number> => this.entries.length;
  version = async (): Promise<string> => String(this.entries.length);
}

export class FakeKnowledgeSearch implements KnowledgeSearch {
  readonly calls: { channelId: string; question: string; limit: number }[] = [];
  constructor(public hits: KnowledgeHit[] = []) {}
  async search(channelId: string, question: string, limit: number): Promise<KnowledgeHit[]> {
    this.calls.push({ channelId, question, limit });
    return this.hits;
  }
}

/** Answers with a fixed reply and confidence, or throws the given error. */
export class FakeResponder implements Responder {
  readonly inputs: ResponderInput[] = [];
  constructor(public reply: ResponderAnswer | Error = { text: 'an answer', confidence: 0.9 }) {}
  async answer(input: ResponderInput): Promise<ResponderAnswer> {
    this.inputs.push(input);
    if (this.reply instanceof Error) throw this.reply;
    return this.reply;
  }
}

export const fixedClock = (at = new Date('2024-01-01T00:00:00Z')): Clock => ({ now: () => at });

export const TEST_SETTINGS: CoreSettings = {
  coalesceMs: 0, defaultModelName: 'default-model', historyLimit: 20, knowledgeHits: 3,
  turnLeaseMs: 30_000, sendLeaseMs: 15_000, sendRetryWindowMs: 600_000, modelHandbackMs: 0,
  maxAnswerAgeMs: 600_000, pullLeaseMs: 60_000, pullTokenTtlMs: 540_000,
  auth: { sessionIdleMs: 7_200_000, sessionMaxMs: 86_400_000, loginWindowMs: 900_000, maxFailuresPerAccountAndIp: 5, maxFailuresPerIp: 50, accountUnderAttackAfter: 50, maxFailuresPerAccountAndIpUnderAttack: 2 },
  training: { customerAddress: '亲', signOff: '', phrasingsPerAnswer: 5, heldoutShare: 0.15, orderNumberPattern: DEFAULT_ORDER_NUMBER_PATTERN },
};

/** CoreDeps whose unset ports throw when touched. */
export function fakeDeps(parts: Partial<Omit<CoreDeps, 'settings'>> & { settings?: Partial<CoreSettings> } = {}): CoreDeps {
  const { settings, ...ports } = parts;
  return {
    store: unused('store'), notes: unused('notes'), outbox: unused('outbox'), channels: unused('channels'), channelRepository: unused('channelRepository'),
    knowledge: unused('knowledge'), search: unused('search'), answerLabels: unused('answerLabels'), suggestions: unused('suggestions'), responder: unused('responder'), queue: unused('queue'),
    events: unused('events'), audit: unused('audit'), adapters: unused('adapters'), trainingData: unused('trainingData'), pulls: unused('pulls'), stats: unused('stats'),
    users: unused('users'), sessions: unused('sessions'), passwords: unused('passwords'), loginThrottle: unused('loginThrottle'),
    quickReplies: unused('quickReplies'), connectionStatus: unused('connectionStatus'),
    shadowResponder: unused('shadowResponder'), models: unused('models'), modelReports: unused('modelReports'), shadowAnswers: unused('shadowAnswers'),
    contacts: unused('contacts'),
    presence: unused('presence'), assignments: unused('assignments'),
    clock: fixedClock(),
    log: new FakeLog(),
    workerId: 'test-worker',
    ...ports,
    settings: { ...TEST_SETTINGS, ...settings },
  };
}
