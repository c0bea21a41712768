import type { TrainingConversation, TrainingMessage } from '../domain/training/pairs.js';
import type { TrainingDataSource } from '../ports/training-data.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * Every message of the conversations an agent wrote in, or whose bot answers an agent labelled,
 * since a moment; each bot answer with its label. Pairing is done in domain/training/pairs.ts.
 */
const CONVERSATION_MESSAGES = `
WITH touched AS (
  SELECT conversation_id FROM messages WHERE sender = 'agent' AND created_at >= $1
  UNION
  SELECT conversation_id FROM answer_labels WHERE message_id IS NOT NULL AND conversation_id IS NOT NULL AND updated_at >= $1
), picked AS (
  SELECT conversation_id FROM touched ORDER BY conversation_id DESC LIMIT $2
)
SELECT m.conversation_id, m.channel_id, m.sender, m.kind, m.text, m.confidence, m.created_at,
       l.verdict, l.correction, l.updated_at AS label_at
FROM messages m
JOIN picked p ON p.conversation_id = m.conversation_id
LEFT JOIN answer_labels l ON l.message_id = m.id
ORDER BY m.conversation_id, m.id`;

function toTrainingMessage(row: Row): TrainingMessage {
  return {
    sender: String(row.sender) as TrainingMessage['sender'],
    kind: String(row.kind),
    text: row.text === null || row.text === undefined ? null : String(row.text),
    confidence: row.confidence === null || row.confidence === undefined ? null : Number(row.confidence),
    createdAt: new Date(row.created_at as string),
    label: row.verdict ? { verdict: row.verdict as 'good' | 'bad', correction: row.correction ? String(row.correction) : null, at: new Date(row.label_at as string) } : null,
  };
}

export function createTrainingDataSource(db: Database): TrainingDataSource {
  return {
    async conversations(since, limit) {
      const r = await db.query<Row>(CONVERSATION_MESSAGES, [since, limit]);
      const byId = new Map<string, TrainingConversation>();
      for (const row of r.rows) {
        const id = String(row.conversation_id);
        let conversation = byId.get(id);
        if (!conversation) {
          conversation = { id, channelId: String(row.channel_id), messages: [] };
          byId.set(id, conversation);
        }
        conversation.messages.push(toTrainingMessage(row));
      }
      return [...byId.values()];
    },
  };
}
