/**
 * A search text as an ILIKE pattern that matches it as a plain substring (issue 14 item 1): `%`,
 * `_` and the escape character itself are escaped, so "100%" finds "100%" and not "1000". Use it
 * with `ESCAPE '\'` and as a bound parameter, never spliced into SQL.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
