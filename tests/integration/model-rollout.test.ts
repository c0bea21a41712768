import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
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

  test('adapter names: blanks, newlines, NUL, paths are 400 MODEL.INVALID_NAME and change nothing; vLLM names pass', async () => {
    const path = `/api/channels/${channelId}/model`;
    const before = (await svc.api('GET', path)).body;
    const shadowAudits = (await auditOf(svc, 'channel.shadow')).length;
    for (const adapter of [' ', '', 'x\ny', '../../etc/passwd', 'x\u0000y', 'a/../b', '-rf', 'x'.repeat(201), 'support v2']) {
      const r = await svc.api('PUT', `${path}/shadow`, { adapter });
      assert.deepEqual([r.status, r.body.error?.code], [400, 'MODEL.INVALID_NAME'], JSON.stringify(adapter));
    }
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 7 })).status, 400);
    assert.deepEqual((await svc.api('GET', path)).body, before, 'refused names change nothing');
    assert.equal((await auditOf(svc, 'channel.shadow')).length, shadowAudits);

    const reports = (await auditOf(svc, 'model.report')).length;
    // A NUL in the URL is refused before any route (REQUEST.MALFORMED_URL, issue 11); the rest by the name rule.
    for (const [encoded, code] of [['%20', 'MODEL.INVALID_NAME'], ['..%2F..%2Fetc', 'MODEL.INVALID_NAME'], ['x%0Ay', 'MODEL.INVALID_NAME'], ['a%2F.%2Fb', 'MODEL.INVALID_NAME'],
      ['a%2F..%2Fb', 'MODEL.INVALID_NAME'], ['-x', 'MODEL.INVALID_NAME'], ['x%00y', 'REQUEST.MALFORMED_URL']]) {
      const name = decodeURIComponent(encoded);
      const posted = await svc.api('POST', `/api/models/${encoded}/reports`, report(name));
      assert.deepEqual([posted.status, posted.body.error?.code], [400, code], `POST ${encoded}`);
      const listed = await svc.api('GET', `/api/models/${encoded}/reports`);
      assert.deepEqual([listed.status, listed.body.error?.code], [400, code], `GET ${encoded}`);
    }
    assert.equal((await auditOf(svc, 'model.report')).length, reports, 'refused uploads are not audited');

    const vllmName = 'Qwen/Qwen2.5-7B-Instruct';
    const created = await svc.api('POST', `/api/models/${encodeURIComponent(vllmName)}/reports`, report(vllmName));
    assert.equal(created.status, 201);
    assert.deepEqual((await svc.api('GET', `/api/models/${encodeURIComponent(vllmName)}/reports`)).body.items.map((i: any) => i.id), [created.body.id]);
  });

  test('promote refuses an adapter the reachable node does not serve (409 MODEL.NOT_SERVED), changing nothing', async () => {
    const ch = await createWebchatChannel(svc, { name: 'support-v1' });
    const path = `/api/channels/${ch}/model`;
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v7' })).status, 200, 'a shadow may be tried before it is served');
    const before = (await svc.api('GET', path)).body;
    const r = await svc.api('POST', `${path}/promote`);
    assert.deepEqual([r.status, r.body.error.code], [409, 'MODEL.NOT_SERVED']);
    assert.deepEqual((await svc.api('GET', path)).body, before);
    assert.ok(!(await auditOf(svc, 'channel.promote')).some((a: any) => a.target === `channel:${ch}`), 'not audited');
  });

  test('a rollback onto the shadow adapter clears the shadow: live and shadow are never the same', async () => {
    const ch = await createWebchatChannel(svc, { name: 'support-v1' });
    const path = `/api/channels/${ch}/model`;
    await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v2' });
    assert.equal((await svc.api('POST', `${path}/promote`)).status, 200);
    assert.equal((await svc.api('PUT', `${path}/shadow`, { adapter: 'support-v1' })).status, 200, 'the previous adapter may shadow the new one');
    const back = await svc.api('POST', `${path}/rollback`);
    assert.equal(back.status, 200);
    assert.deepEqual([back.body.live, back.body.previous, back.body.shadow, back.body.shadow_stats], ['support-v1', 'support-v2', null, null]);
    const stored = (await svc.api('GET', `/api/channels/${ch}`)).body.model;
    assert.deepEqual([stored.name, stored.shadowName ?? null], ['support-v1', null]);
  });

  test('a channel stored before calibration targets (no targetWrongRate in its model) still promotes: the condition compares what was read', async () => {
    const ch = await createWebchatChannel(svc, { name: 'support-v1' });
    await svc.api('PUT', `/api/channels/${ch}/model/shadow`, { adapter: 'support-v2' });
    await svc.service.db.query(`UPDATE channels SET model = model - 'targetWrongRate' WHERE id = $1`, [ch]);
    const promoted = await svc.api('POST', `/api/channels/${ch}/model/promote`);
    assert.deepEqual([promoted.status, promoted.body.live, promoted.body.previous], [200, 'support-v2', 'support-v1']);
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

  test("the channel form's PATCH: a bad adapter name is 400 and changes nothing; a good edit keeps shadow and previous", async () => {
    const path = `/api/channels/${channelId}/model`;
    const before = (await svc.api('GET', path)).body;
    const bad = await svc.api('PATCH', `/api/channels/${channelId}`, { model: { name: 'bad name\n' } });
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'MODEL.INVALID_NAME']);
    assert.deepEqual((await svc.api('GET', path)).body, before);
    const edited = await svc.api('PATCH', `/api/channels/${channelId}`, { model: { threshold: 0.55 } });
    assert.equal(edited.status, 200);
    const after = (await svc.api('GET', path)).body;
    assert.deepEqual([after.threshold, after.live, after.shadow, after.previous], [0.55, before.live, before.shadow, before.previous]);
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

/**
 * Review item 1: promote, rollback, set-shadow and the threshold apply each write the whole model
 * value. Issued together, either both apply one after the other or one answers 409 CHANNEL.CHANGED
 * and changes nothing: the final state is always that of a serial order of the writes that
 * answered 200, each of those audited once with the from → to of that order.
 */
describe(`concurrent model writes (${mode})`, () => {
  const ROUNDS = 25;
  const ADAPTERS = ['support-v1', 'support-v2', 'support-v3'];
  let storage: Storage;
  let model: FakeModelServer;
  let svc: TestService;

  interface State { live: string | null; previous: string | null; shadow: string | null; threshold: number }
  interface Op {
    action: string;
    send: () => Promise<{ status: number; body: any }>;
    /** What the write does to `s` and what it audits; null where it refuses that state. */
    apply: (s: State) => { next: State; details: Record<string, unknown> } | null;
  }

  before(async () => {
    model = await new FakeModelServer().start();
    model.models = ['qwen2.5-7b-instruct', ...ADAPTERS];
    storage = await createStorage();
    svc = await startTestService(storage, { MODEL_BASE_URL: model.url });
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  const stateOf = async (channelId: string): Promise<State> => {
    const b = (await svc.api('GET', `/api/channels/${channelId}/model`)).body;
    return { live: b.live, previous: b.previous, shadow: b.shadow, threshold: b.threshold };
  };
  const promote = (channelId: string): Op => ({
    action: 'channel.promote',
    send: () => svc.api('POST', `/api/channels/${channelId}/model/promote`),
    apply: (s) => (s.shadow ? { next: { ...s, live: s.shadow, previous: s.live, shadow: null }, details: { from: s.live, to: s.shadow } } : null),
  });
  const rollback = (channelId: string): Op => ({
    action: 'channel.rollback',
    send: () => svc.api('POST', `/api/channels/${channelId}/model/rollback`),
    apply: (s) => (s.previous ? { next: { ...s, live: s.previous, previous: s.live, shadow: s.shadow === s.previous ? null : s.shadow }, details: { from: s.live, to: s.previous } } : null),
  });
  const setShadow = (channelId: string, adapter: string): Op => ({
    action: 'channel.shadow',
    send: () => svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter }),
    apply: (s) => (adapter === s.live ? null : { next: { ...s, shadow: adapter }, details: { from: s.shadow, to: adapter } }),
  });
  const applyThreshold = (channelId: string, to: number): Op => ({
    action: 'channel.threshold',
    send: () => svc.api('POST', `/api/channels/${channelId}/calibration/apply`, {}),
    apply: (s) => ({ next: { ...s, threshold: to }, details: { from: s.threshold, to } }),
  });

  /** Issues a and b together, ROUNDS times (prepare sets each round up); returns how many rounds saw a conflict. */
  async function race(channelId: string, prepare: (s: State) => Promise<void>, ops: () => [Op, Op]): Promise<number> {
    const target = `channel:${channelId}`;
    let seen = new Set<string>((await svc.api('GET', '/api/audit?limit=1000')).body.items.map((a: any) => a.id));
    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await prepare(await stateOf(channelId));
      const audits0 = (await svc.api('GET', '/api/audit?limit=1000')).body.items;
      seen = new Set([...seen, ...audits0.map((a: any) => a.id)]);
      const initial = await stateOf(channelId);
      const [a, b] = ops();
      const answers = await Promise.all([a.send(), b.send()]);
      const final = await stateOf(channelId);
      const audits = (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((x: any) => !seen.has(x.id) && x.target === target);
      const label = `round ${round}: ${a.action} ${answers[0].status} / ${b.action} ${answers[1].status}, from ${JSON.stringify(initial)} to ${JSON.stringify(final)}`;

      const won = [a, b].filter((_, i) => answers[i].status === 200);
      answers.forEach((r, i) => {
        if (r.status !== 200) assert.deepEqual([r.status, r.body.error?.code], [409, 'CHANNEL.CHANGED'], `${label}: ${[a, b][i].action}`);
      });
      assert.ok(won.length >= 1, `${label}: a conflict means the other write went through`);
      if (won.length === 1) conflicts += 1;
      // Each write that answered 200 audited once; the refused one not at all.
      assert.deepEqual(audits.map((x: any) => x.action).sort(), won.map((o) => o.action).sort(), label);

      // Some serial order of the winners explains the final state and every audit's from → to.
      const orders = won.length === 1 ? [won] : [won, [...won].reverse()];
      const explained = orders.some((order) => {
        let s = initial;
        for (const op of order) {
          const step = op.apply(s);
          const audit = audits.find((x: any) => x.action === op.action);
          if (!step || !isDeepStrictEqual(audit?.details, step.details)) return false;
          s = step.next;
        }
        return isDeepStrictEqual(s, final);
      });
      assert.ok(explained, `${label}; audits ${JSON.stringify(audits.map((x: any) => [x.action, x.details]))}`);
      for (const x of audits) seen.add(x.id);
    }
    return conflicts;
  }

  /** A channel on support-v2 with support-v1 as previous, and a shadow. */
  const rolledOut = async (extra: Record<string, unknown> = {}) => {
    const channelId = await createWebchatChannel(svc, { name: 'support-v1', ...extra });
    assert.equal((await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: 'support-v2' })).status, 200);
    assert.equal((await svc.api('POST', `/api/channels/${channelId}/model/promote`)).status, 200);
    return channelId;
  };
  /** Sets a shadow (another adapter than live) when the channel has none. */
  const ensureShadow = async (channelId: string, s: State) => {
    if (s.shadow) return;
    const r = await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: ADAPTERS.find((n) => n !== s.live && n !== s.previous) });
    assert.equal(r.status, 200);
  };

  test('promote racing rollback', async (t) => {
    const channelId = await rolledOut();
    const conflicts = await race(channelId, (s) => ensureShadow(channelId, s), () => [promote(channelId), rollback(channelId)]);
    t.diagnostic(`${conflicts} of ${ROUNDS} rounds answered 409 CHANNEL.CHANGED`);
  });

  test('set-shadow racing promote', async (t) => {
    const channelId = await rolledOut();
    let next = '';
    const conflicts = await race(
      channelId,
      async (s) => {
        await ensureShadow(channelId, await stateOf(channelId));
        const now = await stateOf(channelId);
        next = ADAPTERS.find((n) => n !== now.live && n !== now.shadow)!;
        void s;
      },
      () => [setShadow(channelId, next), promote(channelId)],
    );
    t.diagnostic(`${conflicts} of ${ROUNDS} rounds answered 409 CHANNEL.CHANGED`);
  });

  test('threshold apply racing promote', async (t) => {
    const channelId = await rolledOut({ threshold: 0.6 });
    // 30 sure right answers and 5 unsure wrong ones: a recommendation other than 0.6 (issue 12 item 4).
    for (let i = 0; i < 35; i++) {
      await svc.service.core.answerLabels.add({ channelId, conversationId: null, messageId: null, question: `q${i}`, confidence: i < 30 ? 0.9 : 0.3, verdict: i < 30 ? 'good' : 'bad', source: 'agent_feedback', correction: null, actor: 'fixture' });
    }
    const recommended = (await svc.api('GET', `/api/channels/${channelId}/calibration`)).body.recommendedThreshold;
    assert.equal(typeof recommended, 'number');
    assert.notEqual(recommended, 0.6);
    const conflicts = await race(
      channelId,
      async (s) => {
        await ensureShadow(channelId, s);
        assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { model: { threshold: 0.6 } })).status, 200);
      },
      () => [applyThreshold(channelId, recommended), promote(channelId)],
    );
    t.diagnostic(`${conflicts} of ${ROUNDS} rounds answered 409 CHANNEL.CHANGED`);
  });
});
