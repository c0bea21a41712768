import type { Channel } from './channel.js';
import { AppError, PlatformError } from './errors.js';

/**
 * Parses a channel's platform config once per config object, for adapters on hot webhook paths
 * (DESIGN.md §3.4 targets ack p99 ≤ 20 ms). The channel repository hands out a new object when a
 * config changes. A stored config that no longer validates is our fault, not the caller's: 500 for
 * a webhook (the platform retries), a permanent PlatformError for a platform call (shown to agents).
 */
export function configCache<T>(parse: (config: unknown) => T): (channel: Channel, forCall?: boolean) => T {
  const configs = new WeakMap<object, T>();
  return (channel, forCall = false) => {
    const cached = configs.get(channel.config);
    if (cached !== undefined) return cached;
    try {
      const parsed = parse(channel.config);
      configs.set(channel.config, parsed);
      return parsed;
    } catch (err) {
      const message = `channel ${channel.id}: ${err instanceof Error ? err.message : 'invalid config'}`;
      if (forCall) throw new PlatformError(message, { retryable: false, cause: err });
      throw new AppError('CHANNEL.INVALID_CONFIG', message, { httpStatus: 500, cause: err });
    }
  };
}
