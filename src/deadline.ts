/**
 * Bounded waits for shutdown and health checks (issue 11: /readyz hung for 40 s and SIGTERM took
 * 30 s while Redis was hung). Resolves to the promise's value, or to `fallback` once `ms` pass;
 * the promise itself is left to finish or fail on its own, observed so it never rejects unhandled.
 */
export function within<T>(ms: number, promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  const settled = promise.catch(() => fallback);
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
