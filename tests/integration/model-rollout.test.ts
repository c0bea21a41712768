import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { freePort } from '../support/child-service.js';
import { createStorage, login, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { afterBotTurn, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';
import { evaluationReport as report } from '../support/model-report-fixture.js';

/** issue 13 item 4: evaluation reports, the adapters the node serves, shadow / promote / rollback. */

const auditOf = async (svc: TestService, action: string) =>
  (await svc.api('GET', '/api/audit?limit=200')).body.items.filter((a: any) => a.action === action);

describe(`model rollout API (${mode})`, () => {
  let storage: Storage;
  let model: FakeModelServer;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    model = await new FakeModelServer().start();
    model.models = ['qwen2.5-7b-instruct', 'support-v1', 'support-v2'];
    storage = await createStorage();
    svc = await startTestService(storage, { MODEL_BASE_URL: model.url, MODEL_API_KEY: 'node-key-123' });
    channelId = await createWebchatChannel(svc, { name: 'support-v1', threshold: 0.6 });
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  test('GET /api/models lists the adapters the node serves, with their parents, the newest report and each channel', async () => {
    assert.equal((await svc.api('POST', '/api/models/support-v2/reports', report('support-v2', { auroc: 0.7 }))).status, 201);
    const newest = await svc.api('POST', '/api/models/support-v2/reports', report('support-v2'));
    const r = await svc.api('GET', '/api/models');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.node, { configured: true, available: true, error: null });
    assert.equal(r.body.defaultModel, 'qwen2.5-7b-instruct');
    assert.deepEqual(r.body.adapters.map((a: any) => [a.name, a.parent, a.isBase]), [
      ['qwen2.5-7b-instruct', null, true],
      ['support-v1', 'qwen2.5-7b-instruct', false],
      ['support-v2', 'qwen2.5-7b-instruct', false],
    ]);
    const v2 = r.body.adapters.find((a: any) => a.name === 'support-v2');
    assert.equal(v2.latestReport.id, newest.body.id);
    assert.equal(v2.latestReport.auroc, 0.88);
    assert.equal(v2.latestReport.uploadedBy.length > 0, true);
    assert.ok(!Number.isNaN(Date.parse(v2.latestReport.uploadedAt)));
    assert.equal(r.body.adapters.find((a: any) => a.name === 'support-v1').latestReport, null);
    assert.deepEqual(r.body.channels.find((c: any) => c.channelId === channelId), {
      channelId, channelName: r.body.channels.find((c: any) => c.channelId === channelId).channelName, live: 'support-v1', threshold: 0.6, shadow: null, previous: null,
    });
    assert.equal(model.modelListHeaders.at(-1)!.authorization, 'Bearer node-key-123');
  });

  test('reports: stored as uploaded (extra keys kept), newest first; bad bodies are 400 and change nothing', async () => {
    const created = await svc.api('POST', '/api/models/support-v9/reports', report('support-v9', { notes: 'stage 2', disagreements: [] }));
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^\d+$/);
    const audits = (await auditOf(svc, 'model.report')).length;
    const bad: [string, unknown][] = [
      ['model differs from the URL', report('support-v1')],
      ['a rate above 1', report('support-v9', { rates: { answeredCorrectly: 1.2, wrong: 0, handedOff: 0, outOfScopeHandedOff: 0 } })],
      ['a missing field', { ...report('support-v9'), counts: undefined }],
      ['version 2', report('support-v9', { version: 2 })],
      ['51 disagreements', report('support-v9', { disagreements: Array.from({ length: 51 }, () => ({ question: 'q', expected: 'handoff', got: 'a', confidence: 0.5 })) })],
      ['not a date', report('support-v9', { createdAt: 'yesterday' })],
      ['an array', [report('support-v9')]],
    ];
    for (const [what, body] of bad) {
      const r = await svc.api('POST', '/api/models/support-v9/reports', body);
      assert.equal(r.status, 400, what);
      assert.equal(typeof r.body.error.code, 'string', what);
    }
    assert.equal((await svc.api('POST', '/api/models/support-v9/reports', '{"version":1,', { 'content-type': 'application/json' })).status, 400);
    const list = await svc.api('GET', '/api/models/support-v9/reports');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((i: any) => [i.id, i.notes, i.model]), [[created.body.id, 'stage 2', 'support-v9']]);
    assert.equal((await auditOf(svc, 'model.report')).length, audits, 'refused uploads are not audited');
    assert.deepEqual((await svc.api('GET', '/api/models/nothing-yet/reports')).body, { items: [] });
  });

  test('shadow, promote and rollback: audited, with 400 / 404 / 409 changing nothing', async () => {
    const path = `/api/channels/${channelId}/model`;
    const initial = await svc.api('GET', path);
    assert.deepEqual(initial.body, { channelId, live: 'support-v1', defaultModel: 'qwen2.5-7b-instruct', threshold: 0.6, shadow: null, previous: null, shadow_stats: null });

    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v1' })).status, 400, 'the live adapter cannot shadow itself');
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: '' })).status, 400);
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v2', extra: 1 })).status, 400);
    assert.equal((await svc.api('POST', `${path}/promote`)).status, 409);
    assert.equal((await svc.api('POST', `${path}/promote`)).body.error.code, 'MODEL.NO_SHADOW');
    assert.equal((await svc.api('POST', `${path}/rollback`)).body.error.code, 'MODEL.NO_PREVIOUS');
    assert.deepEqual((await svc.api('GET', path)).body, initial.body, 'refusals change nothing');

    const shadowed = await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v2' });
    assert.equal(shadowed.status, 200);
    assert.equal(shadowed.body.shadow, 'support-v2');
    assert.equal(shadowed.body.shadow_stats.adapter, 'support-v2');
    assert.equal(shadowed.body.shadow_stats.turns, 0);
    assert.equal(shadowed.body.shadow_stats.confidenceBuckets.length, 10);

    // An ordinary edit of the channel form keeps the shadow (model is one JSON value).
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { model: { threshold: 0.65 } })).status, 200);
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { model: { shadowName: 'x' } })).status, 400, 'only the audited route sets a shadow');
    assert.equal((await svc.api('GET', path)).body.shadow, 'support-v2');

    const promoted = await svc.api('POST', `${path}/promote`);
    assert.equal(promoted.status, 200);
    assert.deepEqual([promoted.body.live, promoted.body.previous, promoted.body.shadow, promoted.body.threshold], ['support-v2', 'support-v1', null, 0.65]);
    assert.equal((await svc.api('GET', `/api/channels/${channelId}`)).body.model.name, 'support-v2');

    const back = await svc.api('POST', `${path}/rollback`);
    assert.deepEqual([back.body.live, back.body.previous, back.body.shadow], ['support-v1', 'support-v2', null]);
    const again = await svc.api('POST', `${path}/rollback`);
    assert.deepEqual([again.body.live, again.body.previous], ['support-v2', 'support-v1'], 'rolling back twice goes forward again');

    assert.deepEqual((await auditOf(svc, 'channel.shadow')).map((a: any) => [a.target, a.details]), [[`channel:${channelId}`, { from: null, to: 'support-v2' }]]);
    assert.deepEqual((await auditOf(svc, 'channel.promote')).map((a: any) => a.details), [{ from: 'support-v1', to: 'support-v2' }]);
    assert.deepEqual((await auditOf(svc, 'channel.rollback')).map((a: any) => a.details).reverse(), [{ from: 'support-v2', to: 'support-v1' }, { from: 'support-v1', to: 'support-v2' }]);

    const cleared = await svc.api('PUT', `${path}/shadow`, { adapter: null });
    assert.deepEqual([cleared.status, cleared.body.shadow, cleared.body.shadow_stats], [200, null, null]);
  });

  test('a channel on the default model promotes away from it by name, so it can roll back to it', async () => {
    const onDefault = await createWebchatChannel(svc);
    const path = `/api/channels/${onDefault}/model`;
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 'qwen2.5-7b-instruct' })).status, 400, 'the default model is what answers it');
    await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v2' });
    const promoted = await svc.api('POST', `${path}/promote`);
    assert.deepEqual([promoted.body.live, promoted.body.previous], ['support-v2', 'qwen2.5-7b-instruct']);
    const back = await svc.api('POST', `${path}/rollback`);
    assert.deepEqual([back.body.live, back.body.previous], ['qwen2.5-7b-instruct', 'support-v2']);
  });

  test('unknown channels are 404; agents may not use the model routes', async () => {
    for (const [method, p] of [['GET', '/model'], ['PUT', '/model/shadow'], ['POST', '/model/promote'], ['POST', '/model/rollback']] as const) {
      const r = await svc.api(method, `/api/channels/ch_nosuchchannel${p}`, method === 'PUT' ? { adapter: 'support-v2' } : undefined);
      assert.deepEqual([r.status, r.body.error.code], [404, 'CHANNEL.NOT_FOUND'], `${method} ${p}`);
    }
    const agent = await svc.api('POST', '/api/users', { email: `agent-${Date.now()}@example.com`, name: 'Agent', role: 'agent', password: 'agent-password-123' });
    assert.equal(agent.status, 201);
    const session = await login(svc.url, agent.body.email, 'agent-password-123');
    assert.equal((await session.api('GET', '/api/models')).status, 403);
    assert.equal((await session.api('POST', `/api/channels/${channelId}/model/promote`)).status, 403);
  });
});

