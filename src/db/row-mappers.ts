import type { Contact, Conversation } from '../domain/conversation.js';
import type { Message } from '../domain/message.js';
import type { KnowledgeRecord } from '../ports/knowledge-repository.js';
import type { TrainingStage } from '../domain/training/types.js';

/** pg returns bigint columns as strings, PGlite as numbers: ids are strings past this point. */
const id = (v: unknown): string => String(v);
const optionalId = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export type Row = Record<string, unknown>;

export function toConversation(r: Row): Conversation {
  return {
    id: id(r.id),
    channelId: String(r.channel_id),
    contactId: id(r.contact_id),
    status: r.status as Conversation['status'],
    handoffReason: (r.handoff_reason ?? null) as Conversation['handoffReason'],
    assigneeId: optionalId(r.assignee_id),
    lastConfidence: num(r.last_confidence),
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
  };
}

export function toContact(r: Row, prefix = ''): Contact {
  return {
    id: id(r[prefix + 'id']),
    channelId: String(r[prefix + 'channel_id']),
    externalId: String(r[prefix + 'external_id']),
    name: (r[prefix + 'name'] ?? null) as string | null,
    address: (r[prefix + 'address'] ?? {}) as Record<string, string>,
  };
}

export function toMessage(r: Row, prefix = ''): Message {
  return {
    id: id(r[prefix + 'id']),
    conversationId: id(r[prefix + 'conversation_id']),
    sender: r[prefix + 'sender'] as Message['sender'],
    kind: r[prefix + 'kind'] as Message['kind'],
    text: (r[prefix + 'text'] ?? null) as string | null,
    confidence: num(r[prefix + 'confidence']),
    status: r[prefix + 'status'] as Message['status'],
    error: (r[prefix + 'error'] ?? null) as string | null,
    attachment: (r[prefix + 'attachment'] ?? null) as Record<string, string> | null,
    createdAt: new Date(r[prefix + 'created_at'] as string),
  };
}

export function toKnowledgeRecord(r: Row): KnowledgeRecord {
  return {
    id: id(r.id),
    channelId: (r.channel_id ?? null) as string | null,
    instruction: String(r.instruction),
    input: String(r.input ?? ''),
    output: String(r.output),
    stage: (r.stage ?? 'basic') as TrainingStage,
    updatedAt: new Date(r.updated_at as string),
  };
}
