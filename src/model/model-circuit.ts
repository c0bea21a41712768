import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { ModelUnavailableError } from '../domain/errors.js';
import type { ResponderHealth } from '../ports/responder.js';

export interface BreakerSettings {
  /** Failure percentage over the rolling window (10 s) that opens the circuit. */
  errorThresholdPercentage: number;
  /** How long the circuit stays open before one trial call (the probe) is let through. */
  resetTimeoutMs: number;
  /** Calls needed in the window before the failure rate can open the circuit. */
  volumeThreshold: number;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** One call to the model node. The breaker also sees the caller's own signal (its turn), for the error filter. */
type Job = () => Promise<unknown>;

export interface ModelCircuit {
  /** Runs the call through the breaker: fails fast (EOPENBREAKER) while open, or half-open with the probe in flight. */
  run<T>(job: () => Promise<T>, callerSignal?: AbortSignal): Promise<T>;
  // Function properties, not methods: the responder hands them on detached (`state: circuit.state`).
  state: () => BreakerState;
  health: () => ResponderHealth;
  /** Stops the timers; later calls fail with ModelUnavailableError. */
  shutdown(): void;
}

const ROLLING_WINDOW_MS = 10_000;
const ROLLING_BUCKETS = 10;

/**
 * opossum's breaker around the model node, with what issue 11 asked of it: when it half-opens,
 * `probe` (if given) is the one trial call, so the circuit learns the model is back even when no
 * customer writes; the first success closes it and starts a fresh failure window, so the outage's
 * failures cannot reopen it; `health()` says since when the model has been reachable.
 */
export function createModelCircuit(settings: BreakerSettings, timeoutMs: number, probe: () => Job | null): ModelCircuit {
  // opossum rotates its stats buckets on this emitter's 'rotate' when one is given: we rotate on a
  // timer as it would, and all at once on close to forget the outage.
  const rotation = new EventEmitter();
  const rotateTimer = setInterval(() => rotation.emit('rotate'), ROLLING_WINDOW_MS / ROLLING_BUCKETS);
  rotateTimer.unref();

  const breaker: CircuitBreaker<[Job, AbortSignal | undefined], unknown> = new CircuitBreaker((job: Job, _callerSignal: AbortSignal | undefined) => job(), {
    // Also bounds the caller's wait if a body stream ignores the abort.
    timeout: timeoutMs,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    resetTimeout: settings.resetTimeoutMs,
    volumeThreshold: settings.volumeThreshold,
    rollingCountTimeout: ROLLING_WINDOW_MS,
    rollingCountBuckets: ROLLING_BUCKETS,
    rotateBucketController: rotation,
    // A turn cancelled by our own shutdown says nothing about the model node's health. opossum counts
    // a filtered error as a success, which would close a half-open circuit untested, so not then.
    errorFilter: (_err: unknown, _job?: Job, callerSignal?: AbortSignal): boolean => callerSignal?.aborted === true && !breaker.halfOpen,
  });

  let health: ResponderHealth = { available: true, since: new Date() };
  breaker.on('open', () => {
    if (health.available) health = { available: false, since: new Date() };
  });
  breaker.on('close', () => {
    health = { available: true, since: new Date() };
    for (let i = 0; i < ROLLING_BUCKETS; i += 1) rotation.emit('rotate');
  });
  breaker.on('halfOpen', () => {
    const job = probe();
    // No call seen yet to copy (cannot happen: opening takes calls): the next customer's call is the trial.
    if (job) breaker.fire(job, undefined).catch(() => undefined);
  });

  // Our own flag: a call that fails after opossum's shutdown() re-opens it, and opossum then runs
  // later calls unguarded (it checks its state, which that failure overwrote).
  let shut = false;
  return {
    async run<T>(job: () => Promise<T>, callerSignal?: AbortSignal): Promise<T> {
      if (shut) throw new ModelUnavailableError('model client is closed');
      return (await breaker.fire(job, callerSignal)) as T;
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    health: () => health,
    shutdown() {
      shut = true;
      clearInterval(rotateTimer);
      breaker.shutdown();
    },
  };
}
