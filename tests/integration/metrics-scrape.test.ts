/**
 * issue 16 item 5: the series the alerts and the dashboard (infra/monitoring) read, scraped from
 * GET /metrics of a running service as Prometheus does: turns and handoffs per channel, the model
 * breaker's state following the fake model node down and back, and one live-connection series per
 * connected channel that goes when the channel is turned off. Across processes (real mode), only
 * the lease holder of a single-connection channel writes its series.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { startBotLeaseHolder } from '../support/wecom-bot.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Every sample of the Prometheus text format served at `${url}/metrics`. */
async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const samples: Sample[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v!;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
async function valueOf(url: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const found = (await scrape(url)).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `one series of ${name} ${JSON.stringify(labels)}: ${JSON.stringify(found)}`);
  return found[0]?.value;
}

/** Waits until the series has this value (null: until it does not exist). */
const seriesBecomes = (url: string, name: string, labels: Record<string, string>, want: number | null, timeoutMs = 15_000) =>
  waitFor(`${name} ${JSON.stringify(labels)} = ${want}`, async () => ((await valueOf(url, name, labels)) ?? null) === want || null, timeoutMs);

describe(`/metrics as Prometheus scrapes it (${mode})`, { timeout: 120_000 }, () => {
  const app = newDingtalkApp();
  let model: FakeModelServer;
  let dingtalk: DingtalkFakes;
  let storage: Storage;
  let svc: TestService;
  let webchatId: string;

  before(async () => {
    model = await new FakeModelServer().start();
    model.reply = { content: '亲，满299元就包邮哦~', logprobs: -0.01 };
    dingtalk = await new DingtalkFakes(app).start();
    storage = await createStorage();
    svc = await startTestService(storage, { MODEL_BASE_URL: model.url, MODEL_TIMEOUT_MS: '2000', DINGTALK_API_BASE: dingtalk.url });
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: '官网客服', config: {} });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    webchatId = created.body.id;
  });
  after(async () => {
    await svc?.close();
    await dingtalk?.close();
    await model?.close();
    await storage?.dispose();
  });

  const write = async (visitorId: string, text: string) => {
    const res = await fetch(`${svc.url}/webchat/${webchatId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId, text }),
    });
    assert.equal(res.status, 202);
  };

  test('a web chat turn the model answers counts in kefu_turns_total under its channel', async () => {
    assert.equal(await valueOf(svc.url, 'kefu_turns_total', { channel_id: webchatId }), undefined, 'no turn yet');
    await write('metrics-visitor-0001', '包邮吗？');
    await seriesBecomes(svc.url, 'kefu_turns_total', { channel_id: webchatId, outcome: 'answer' }, 1);
    assert.equal(await valueOf(svc.url, 'kefu_handoffs_total', { channel_id: webchatId }), undefined, 'answered, not handed off');
    assert.equal(await valueOf(svc.url, 'kefu_model_breaker_open'), 0, 'closed while the model answers');
  });

  test('the model node down: turns hand off under their channel, and kefu_model_breaker_open goes to 1; back to 0 once it answers', async () => {
    model.failStatus = 500;
    // Five calls in the breaker's 10 s window, most failing, open it (DEFAULT_BREAKER).
    const visitors = Array.from({ length: 6 }, (_, i) => `metrics-down-${String(i).padStart(4, '0')}`);
    await Promise.all(visitors.map((v, i) => write(v, `发什么快递？${i}`)));
    await seriesBecomes(svc.url, 'kefu_model_breaker_open', {}, 1);
    const handoffs = await waitFor('handoffs counted', async () => (await valueOf(svc.url, 'kefu_handoffs_total', { channel_id: webchatId, reason: 'model_unavailable' })) ?? 0);
    assert.ok(handoffs >= 1);
    assert.ok(((await valueOf(svc.url, 'kefu_turns_total', { channel_id: webchatId, outcome: 'handoff' })) ?? 0) >= handoffs);

    // The breaker's probe (half-open, 4 s after opening) finds the model back and closes it.
    model.failStatus = null;
    await seriesBecomes(svc.url, 'kefu_model_breaker_open', {}, 0, 20_000);
  });

  test('a DingTalk Stream channel: connected 1 while the socket is up, 0 while it reconnects, no series once turned off', async () => {
    const channelId = await createDingtalkChannel(svc, 'dingtalk_stream', app);
    const series = { channel_id: channelId, kind: 'dingtalk_stream' };
    await seriesBecomes(svc.url, 'kefu_channel_connection_wanted', series, 1);
    await seriesBecomes(svc.url, 'kefu_channel_connected', series, 1, 20_000);
    assert.equal(dingtalk.gateway.openConnections(), 1);
    // Web chat needs no connection: neither series.
    assert.equal(await valueOf(svc.url, 'kefu_channel_connection_wanted', { channel_id: webchatId }), undefined);
    assert.equal(await valueOf(svc.url, 'kefu_channel_connected', { channel_id: webchatId }), undefined);

    dingtalk.gateway.rejectUpgrades = true;
    await dingtalk.gateway.dropAll();
    await seriesBecomes(svc.url, 'kefu_channel_connected', series, 0);
    dingtalk.gateway.rejectUpgrades = false;
    await seriesBecomes(svc.url, 'kefu_channel_connected', series, 1, 20_000);

    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    await seriesBecomes(svc.url, 'kefu_channel_connected', { channel_id: channelId }, null);
    await seriesBecomes(svc.url, 'kefu_channel_connection_wanted', { channel_id: channelId }, null);
    assert.equal(dingtalk.gateway.openConnections(), 0);
  });
});

describe(`kefu_channel_connected across processes: only the lease holder writes it (${mode})`, { timeout: 120_000, skip: mode !== 'real' && 'needs a shared PostgreSQL' }, () => {
  test('the holder shows 1, the other process wants the channel but has no series; after a kill -9 of the holder the other shows 1', async () => {
    // Created while only `a` runs, so `a` holds the lease.
    const { bot, gw, holder: a, other: b, channelId, close } = await startBotLeaseHolder();
    try {
      const series = { channel_id: channelId, kind: 'wecom_bot' };
      await seriesBecomes(a.url, 'kefu_channel_connected', series, 1);
      await seriesBecomes(b.url, 'kefu_channel_connection_wanted', series, 1);
      assert.equal(await valueOf(b.url, 'kefu_channel_connected', { channel_id: channelId }), undefined, 'not the holder: no series, so a sum over replicas counts one connection');
      assert.equal(await valueOf(a.url, 'kefu_channel_connected', series), 1);

      await a.kill9();
      // The lease runs out (10 s) and `b` connects.
      await seriesBecomes(b.url, 'kefu_channel_connected', series, 1, 30_000);
      await gw.waitForConnections(1, bot.botId, 5000);
    } finally {
      await close();
    }
  });
});
