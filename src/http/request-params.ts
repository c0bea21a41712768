/**
 * One validator per kind of URL input, shared by the routes (issue 11: `/api/conversations/abc`,
 * `?offset=1e20` and `?since=-271821-04-20` reached SQL and answered 500). Path ids that cannot
 * name a row are a 404 before any query; query parameters out of range are a 400 (parseBody).
 */
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { isStorableDate } from '../domain/dates.js';
import { NotFoundError } from '../domain/errors.js';
import { MAX_TEXT_ID_LENGTH, isRowId, isTextId } from '../domain/ids.js';
import { isSafeText } from '../domain/text.js';

/** Far past any table we page through, and well inside PostgreSQL's bigint OFFSET. */
const MAX_OFFSET = 1_000_000_000;

/**
 * A `router.param` handler: an id of the wrong shape answers 404 with `code`, as a well-formed
 * id of no row would. The id is not echoed: it may be anything.
 */
export function idParam(shape: 'row' | 'text', code: string, what: string) {
  const valid = shape === 'row' ? isRowId : isTextId;
  return (value: string, _ctx: Context, next: Next) => {
    if (!valid(value)) throw new NotFoundError(code, `no such ${what}`);
    return next();
  };
}

const storableString = (min: number, max: number) => z.string().min(min).max(max).refine(isSafeText, 'must not contain NUL or lone surrogates');

/** `?channelId=`, `?assignee=`: a text id, as a filter. */
export const textIdQuery = storableString(1, MAX_TEXT_ID_LENGTH);

/** `?q=`: a search text. */
export const searchQuery = storableString(0, 200);

/** `''` (a form's empty field) counts as not given. */
const blankAsMissing = (v: unknown) => (v === '' ? undefined : v);

/** An optional query parameter, where `?name=` is the same as leaving it out. */
export const optionalParam = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankAsMissing, schema.optional());

/** `?limit=&offset=`: whole numbers in range; a default when absent. */
export function pagination(defaultLimit: number, maxLimit: number) {
  return {
    limit: z.preprocess(blankAsMissing, z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit)),
    offset: z.preprocess(blankAsMissing, z.coerce.number().int().min(0).max(MAX_OFFSET).default(0)),
  };
}

/** An ISO date between the years 1 and 9999 (dates.ts), e.g. `?since=`. */
export const dateQuery = z
  .string()
  .max(64)
  .transform((s) => new Date(s))
  .refine(isStorableDate, 'must be an ISO date between the years 1 and 9999');
