/**
 * The one way the console talks to the server: same-origin cookies, JSON bodies, the session's
 * CSRF token on every unsafe method, and server errors ({error:{code,message}}) thrown as ApiError.
 * A 401 anywhere but the login call means the session is gone: listeners (the App) show the login page.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();
const forbiddenListeners = new Set<() => void>();

/** Set from the login and /api/auth/me answers; cleared on logout. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called whenever a request answers 401 (the session expired or was revoked). Returns an unsubscribe. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called when a request answers 403 AUTH.FORBIDDEN (e.g. an admin was made an agent meanwhile). */
export function onForbidden(listener: () => void): () => void {
  forbiddenListeners.add(listener);
  return () => forbiddenListeners.delete(listener);
}

/** fetch with the session rules applied; answers the Response as is (for downloads, NDJSON uploads…). */
async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  if (UNSAFE.has(method) && csrfToken) headers.set('X-CSRF-Token', csrfToken);
  const response = await fetch(path, { ...init, method, headers, credentials: 'same-origin' });
  // A wrong password is also a 401; that one is the login form's business, not a lost session.
  if (response.status === 401 && path !== '/api/auth/login') for (const listener of unauthorizedListeners) listener();
  return response;
}

/** Reads an error answer into an ApiError, whatever shape the body has. */
async function toError(response: Response): Promise<ApiError> {
  let code = `HTTP.${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy page, an empty body): the status line is all there is.
  }
  return new ApiError(response.status, code, message);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await raw(path, init);
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) {
    const error = await toError(response);
    if (error.status === 403 && error.code === 'AUTH.FORBIDDEN') for (const listener of forbiddenListeners) listener();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
  raw,
  /** Turns a non-2xx Response from api.raw into an ApiError. */
  errorOf: toError,
};

export type Api = typeof api;

/** A query string from the defined values only: qs({a:1,b:undefined}) -> '?a=1'. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
