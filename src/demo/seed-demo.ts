import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '../domain/channel.js';
import { projectRoot } from '../paths.js';
import type { CoreDeps } from '../usecases/deps.js';
import { importKnowledge } from '../usecases/import-knowledge.js';
import { createChannel } from '../usecases/manage-channels.js';

// The service seeding itself: every use case takes the role-carrying Actor (issue 14 review).
const system = { id: 'system', role: 'admin' as const };

/**
 * On an empty database: a web chat channel and the demo shop's knowledge base, so
 * `npm start` answers "包邮吗" with nothing configured.
 */
export async function seedDemo(deps: CoreDeps): Promise<Channel | null> {
  const channels = await deps.channelRepository.list();
  const existing = channels.find((c) => c.kind === 'webchat');
  if (channels.length > 0) return existing ?? null;
  const channel = await createChannel(deps, system, 'webchat', {
    // The product speaks zh-CN first; an English name in the Chinese console read as a leftover (issue 14 item 6).
    name: '演示小店（网页聊天）',
    config: { allowedOrigins: [] },
  });
  if ((await deps.knowledge.count()) === 0) {
    const jsonl = readFileSync(join(projectRoot, 'src', 'demo', 'demo-kb.jsonl'), 'utf8');
    await importKnowledge(deps, system, jsonl, null);
  }
  return channel;
}
