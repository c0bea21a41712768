import type { ConversationStats } from '../ports/conversation-stats.js';
import type { Database } from './database.js';

/** Placeholder: filled in by the console work (issue #5). */
export function createConversationStats(_db: Database): ConversationStats {
  return { dashboard: async (since) => ({ since }) };
}
