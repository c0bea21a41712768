import NodeCache from 'node-cache';
import type { Channel } from '../domain/channel.js';
import { isTextId } from '../domain/ids.js';
import type { ChannelDirectory } from '../ports/channel-directory.js';
import type { ChannelRepository } from '../ports/channel-repository.js';

/**
 * Channel config for hot paths. One second of staleness at most, so `PATCH {"enabled":false}`
 * reaches every process within 2 s (DESIGN.md §4.2) without any cross-process invalidation.
 */
export function createCachedChannelDirectory(repository: ChannelRepository, ttlSeconds = 1): ChannelDirectory {
  const cache = new NodeCache({ stdTTL: ttlSeconds, checkperiod: 0, useClones: false });
  const inflight = new Map<string, Promise<Channel | null>>();
  return {
    async get(id) {
      // `/webhooks/wecom/<id>%00` is a callback for no channel, not a query PostgreSQL refuses (issue 11).
      if (!isTextId(id)) return null;
      const hit = cache.get<{ channel: Channel | null }>(id);
      if (hit) return hit.channel;
      let load = inflight.get(id);
      if (!load) {
        load = repository.get(id).then((channel) => {
          cache.set(id, { channel });
          return channel;
        });
        inflight.set(id, load);
        void load.finally(() => inflight.delete(id)).catch(() => undefined);
      }
      return load;
    },
    invalidate(id) {
      cache.del(id);
    },
  };
}
