/**
 * fast-check arbitraries for the hostile-input tests (issue 11): strings heavy in what broke the
 * service (NUL, lone surrogates, markup and escape characters, very long ids) next to ordinary
 * text. One fixed seed for every fuzz test, so a failure replays exactly.
 */
import fc from 'fast-check';

export const FUZZ_SEED = 20261204;

/** One UTF-16 unit or pair; the troublemakers are weighted up (NUL most), any BMP unit can still come. */
export const hostileChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant('\u0000'), weight: 3 },
  { arbitrary: fc.constantFrom('\uD800', '\uDFFF', '\uD83D', '\uDE00', '\uD83D\uDE00', '\uFFFE', '\uFEFF'), weight: 2 },
  { arbitrary: fc.constantFrom('<', '>', '&', '"', "'", '\\', '%', ']]>', '&#0;', '\\u0000', '\r', '\n', '\t', '@', ' '), weight: 2 },
  { arbitrary: fc.constantFrom('a', 'Z', '7', '中', '包', '邮', '吗'), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), weight: 1 },
);

export const hostileString = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: hostileChar, maxLength });

/** An id: short junk, or a long run past any sane bound (issue 11: a 6 KB msgId). */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString(24), weight: 4 },
  { arbitrary: fc.integer({ min: 200, max: 7000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** What a JSON number or timestamp field may hold in a hostile body. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e20, -1, 0, 1.5, -8.64e15, 8.64e15 + 1, 2 ** 53, '1e20', 'NaN', '', null, true, [], {}),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any value a JSON field could hold, strings hostile. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString(), weight: 3 },
  { arbitrary: hostileNumber, weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false), weight: 1 },
);