describe(`model rollout with the model node down (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;

  before(async () => {
    storage = await createStorage();
    // A port nobody listens on: the node is configured and down.
    svc = await startTestService(storage, { MODEL_BASE_URL: `http://127.0.0.1:${await freePort()}/v1` });
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('the adapters known here are still listed, with no parent, and the page can still roll back', async () => {
    const channelId = await createWebchatChannel(svc, { name: 'support-v1' });
    await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: 'support-v3' });
    assert.equal((await svc.api('POST', '/api/models/support-v2/reports', report('support-v2'))).status, 201);
    const r = await svc.api('GET', '/api/models');
    assert.equal(r.status, 200);
    assert.equal(r.body.node.configured, true);
    assert.equal(r.body.node.available, false);
    assert.equal(typeof r.body.node.error, 'string');
    assert.deepEqual(r.body.adapters.map((a: any) => [a.name, a.parent, a.latestReport?.model ?? null]).sort(), [
      ['support-v1', null, null], ['support-v2', null, 'support-v2'], ['support-v3', null, null],
    ]);
    assert.equal((await svc.api('POST', `/api/channels/${channelId}/model/promote`)).status, 200);
    assert.equal((await svc.api('POST', `/api/channels/${channelId}/model/rollback`)).body.live, 'support-v1');
  });
});

