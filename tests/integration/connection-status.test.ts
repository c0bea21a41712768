import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { createStorage, login, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';

/**
 * issue 14 item 6: "a DingTalk Stream channel that fails to connect every few seconds shows no
 * status". The connector (ROLE=all runs it) writes each connection's state as the real adapter
 * reports it against the fake DingTalk gateway: reconnecting with the last error and a `since` that
 * stays put while attempts keep failing, connected once the gateway accepts, stopped when the
 * channel is turned off. Webhook kinds have no connection.
 */
describe(`live connection status of Stream channels (${mode})`, { timeout: 120_000 }, () => {
  const app = newDingtalkApp();
  let fakes: DingtalkFakes;
  let storage: Storage;
  let svc: TestService;
  let channelId: string;

  const connection = async (id = channelId) => {
    const r = await svc.api('GET', `/api/channels/${id}/connection`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.connection;
  };
  const inList = async (id = channelId) => (await svc.api('GET', '/api/channels')).body.items.find((c: any) => c.id === id);

  before(async () => {
    fakes = await new DingtalkFakes(app).start();
    storage = await createStorage();
    svc = await startTestService(storage, { DINGTALK_API_BASE: fakes.url });
  });
  after(async () => {
    await svc?.close();
    await fakes?.close();
    await storage?.dispose();
  });

  test('a refused gateway open shows reconnecting with the error, and `since` does not move across attempts', async () => {
    // A wrong secret: the gateway answers the open call 401, every attempt.
    channelId = await createDingtalkChannel(svc, 'dingtalk_stream', { ...app, clientSecret: 'not-the-secret' });
    const first = await waitFor('reconnecting', async () => {
      const c = await connection();
      return c?.state === 'reconnecting' ? c : null;
    });
    assert.match(first.lastError, /gateway open failed: HTTP 401/);
    assert.ok(first.lastErrorAt, 'the error has its time');
    assert.equal(first.stale, false);
    assert.doesNotMatch(JSON.stringify(first), /not-the-secret/, 'no secret in the status');

    const attempts = fakes.gateway.registrations;
    await waitFor('two more failed attempts', () => fakes.gateway.registrations >= attempts + 2, 10_000);
    const later = await connection();
    assert.equal(later.state, 'reconnecting');
    assert.equal(later.since, first.since, 'a failing reconnect loop keeps its since');
    assert.match(later.lastError, /HTTP 401/);
    assert.equal(fakes.gateway.openConnections(), 0);
    // The list shows the same, for the channels page.
    assert.deepEqual((await inList()).connection, await connection());
  });

  test('the right secret: the gateway accepts and the channel shows connected since then; the last error is kept', async () => {
    const before = await connection();
    const fixed = await svc.api('PATCH', `/api/channels/${channelId}`, { config: { clientSecret: app.clientSecret } });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    const up = await waitFor('connected', async () => {
      const c = await connection();
      return c?.state === 'connected' ? c : null;
    }, 20_000);
    await fakes.gateway.waitForConnections(1, 5000);
    assert.ok(Date.parse(up.since) > Date.parse(before.since), 'connected since after the failures began');
    assert.match(up.lastError, /HTTP 401/, 'the last error stays visible after reconnecting');
    assert.equal(up.stale, false);
    assert.equal((await svc.api('GET', `/api/channels/${channelId}`)).body.connection.state, 'connected');
  });

  test('a socket the gateway drops, with upgrades refused: reconnecting since the drop, through every attempt; then connected', async () => {
    fakes.gateway.rejectUpgrades = true;
    await fakes.gateway.dropAll();
    const down = await waitFor('reconnecting after the drop', async () => {
      const c = await connection();
      return c?.state === 'reconnecting' ? c : null;
    });
    const attempts = fakes.gateway.registrations;
    await waitFor('two more refused upgrades', () => fakes.gateway.registrations >= attempts + 2, 15_000);
    const later = await connection();
    assert.equal(later.state, 'reconnecting');
    assert.equal(later.since, down.since, 'since stays at the drop');
    assert.match(later.lastError, /401/, 'the refused upgrade is the latest error');

    fakes.gateway.rejectUpgrades = false;
    const up = await waitFor('connected again', async () => {
      const c = await connection();
      return c?.state === 'connected' ? c : null;
    }, 20_000);
    assert.ok(Date.parse(up.since) >= Date.parse(down.since));
    await fakes.gateway.waitForConnections(1, 5000);
  });

  test('while connected, the heartbeat keeps updatedAt fresh and since unchanged', async () => {
    const now = await connection();
    await waitFor('a heartbeat', async () => Date.parse((await connection()).updatedAt) > Date.parse(now.updatedAt), 15_000);
    const later = await connection();
    assert.equal(later.state, 'connected');
    assert.equal(later.since, now.since);
    assert.equal(later.stale, false);
  });

  test('a status nobody has written for over 30 s is stale (no connector runs it)', async () => {
    await svc.service.db.query(`UPDATE channel_connections SET updated_at = now() - interval '45 seconds' WHERE channel_id = $1`, [channelId]);
    const c = await connection();
    assert.equal(c.stale, true);
    assert.equal(c.state, 'connected', 'the last state written, flagged as stale');
  });

  test('turning the channel off closes the connection and the status says stopped; on again, connected', async () => {
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    await waitFor('socket closed', () => fakes.gateway.openConnections() === 0, 5000);
    const off = await waitFor('row removed', async () => {
      const rows = await svc.service.db.query(`SELECT 1 FROM channel_connections WHERE channel_id = $1`, [channelId]);
      return rows.rows.length === 0 ? connection() : null;
    });
    assert.deepEqual(off, { state: 'stopped', since: null, lastError: null, lastErrorAt: null, updatedAt: null, stale: false });
    await sleep(1500);
    assert.equal((await connection()).state, 'stopped', 'nothing writes it back');

    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: true })).status, 200);
    const on = await waitFor('connected after turning it on', async () => {
      const c = await connection();
      return c?.state === 'connected' ? c : null;
    });
    assert.equal(on.lastError, null, 'a fresh start has no old error');
  });

  test('webhook kinds have no connection; unknown channels are 404; agents may not read it', async () => {
    const webchat = await svc.api('POST', '/api/channels', { kind: 'webchat', name: '网页聊天', config: {} });
    assert.equal(webchat.status, 201);
    assert.equal(webchat.body.connection, null);
    assert.equal(await connection(webchat.body.id), null);
    assert.equal((await inList(webchat.body.id)).connection, null);
    assert.equal((await svc.api('GET', '/api/channels/ch_nope/connection')).status, 404);
    assert.equal((await svc.api('POST', '/api/users', { email: 'agent@shop.test', name: '小王', role: 'agent', password: 'password-12345' })).status, 201);
    const agent = await login(svc.url, 'agent@shop.test', 'password-12345');
    assert.equal((await agent.api('GET', `/api/channels/${channelId}/connection`)).status, 403);
  });

  test('deleting the channel closes its connection and its status goes with it', async () => {
    await fakes.gateway.waitForConnections(1, 5000);
    assert.equal((await svc.api('DELETE', `/api/channels/${channelId}`)).status, 204);
    await waitFor('socket closed', () => fakes.gateway.openConnections() === 0, 5000);
    await sleep(1500);
    const rows = await svc.service.db.query(`SELECT 1 FROM channel_connections WHERE channel_id = $1`, [channelId]);
    assert.equal(rows.rows.length, 0);
    assert.equal((await svc.api('GET', `/api/channels/${channelId}/connection`)).status, 404);
  });
});
