/**
 * The one error hierarchy. Use cases and adapters throw these; only the edges
 * (http/middleware/error-handler.ts, jobs/) translate them into status codes or retry decisions.
 */
export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  /** Whether the message may be shown to the caller as is. */
  readonly expose: boolean;
  /** Whether a job that hit this error should be tried again later. */
  readonly retryable: boolean;

  constructor(code: string, message: string, opts: { httpStatus?: number; expose?: boolean; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = opts.httpStatus ?? 500;
    this.expose = opts.expose ?? this.httpStatus < 500;
    this.retryable = opts.retryable ?? false;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, code = 'REQUEST.INVALID') {
    super(code, message, { httpStatus: 400 });
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { httpStatus: 404 });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { httpStatus: 409 });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required', code = 'AUTH.REQUIRED') {
    super(code, message, { httpStatus: 401 });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed', code = 'AUTH.FORBIDDEN') {
    super(code, message, { httpStatus: 403 });
  }
}

/** Too many attempts; the caller may try again after `retryAfterS` seconds (sent as Retry-After). */
export class RateLimitedError extends AppError {
  readonly retryAfterS: number;
  constructor(retryAfterS: number, message = 'too many attempts; try again later', code = 'AUTH.RATE_LIMITED') {
    super(code, message, { httpStatus: 429 });
    this.retryAfterS = Math.max(1, Math.ceil(retryAfterS));
  }
}

/** A callback whose signature, timestamp or receiver does not check out. */
export class InvalidSignatureError extends AppError {
  constructor(message: string, code = 'WEBHOOK.INVALID_SIGNATURE') {
    super(code, message, { httpStatus: 401 });
  }
}

/** A callback body that cannot be read: bad XML/JSON, DOCTYPE, bad ciphertext. */
export class PayloadError extends AppError {
  constructor(message: string, code = 'WEBHOOK.BAD_PAYLOAD') {
    super(code, message, { httpStatus: 400 });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('REQUEST.TOO_LARGE', `body exceeds ${limitBytes} bytes`, { httpStatus: 413 });
  }
}

/** The model node failed, timed out, or its circuit is open. */
export class ModelUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('MODEL.UNAVAILABLE', message, { httpStatus: 503, retryable: true, cause });
  }
}

/**
 * A platform API call failed. `retryable` separates transient trouble (network, rate limit,
 * system busy) from permanent refusals (invalid user, no permission) that must be shown to agents.
 */
export class PlatformError extends AppError {
  readonly platformCode: string | undefined;
  /** True when the request may have been delivered although no answer came back. */
  readonly outcomeUnknown: boolean;
  /**
   * True when only a person can go on: the platform's reply window closed, or a human holds the
   * session there. The message fails and the conversation is flagged, never retried in a loop.
   */
  readonly needsHuman: boolean;

  constructor(message: string, opts: { retryable: boolean; platformCode?: string; outcomeUnknown?: boolean; needsHuman?: boolean; cause?: unknown }) {
    super('PLATFORM.SEND_FAILED', message, { httpStatus: 502, retryable: opts.retryable, cause: opts.cause });
    this.platformCode = opts.platformCode;
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
    this.needsHuman = opts.needsHuman ?? false;
  }
}
