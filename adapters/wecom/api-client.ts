/**
 * Calls to qyapi.weixin.qq.com. Decisions branch on `errcode` only, never on errmsg
 * (protocols/wecom.md §5.4; global error codes https://developer.work.weixin.qq.com/document/path/90313).
 */
import { request, type Dispatcher } from 'undici';
import { PlatformError } from '../../src/domain/errors.js';
import { parseSafeJson } from '../../src/domain/text.js';

export interface WecomResponse {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

/** The access token was refused: refresh it once and try again (§5.2). */
const TOKEN_ERRCODES = new Set([40014, 42001]);
/** System busy (-1, retry per doc 90455) and frequency limits (45009, 45033). */
const TRANSIENT_ERRCODES = new Set([-1, 45009, 45033]);
/** Errors raised before a connection existed: the request cannot have reached WeCom. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** What callWecom sends; the body is already serialized. */
export interface WecomRequestInit {
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string;
}

/** One WeCom app's (or 微信客服 account's) credentials: what gettoken takes. */
export interface AppCredentials {
  corpId: string;
  secret: string;
}

/**
 * What the client needs of a token cache (AccessTokenCache implements it). Declared here, not imported
 * from token-cache.ts, because the cache calls callWecom: importing it back made a cycle (issue 16 item 4).
 */
export interface AccessTokenSource {
  get(creds: AppCredentials): Promise<string>;
  invalidate(creds: AppCredentials, staleToken?: string): void;
}

export interface ApiClientOptions {
  apiBase: string;
  timeoutMs: number;
  tokens: AccessTokenSource;
}

export class WecomApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  /**
   * POST `${apiBase}${path}?access_token=…`; on 40014/42001 refreshes the token and retries once.
   * `hasEffects: false` for reads (sync_msg, service_state/get): a lost answer then leaves nothing unknown.
   */
  async post(creds: AppCredentials, path: string, body: unknown, opts: { hasEffects?: boolean } = {}): Promise<WecomResponse> {
    const json = JSON.stringify(body);
    const hasEffects = opts.hasEffects ?? true;
    return this.withToken(creds, (token) => this.postOnce(path, token, json, hasEffects));
  }

  /**
   * GET `${apiBase}${path}?access_token=…&params` answering JSON, for reads such as user/get
   * (issue 14 item 1); a lost answer changes nothing on WeCom's side. Token refusals as post().
   */
  async get(creds: AppCredentials, path: string, params: Record<string, string>): Promise<WecomResponse> {
    return this.withToken(creds, (token) => {
      const query = new URLSearchParams({ access_token: token, ...params });
      return callWecom(`${this.opts.apiBase}${path}?${query.toString()}`, { method: 'GET' }, { timeoutMs: this.opts.timeoutMs, what: path, hasEffects: false });
    });
  }

  /**
   * GET a file (media/get, §4.2: "GET /cgi-bin/media/get?access_token=…&media_id=…"). WeCom answers
   * bytes, or a JSON body with an errcode instead of the file.
   */
  async download(creds: AppCredentials, path: string, params: Record<string, string>): Promise<{ contentType: string; body: Buffer }> {
    return this.withToken(creds, (token) => this.downloadOnce(path, token, params));
  }

  private async withToken<T>(creds: AppCredentials, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.opts.tokens.get(creds);
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof PlatformError) || !TOKEN_ERRCODES.has(Number(err.platformCode))) throw err;
      this.opts.tokens.invalidate(creds, token);
      return call(await this.opts.tokens.get(creds));
    }
  }

  private postOnce(path: string, token: string, json: string, hasEffects: boolean): Promise<WecomResponse> {
    const url = `${this.opts.apiBase}${path}?access_token=${encodeURIComponent(token)}`;
    const init: WecomRequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: json };
    return callWecom(url, init, { timeoutMs: this.opts.timeoutMs, what: path, hasEffects });
  }

  private async downloadOnce(path: string, token: string, params: Record<string, string>): Promise<{ contentType: string; body: Buffer }> {
    const query = new URLSearchParams({ access_token: token, ...params });
    const opts: CallOptions = { timeoutMs: this.opts.timeoutMs, what: path, hasEffects: false };
    let res: Dispatcher.ResponseData;
    let body: Buffer;
    try {
      // undici's request(), not fetch: see callWecom.
      res = await request(`${this.opts.apiBase}${path}?${query.toString()}`, { method: 'GET', signal: AbortSignal.timeout(opts.timeoutMs) });
      body = Buffer.from(await res.body.arrayBuffer());
    } catch (cause) {
      throw transportError(cause, opts);
    }
    checkStatus(res.statusCode, opts);
    const contentType = headerValue(res.headers['content-type']) ?? 'application/octet-stream';
    const error = /json|text\/plain/i.test(contentType) && body.length < 65_536 ? errcodeIn(body.toString('utf8')) : undefined;
    if (error !== undefined) throw errorForErrcode(error.errcode, error.errmsg, opts.what);
    return { contentType, body };
  }
}

