/**
 * One JSON POST to DingTalk (OpenAPI or a sessionWebhook), with failures sorted the way the
 * outbox needs them. DingTalk has no idempotency key (issue #4), so once a send may have reached
 * DingTalk and no answer came back, the outcome is unknown and the send must not be retried blindly.
 */
import { request, type Dispatcher } from 'undici';
import { PlatformError } from '../../src/domain/errors.js';

export type DingtalkJson = Record<string, unknown>;

/** Errors raised before a connection existed: the request cannot have reached DingTalk. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/**
 * Webhook errcodes meaning "too fast" or "busy": 130101 is the custom robot's 20/min limit (§2.2,
 * "超过20条，会限流"), -1 system busy. Whether sendBySession uses the same codes is UNVERIFIED (§2.2).
 */
const TRANSIENT_ERRCODES = new Set([-1, 130101, 130102]);
/** OpenAPI error `code`s for throttling, e.g. Forbidden.AccessDenied.QpsLimitForApi (§2.2 "QpsLimit 403s"). */
const THROTTLE_CODE = /QpsLimit|Throttl|RateLimit|LimitExceeded/i;

export interface DingtalkCallOptions {
  /** Names the call in errors; never the URL, which for a sessionWebhook is a bearer credential. */
  what: string;
  body: unknown;
  timeoutMs: number;
  /** Whether the call changes something at DingTalk (a send): a lost answer leaves the outcome unknown. */
  hasEffects: boolean;
  headers?: Record<string, string>;
}

export async function callDingtalk(url: string, opts: DingtalkCallOptions): Promise<DingtalkJson> {
  let res: Dispatcher.ResponseData;
  let text: string;
  try {
    // undici's request(), not fetch: ~73 µs of CPU per call against ~540 µs (bench, issue #2). The
    // signal is one deadline over connect, headers and body; its TimeoutError is what transportError() reads.
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.body.text();
  } catch (cause) {
    throw transportError(cause, opts);
  }
  const body = parseJson(text);
  if (res.statusCode < 200 || res.statusCode >= 300) throw statusError(res.statusCode, body, opts.what);
  const errcode = body.errcode;
  if (typeof errcode === 'number' && errcode !== 0) {
    throw new PlatformError(`DingTalk ${opts.what}: errcode ${errcode} ${typeof body.errmsg === 'string' ? body.errmsg : ''}`.trim(), {
      retryable: TRANSIENT_ERRCODES.has(errcode), platformCode: String(errcode),
    });
  }
  return body;
}

/** Whether DingTalk refused the access token itself (refresh once and try again). */
export function isTokenRefusal(err: unknown): boolean {
  return err instanceof PlatformError && (err.platformCode === 'http_401' || /^InvalidAuthentication/.test(err.platformCode ?? ''));
}

function statusError(status: number, body: DingtalkJson, what: string): PlatformError {
  const code = typeof body.code === 'string' ? body.code : undefined;
  const retryable = status === 429 || status >= 500 || (code !== undefined && THROTTLE_CODE.test(code));
  const detail = code !== undefined ? ` ${code}` : '';
  return new PlatformError(`DingTalk ${what}: HTTP ${status}${detail}`, {
    retryable, platformCode: status === 401 ? 'http_401' : code ?? `http_${status}`,
  });
}

/** A 2xx whose body we cannot read was still accepted; OpenAPI answers are not always JSON objects. */
function parseJson(text: string): DingtalkJson {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as DingtalkJson) : {};
  } catch {
    return {};
  }
}

function transportError(cause: unknown, opts: DingtalkCallOptions): PlatformError {
  const name = cause instanceof Error ? cause.name : '';
  const code = errorCode(cause);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const reason = name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `network error ${code ?? name}`;
  const unknown = opts.hasEffects && !notSent;
  // Unknown: DingTalk may have delivered it; the outbox marks it `unknown` for agents instead of resending.
  return new PlatformError(`DingTalk ${opts.what}: ${reason}`, { retryable: !unknown, outcomeUnknown: unknown, cause });
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
