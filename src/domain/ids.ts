/**
 * What our own ids look like, so that an id that cannot name a row is answered without a query
 * (issue 11: `/api/conversations/abc`, `/99999999999999999999` and `/webhooks/wecom/<id>%00`
 * reached PostgreSQL, which refused them with a 500).
 */
import { isSafeText } from './text.js';

/** Conversations, messages and knowledge entries have bigserial ids: decimal 1 … 2^63-1. */
const MAX_ROW_ID = 9223372036854775807n;
/** Ids we mint as text (`ch_…`, `u_…`) are short; a longer one, or one PostgreSQL refuses, names nothing. */
export const MAX_TEXT_ID_LENGTH = 200;

export function isRowId(value: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(value) && BigInt(value) <= MAX_ROW_ID;
}

export function isTextId(value: string): boolean {
  return value.length > 0 && value.length <= MAX_TEXT_ID_LENGTH && isSafeText(value);
}
