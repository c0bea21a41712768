import type { TrainingDataSource } from '../ports/training-data.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * Pairs every agent message with the customer texts it answered: those after the previous
 * answer (an agent's, or a bot answer that carried a confidence; holding messages do not count).
 */
const HUMAN_ANSWERS = `
SELECT a.conversation_id, a.text AS answer, a.created_at,
  (SELECT string_agg(m.text, E'\\n' ORDER BY m.id) FROM messages m
   WHERE m.conversation_id = a.conversation_id AND m.sender = 'customer' AND m.kind = 'text' AND m.id < a.id
     AND m.id > COALESCE((SELECT max(p.id) FROM messages p
                          WHERE p.conversation_id = a.conversation_id AND p.id < a.id
                            AND (p.sender = 'agent' OR (p.sender = 'bot' AND p.confidence IS NOT NULL))), 0)
  ) AS question
FROM messages a
WHERE a.sender = 'agent' AND a.kind = 'text' AND a.created_at >= $1
ORDER BY a.id LIMIT $2`;

export function createTrainingDataSource(db: Database): TrainingDataSource {
  return {
    async humanAnswers(since, limit) {
      const r = await db.query<Row>(HUMAN_ANSWERS, [since, limit]);
      return r.rows
        .filter((row) => row.question)
        .map((row) => ({
          conversationId: String(row.conversation_id),
          question: String(row.question),
          answer: String(row.answer),
          answeredAt: new Date(row.created_at as string),
        }));
    },
  };
}
