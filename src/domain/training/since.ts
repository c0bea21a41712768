/**
 * The export's `since` (issue 13 item 1): ISO 8601 only, YYYY-MM-DD[THH:MM[:SS[.sss]][Z|±HH:MM]].
 * `new Date()` alone took `0` for 2000-01-01 and `-1` for 2001-01-01, so `?since=0` exported from a
 * date nobody asked for. A date-time without an offset is UTC, like a date alone, whatever the
 * server's time zone. Impossible dates (2025-02-30, 24:00) are refused, not rolled over.
 */
import { isStorableDate } from '../dates.js';

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The moment the text names, or null when it is not an ISO 8601 date or date-time in the years 1–9999. */
export function parseIsoDate(text: string): Date | null {
  const m = ISO_8601.exec(text);
  if (!m) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', offset] = m;
  // Field ranges first: Date.UTC would roll 2025-02-30 over into March.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  calendar.setUTCFullYear(Number(year)); // Date.UTC maps years 0–99 to 1900–1999
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  if (offset && offset !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4)) > 59)) return null;
  const date = new Date(m[4] === undefined ? `${text}T00:00:00Z` : offset ? text : `${text}Z`);
  return isStorableDate(date) ? date : null;
}