describe('without a model node (embedded default)', { skip: mode !== 'embedded' && 'one run is enough' }, () => {
  test('GET /api/models says no node is configured', async () => {
    const storage = await createStorage();
    const svc = await startTestService(storage);
    try {
      const r = await svc.api('GET', '/api/models');
      assert.deepEqual([r.status, r.body.node], [200, { configured: false, available: false, error: null }]);
    } finally {
      await svc.close();
      await storage.dispose();
    }
  });
});

/** Promote on one process; the other's turns use the new adapter within its channel cache's life. */
describe('a promote reaches the other process', { skip: mode !== 'real' && 'needs a shared PostgreSQL' }, () => {
  let storage: Storage;
  let model: FakeModelServer;
  let web: TestService;
  let worker: TestService;
  let channelId: string;

  before(async () => {
    model = await new FakeModelServer().start();
    model.models = ['qwen2.5-7b-instruct', 'support-v1', 'support-v2'];
    model.reply = (body) => ({ content: `${body.model}：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    // Turns run only on the worker; the admin acts on the web process.
    web = await startTestService(storage, { MODEL_BASE_URL: model.url, ROLE: 'web' });
    worker = await startTestService(storage, { MODEL_BASE_URL: model.url, ROLE: 'worker' });
    channelId = await createWebchatChannel(web, { name: 'support-v1' });
  });
  after(async () => {
    await web?.close();
    await worker?.close();
    await model?.close();
    await storage?.dispose();
  });

  const adapterThatAnswered = async (question: string) => {
    const visitor = newVisitor();
    await customerSays(web, channelId, visitor, question);
    await afterBotTurn(web, channelId, visitor);
    return model.requests.find((r) => r.messages.at(-1)!.content === question)?.model;
  };

  test('the worker answers with the promoted adapter, and with the old one after a rollback', async () => {
    assert.equal(await adapterThatAnswered('第一个问题'), 'support-v1', 'the worker has the channel cached with support-v1');
    await web.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: 'support-v2' });
    assert.equal((await web.api('POST', `/api/channels/${channelId}/model/promote`)).status, 200);
    let n = 0;
    await waitFor('a turn on the worker with support-v2', async () => (await adapterThatAnswered(`升级后的问题${n++}`)) === 'support-v2', 10_000);
    assert.equal((await web.api('POST', `/api/channels/${channelId}/model/rollback`)).status, 200);
    await waitFor('a turn on the worker with support-v1 again', async () => (await adapterThatAnswered(`回滚后的问题${n++}`)) === 'support-v1', 10_000);
  });
});