/** fetch's Headers.get() joined repeated headers with ", "; undici gives them as an array. */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A small JSON body with a non-zero errcode is WeCom refusing the download, not the file itself. */
function errcodeIn(text: string): WecomResponse | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    const errcode = (parsed as WecomResponse | null)?.errcode;
    return typeof errcode === 'number' && errcode !== 0 ? (parsed as WecomResponse) : undefined;
  } catch {
    return undefined;
  }
}

export interface CallOptions {
  timeoutMs: number;
  /** Names the call in errors; never the URL, which may carry a secret or token. */
  what: string;
  /** Whether the call changes something on WeCom's side (a send), so a lost answer leaves the outcome unknown. */
  hasEffects: boolean;
}

/** One HTTP round trip: transport trouble, HTTP status and `errcode` become PlatformErrors. */
export async function callWecom(url: string, init: WecomRequestInit, opts: CallOptions): Promise<WecomResponse> {
  let res: Dispatcher.ResponseData;
  let text: string;
  try {
    // undici's request(), not fetch: ~73 µs of CPU per call against ~540 µs (bench, issue #2). The
    // signal is one deadline over connect, headers and body; its TimeoutError is what transportError() reads.
    res = await request(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
    text = await res.body.text();
  } catch (cause) {
    throw transportError(cause, opts);
  }
  checkStatus(res.statusCode, opts);
  const body = parseBody(text, opts);
  if (body.errcode !== 0) throw errorForErrcode(body.errcode, body.errmsg, opts.what);
  return body;
}

function checkStatus(status: number, opts: CallOptions): void {
  if (status === 429 || status >= 500) {
    throw new PlatformError(`WeCom ${opts.what}: HTTP ${status}`, { retryable: true, platformCode: `http_${status}` });
  }
  if (status < 200 || status >= 300) {
    throw new PlatformError(`WeCom ${opts.what}: HTTP ${status}`, { retryable: false, platformCode: `http_${status}` });
  }
}

export function errorForErrcode(errcode: number | undefined, errmsg: string | undefined, what: string): PlatformError {
  const code = errcode ?? NaN;
  let message = `WeCom ${what}: errcode ${String(errcode)} ${errmsg ?? ''}`.trim();
  if (code === 60020) {
    message += " (add this server's egress IP to the app's 企业可信IP list in the WeCom admin console)";
  }
  const retryable = TRANSIENT_ERRCODES.has(code) || TOKEN_ERRCODES.has(code);
  return new PlatformError(message, { retryable, platformCode: String(errcode) });
}

function parseBody(text: string, opts: CallOptions): WecomResponse {
  let parsed: unknown;
  try {
    // Made safe here, where WeCom's answers are read: a NUL in one 微信客服 message stalled its
    // account for good (issue 11), as every page after it failed to store.
    parsed = parseSafeJson(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as WecomResponse).errcode !== 'number') {
    // A 2xx we cannot read may still have been acted on.
    throw new PlatformError(`WeCom ${opts.what}: unreadable response`, { retryable: true, outcomeUnknown: opts.hasEffects });
  }
  return parsed as WecomResponse;
}

/**
 * A request that never connected is safely retryable. A timeout or a dropped connection after the
 * request went out leaves the outcome unknown: WeCom may have delivered it (reliability.md §2.2).
 */
function transportError(cause: unknown, opts: CallOptions): PlatformError {
  const name = cause instanceof Error ? cause.name : '';
  const code = errorCode(cause);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const reason = name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `network error ${code ?? name}`;
  return new PlatformError(`WeCom ${opts.what}: ${reason}`, {
    retryable: true,
    outcomeUnknown: opts.hasEffects && !notSent,
    cause,
  });
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
