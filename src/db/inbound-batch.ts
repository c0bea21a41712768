import type { InboundMessage } from '../domain/message.js';
import type { RecordedInbound } from '../ports/conversation-store.js';
import { ACK_CONNECTIONS, type Queryable } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * One inbound message as the record statements take it. `said`: something the customer said
 * (not an event), which reopens a closed conversation (DESIGN.md §4.4).
 */
interface InboundRow {
  channelId: string;
  externalId: string;
  name: string | null;
  address: Record<string, unknown> | null;
  platformMessageId: string | null;
  sender: string;
  kind: string;
  text: string | null;
  attachment: Record<string, unknown> | null;
  sentAt: Date;
  status: 'pending' | 'done' | 'sent';
  said: boolean;
}

export function inboundRow(channelId: string, message: InboundMessage, answer: boolean): InboundRow {
  const sender = message.sender ?? 'customer';
  const extra = { ...message.attachment, ...(message.refersTo ? { refersTo: message.refersTo } : {}), ...(message.replyCode ? { replyCode: message.replyCode } : {}), ...(message.agentRef ? { agentRef: message.agentRef } : {}) };
  return {
    channelId,
    externalId: message.contact.externalId,
    // A new non-empty name replaces the stored one; an empty one never blanks it (issue 14 item 1).
    name: message.contact.name?.trim() || null,
    address: message.address ?? null,
    platformMessageId: message.platformMessageId,
    sender,
    kind: message.kind,
    // Events keep their name ('enter', 'recalled', ...) as text: the turn and the console read it.
    text: message.kind === 'event' ? (message.event ?? 'other') : (message.text ?? null),
    attachment: Object.keys(extra).length ? extra : null,
    sentAt: message.sentAt,
    // `answer` false stores it as already handled: agents' own messages, events that are not
    // for the bot, and anything older than the answer window.
    status: sender === 'agent' ? 'sent' : answer ? 'pending' : 'done',
    said: sender === 'customer' && message.kind !== 'event',
  };
}

/**
 * One statement, so the ack waits for a single round trip: upsert the contact, upsert the
 * conversation (a closed one reopens to `bot`), insert the message unless its platform id is
 * already stored (DESIGN.md §3.2). DO UPDATE (not DO NOTHING) on the upserts so RETURNING yields
 * the row even when another request inserted it concurrently.
 */
const RECORD_ONE = `
WITH ct AS (
  INSERT INTO contacts (channel_id, external_id, name, address) VALUES ($1, $2, $3, COALESCE($9::jsonb, '{}'))
  ON CONFLICT (channel_id, external_id) DO UPDATE SET
    name = COALESCE(EXCLUDED.name, contacts.name),
    address = CASE WHEN $9::jsonb IS NULL THEN contacts.address ELSE $9::jsonb END
  RETURNING id
), cv AS (
  INSERT INTO conversations (channel_id, contact_id) SELECT $1, id FROM ct
  ON CONFLICT (channel_id, contact_id) DO UPDATE SET
    status = CASE WHEN conversations.status = 'closed' AND $12 THEN 'bot' ELSE conversations.status END,
    handoff_reason = CASE WHEN conversations.status = 'closed' AND $12 THEN NULL ELSE conversations.handoff_reason END,
    assignee_id = CASE WHEN conversations.status = 'closed' AND $12 THEN NULL ELSE conversations.assignee_id END,
    updated_at = now()
  RETURNING id
), m AS (
  INSERT INTO messages (conversation_id, channel_id, platform_message_id, sender, kind, text, attachment, status, sent_at)
  SELECT cv.id, $1, $4, $10, $5, $6, $7, $11, $8 FROM cv
  ON CONFLICT (channel_id, platform_message_id) DO NOTHING
  RETURNING id
)
SELECT (SELECT id FROM cv) AS conversation_id, (SELECT id FROM m) AS message_id`;

/** Records one inbound message through any Queryable (a pull commits a page and its cursor together). */
export async function insertInbound(q: Queryable, channelId: string, message: InboundMessage, answer: boolean): Promise<RecordedInbound> {
  return recordOne(q, inboundRow(channelId, message, answer));
}

async function recordOne(q: Queryable, row: InboundRow): Promise<RecordedInbound> {
  const r = await q.query<Row>(RECORD_ONE, [
    row.channelId, row.externalId, row.name, row.platformMessageId, row.kind, row.text,
    row.attachment ? JSON.stringify(row.attachment) : null, row.sentAt, row.address ? JSON.stringify(row.address) : null,
    row.sender, row.status, row.said,
  ], 'record_inbound');
  const result = r.rows[0];
  return { inserted: result.message_id != null, conversationId: String(result.conversation_id), messageId: result.message_id == null ? null : String(result.message_id) };
}

/**
 * The same for many messages in one statement and one commit. Contacts and conversations are
 * upserted once per contact (a statement may not update a row twice): the batch's latest name
 * and address win, and the conversation reopens when the customer said anything in the batch.
 * An address of `{}` means "none given" and keeps the stored one.
 */
