import type { LiveOutcome, ShadowAnswer, ShadowAnswerStore } from '../ports/shadow-answers.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/** `real` columns read back as 0.800000011920929: six decimals are all a confidence carries. */
const confidence = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 1e6) / 1e6);
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const toAnswer = (r: Row): ShadowAnswer => ({
  id: String(r.id),
  channelId: String(r.channel_id),
  conversationId: String(r.conversation_id),
  liveMessageId: text(r.live_message_id),
  question: String(r.question),
  liveModel: String(r.live_model),
  shadowModel: String(r.shadow_model),
  liveOutcome: r.live_outcome as LiveOutcome,
  liveText: text(r.live_text),
  liveConfidence: confidence(r.live_confidence),
  shadowText: text(r.shadow_text),
  shadowConfidence: confidence(r.shadow_confidence),
  ok: Boolean(r.ok),
  error: text(r.error),
  createdAt: new Date(r.created_at as string),
  agentText: text(r.agent_text),
});

/**
 * What an agent answered after a handed-off turn: the first agent text of the conversation after
 * the live turn's last message (or, when that message is gone, after the shadow row was written).
 */
const AGENT_TEXT = `
  CASE WHEN s.live_outcome = 'handoff' THEN (
    SELECT m.text FROM messages m
    WHERE m.conversation_id = s.conversation_id AND m.sender = 'agent' AND m.kind = 'text' AND m.text IS NOT NULL
      AND (CASE WHEN s.live_message_id IS NOT NULL THEN m.id > s.live_message_id ELSE m.created_at > s.created_at END)
    ORDER BY m.id LIMIT 1) END AS agent_text`;

/** issue 13 item 4: shadow_answers (migrations/011_model_rollout.sql). */
export function createShadowAnswerStore(db: Database): ShadowAnswerStore {
  return {
    async add(a) {
      await db.query(
        `INSERT INTO shadow_answers (channel_id, conversation_id, live_message_id, question, live_model, shadow_model, live_outcome,
           live_text, live_confidence, shadow_text, shadow_confidence, ok, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [a.channelId, a.conversationId, a.liveMessageId, a.question, a.liveModel, a.shadowModel, a.liveOutcome,
          a.liveText, a.liveConfidence, a.shadowText, a.shadowConfidence, a.ok, a.error],
      );
    },
    async recent(channelId, shadowModel, since, limit) {
      const r = await db.query<Row>(
        `SELECT s.*, ${AGENT_TEXT} FROM shadow_answers s
         WHERE s.channel_id = $1 AND s.shadow_model = $2 AND s.created_at >= $3
         ORDER BY s.created_at DESC, s.id DESC LIMIT $4`,
        [channelId, shadowModel, since.toISOString(), limit],
      );
      return r.rows.map(toAnswer);
    },
  };
}
