/**
 * Dates we store or compare with in SQL. JavaScript reaches ±273,790 years and PostgreSQL's
 * timestamptz 4713 BC to 294276 AD, and their ends differ: `new Date(1e20)` is Invalid Date and
 * `-271821-04-20` is a valid Date that PostgreSQL refuses (issue 11: both answered 500). No chat
 * message or report needs a year outside 1–9999, so that is the range, for every date that enters.
 */
const EARLIEST_MS = Date.parse('0001-01-01T00:00:00Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function isStorableDate(date: Date): boolean {
  const ms = date.getTime();
  return ms >= EARLIEST_MS && ms <= LATEST_MS; // false for NaN
}

/**
 * The start of the `unitMs`-long wall-clock unit (an hour, a day) that `at` falls in, for a viewer
 * `utcOffsetMinutes` east of UTC (China: 480): a shop's day runs from its own midnight, not 08:00.
 * A fixed offset: where daylight saving moves it, earlier units are off by that hour. The one
 * place the dashboard's windows and its "today" floor a time (issue 14).
 */
export function startOfLocalUnit(at: Date, unitMs: number, utcOffsetMinutes = 0): Date {
  const offsetMs = utcOffsetMinutes * 60_000;
  return new Date(Math.floor((at.getTime() + offsetMs) / unitMs) * unitMs - offsetMs);
}
