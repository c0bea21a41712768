/** Shared setup for the 微信客服 contract tests: a FakeWecomKfApi on 127.0.0.1 and an adapter pointed at it. */
import assert from 'node:assert/strict';
import { createWecomKfAdapter } from '../../adapters/wecom/index.js';
import { DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, type Channel } from '../../src/domain/channel.js';
import { PlatformError } from '../../src/domain/errors.js';
import type { ChannelAdapter, SendTarget } from '../../src/ports/channel-adapter.js';
import { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';

export const CREDS = {
  corpId: 'ww1436e0e65a779aee',
  secret: 'kf-app-secret-1',
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
};
export const KF = 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q';
export const USER = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';
export const to: SendTarget = { externalId: USER, address: { openKfId: KF } };

export function kfChannel(config: Record<string, unknown> = {}): Channel {
  return {
    id: 'ch-kf-1', kind: 'wecom_kf', name: 'shop kf', enabled: true, botEnabled: true,
    config: { ...CREDS, ...config },
    model: { name: null, threshold: 0.6, systemPrompt: DEFAULT_SYSTEM_PROMPT },
    handoff: { keywords: [], holdingMessage: DEFAULT_HOLDING_MESSAGE },
    welcomeMessage: null, createdAt: new Date(0), updatedAt: new Date(0),
  };
}

export interface KfWorld {
  fake: FakeWecomKfApi;
  adapter: ChannelAdapter;
  /** The fake's clock (ms); move it to age tokens or close the 48 h window. */
  clock: { ms: number };
  /** Item base for the default customer, sent "now" on the fake's clock. */
  base: (extra?: { msgid?: string; sendTime?: number }) => { openKfId: string; externalUserId: string; sendTime: number; msgid?: string };
}

/** Runs `fn` against a fresh fake and adapter; the fake is closed whatever happens. */
export async function withKf(fn: (w: KfWorld) => Promise<void>, opts: { pageSize?: number } = {}): Promise<void> {
  const clock = { ms: Date.now() };
  const fake = await new FakeWecomKfApi({ ...CREDS, pageSize: opts.pageSize, now: () => clock.ms }).start();
  try {
    const adapter = createWecomKfAdapter({ apiBase: fake.url, maxSkewS: 300, timeoutMs: 2000 });
    const base = (extra: { msgid?: string; sendTime?: number } = {}) => ({
      openKfId: KF, externalUserId: USER, sendTime: Math.floor(clock.ms / 1000), ...extra,
    });
    await fn({ fake, adapter, clock, base });
  } finally {
    await fake.close();
  }
}

export async function rejectsWith(promise: Promise<unknown>, expected: Partial<PlatformError>): Promise<PlatformError> {
  const err = await promise.then(() => assert.fail('expected a PlatformError'), (e: unknown) => e);
  assert.ok(err instanceof PlatformError, String(err));
  for (const [key, value] of Object.entries(expected)) assert.equal(err[key as keyof PlatformError], value, key);
  return err;
}
