/**
 * The one text rule (issue 11): every string that enters the service is made storable where it is
 * parsed. PostgreSQL refuses U+0000 in `text` ("invalid byte sequence for encoding UTF8: 0x00") and
 * in `jsonb` ("unsupported Unicode escape sequence"), and `jsonb` refuses a lone UTF-16 surrogate
 * escape ("Unicode low surrogate must follow a high surrogate"). A customer never meant either, so
 * NUL is dropped and a lone surrogate becomes U+FFFD (what a UTF-8 decoder makes of one).
 */

/** A high surrogate with no low one after it, or a low one with no high one before it. */
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const LONE_SURROGATES = new RegExp(LONE_SURROGATE, 'g');
const UNSAFE = new RegExp(`\\u0000|${LONE_SURROGATE}`);
/**
 * JSON text yields an unsafe string only through a `\u` escape (JSON.parse refuses a raw NUL inside
 * a string) or a lone surrogate already in the text; any other text skips the walk over the value.
 */
const UNSAFE_JSON_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** Whether `s` can be stored and serialized as is. */
export function isSafeText(s: string): boolean {
  return !UNSAFE.test(s);
}

/** `s` without NUL and with each lone surrogate replaced by U+FFFD; never throws. */
export function safeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
}

/** JSON.parse, with every string of the result made safe. Throws SyntaxError as JSON.parse does. */
export function parseSafeJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return UNSAFE_JSON_ESCAPE.test(text) || UNSAFE.test(text) ? safeJson(value) : value;
}

/**
 * Makes every string of a freshly parsed JSON value safe, keys included, in place; returns it.
 * Iterative: a megabyte of `[[[[…` must not overflow the stack.
 */
export function safeJson<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i], stack);
    } else if (typeof node === 'object' && node !== null) {
      cleanObject(node as Record<string, unknown>, stack);
    }
  }
  return value;
}

function visit(child: unknown, stack: unknown[]): unknown {
  if (typeof child === 'string') return safeText(child);
  if (typeof child === 'object' && child !== null) stack.push(child);
  return child;
}

function cleanObject(node: Record<string, unknown>, stack: unknown[]): void {
  for (const key of Object.keys(node)) {
    const value = visit(node[key], stack);
    const clean = safeText(key);
    if (clean === key && value === node[key]) continue;
    if (clean !== key) delete node[key];
    // defineProperty, not assignment: a key `__proto__` stays a data property, never the prototype.
    Object.defineProperty(node, clean, { value, writable: true, enumerable: true, configurable: true });
  }
}