const SAID = `(SELECT who.said FROM ct JOIN who USING (channel_id, external_id) WHERE ct.id = EXCLUDED.contact_id)`;
const RECORD_MANY = `
WITH input AS (
  SELECT e.ord, e.v->>'channelId' AS channel_id, e.v->>'externalId' AS external_id, e.v->>'name' AS name,
         NULLIF(e.v->'address', 'null') AS address, e.v->>'platformMessageId' AS platform_message_id,
         e.v->>'sender' AS sender, e.v->>'kind' AS kind, e.v->>'text' AS text, NULLIF(e.v->'attachment', 'null') AS attachment,
         (e.v->>'sentAt')::timestamptz AS sent_at, e.v->>'status' AS status, (e.v->>'said')::boolean AS said
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)
), who AS (
  SELECT channel_id, external_id,
    (array_agg(name ORDER BY ord DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
    (array_agg(address ORDER BY ord DESC) FILTER (WHERE address IS NOT NULL))[1] AS address,
    bool_or(said) AS said
  FROM input GROUP BY channel_id, external_id
), ct AS (
  INSERT INTO contacts (channel_id, external_id, name, address)
  SELECT channel_id, external_id, name, COALESCE(address, '{}') FROM who ORDER BY channel_id, external_id
  ON CONFLICT (channel_id, external_id) DO UPDATE SET
    name = COALESCE(EXCLUDED.name, contacts.name),
    address = CASE WHEN EXCLUDED.address = '{}'::jsonb THEN contacts.address ELSE EXCLUDED.address END
  RETURNING id, channel_id, external_id
), cv AS (
  INSERT INTO conversations (channel_id, contact_id) SELECT channel_id, id FROM ct ORDER BY id
  ON CONFLICT (channel_id, contact_id) DO UPDATE SET
    status = CASE WHEN conversations.status = 'closed' AND ${SAID} THEN 'bot' ELSE conversations.status END,
    handoff_reason = CASE WHEN conversations.status = 'closed' AND ${SAID} THEN NULL ELSE conversations.handoff_reason END,
    assignee_id = CASE WHEN conversations.status = 'closed' AND ${SAID} THEN NULL ELSE conversations.assignee_id END,
    updated_at = now()
  RETURNING id, contact_id
), m AS (
  INSERT INTO messages (conversation_id, channel_id, platform_message_id, sender, kind, text, attachment, status, sent_at)
  SELECT cv.id, i.channel_id, i.platform_message_id, i.sender, i.kind, i.text, i.attachment, i.status, i.sent_at
  FROM input i JOIN ct ON ct.channel_id = i.channel_id AND ct.external_id = i.external_id JOIN cv ON cv.contact_id = ct.id
  ORDER BY i.ord
  ON CONFLICT (channel_id, platform_message_id) DO NOTHING
  RETURNING id, channel_id, platform_message_id
)
SELECT i.ord, cv.id AS conversation_id, m.id AS message_id
FROM input i JOIN ct ON ct.channel_id = i.channel_id AND ct.external_id = i.external_id JOIN cv ON cv.contact_id = ct.id
LEFT JOIN m ON m.channel_id = i.channel_id AND m.platform_message_id = i.platform_message_id
ORDER BY i.ord`;

interface Waiting {
  row: InboundRow;
  // A promise's own resolve and reject, which need no `this`.
  resolve: (result: RecordedInbound) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for acks: callbacks that arrive while earlier records are in flight are written
 * together, one statement and one commit for the lot. Nothing waits on a timer: an idle service
 * writes a lone message at once, and a busy one batches exactly as much as it would otherwise
 * queue for a connection. Each caller still hears about its own message only after the commit,
 * so the ack-after-commit rule (DESIGN.md §3.1) holds per message.
 */
export function createInboundRecorder(db: Queryable, opts: { maxBatch?: number; maxInFlight?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 100;
  const maxInFlight = opts.maxInFlight ?? ACK_CONNECTIONS;
  const waiting: Waiting[] = [];
  let inFlight = 0;

  async function write(batch: Waiting[]): Promise<void> {
    // Without a platform id a message cannot be matched to its row in a batch's result.
    if (batch.length === 1 || batch.some((w) => w.row.platformMessageId == null)) return writeEach(batch);
    let rows: Row[];
    try {
      rows = (await db.query<Row>(RECORD_MANY, [JSON.stringify(batch.map((w) => w.row))], 'record_inbound_many')).rows;
    } catch {
      // One bad message (a channel deleted a moment ago) must not fail the others' acks.
      return writeEach(batch);
    }
    const claimed = new Set<string>();
    const answered = new Set<Waiting>();
    for (const row of rows) {
      const w = batch[Number(row.ord) - 1];
      const messageId = row.message_id == null ? null : String(row.message_id);
      // The same platform id twice in one batch (concurrent redeliveries): the first one stored it.
      const inserted = messageId != null && !claimed.has(messageId);
      if (messageId) claimed.add(messageId);
      w.resolve({ inserted, conversationId: String(row.conversation_id), messageId: inserted ? messageId : null });
      answered.add(w);
    }
    // Never expected; a caller without an answer would otherwise wait forever. Unacked, the
    // platform retries, and a stored copy is then found as a duplicate and swept.
    for (const w of batch) if (!answered.has(w)) w.reject(new Error('inbound batch returned no row for a message'));
  }

  async function writeEach(batch: Waiting[]): Promise<void> {
    await Promise.all(batch.map((w) => recordOne(db, w.row).then(w.resolve, w.reject)));
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      inFlight++;
      write(batch)
        .catch((err) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  return function record(channelId: string, message: InboundMessage, answer: boolean): Promise<RecordedInbound> {
    return new Promise((resolve, reject) => {
      waiting.push({ row: inboundRow(channelId, message, answer), resolve, reject });
      pump();
    });
  };
}
