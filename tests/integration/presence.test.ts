import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STREAM_GRACE_MS } from '../../src/domain/presence.js';
import { createConsoleStreams } from '../../src/http/console-streams.js';
import { ADMIN_TOKEN, createStorage, login, mode, sleep, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { openSse, type SseClient } from '../support/sse-client.js';

/**
 * issue 14 item 4: an agent's presence (online / away / offline) is theirs to set, and drops to
 * offline when their last console tab (event stream) closes, on whichever web process it was;
 * a process that dies leaves stream rows the sweeper ages out.
 */
describe(`agent presence (${mode})`, { timeout: 120_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  const streams: SseClient[] = [];

  async function newAgent(email: string): Promise<LoginSession> {
    const created = await svc.api('POST', '/api/users', { email, name: email.split('@')[0], role: 'agent', password: 'agent-password-1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return login(svc.url, email, 'agent-password-1');
  }
  async function tab(who: LoginSession, on: TestService = svc): Promise<SseClient> {
    const stream = await openSse(`${on.url}/api/events`, who.headers());
    streams.push(stream);
    return stream;
  }
  const presenceOf = async (who: LoginSession) => (await who.api('GET', '/api/me/presence')).body.presence as string;
  const agentRow = async (who: LoginSession) => (await svc.api('GET', '/api/agents')).body.items.find((a: any) => a.id === who.user.id);
  /** Past the grace period a closed tab still counts for, plus sweeps. */
  const pastGrace = () => sleep(STREAM_GRACE_MS + 1500);

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
  });
  after(async () => {
    for (const s of streams) s.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('presence starts offline; the agent sets it; bad input is a 400 and changes nothing', async () => {
    const agent = await newAgent('p1@shop.test');
    const initial = await agent.api('GET', '/api/me/presence');
    assert.equal(initial.status, 200);
    assert.deepEqual(initial.body, { userId: agent.user.id, presence: 'offline', since: null });
    await tab(agent);
    for (const body of [{ presence: 'busy' }, { presence: 'online', extra: 1 }, {}, { presence: null }]) {
      const r = await agent.api('PUT', '/api/me/presence', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    const notJson = await agent.api('PUT', '/api/me/presence', 'online', { 'content-type': 'text/plain' });
    assert.equal(notJson.status, 400);
    assert.equal(await presenceOf(agent), 'offline');

    const set = await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    assert.equal(set.status, 200);
    assert.equal(set.body.presence, 'online');
    assert.ok(set.body.since && Date.now() - Date.parse(set.body.since) < 60_000);
    assert.equal(await presenceOf(agent), 'online');
    const row = await agentRow(agent);
    assert.deepEqual({ presence: row.presence, capacity: row.capacity, openChats: row.openChats, role: row.role }, { presence: 'online', capacity: 5, openChats: 0, role: 'agent' });
    assert.equal((await agent.api('PUT', '/api/me/presence', { presence: 'away' })).body.presence, 'away');
    assert.equal((await agentRow(agent)).presence, 'away');
  });

  test('the admin token has no presence (403); the API needs a sign-in (401)', async () => {
    const r = await svc.api('PUT', '/api/me/presence', { presence: 'online' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'PRESENCE.NOT_A_USER');
    const anonymous = await fetch(`${svc.url}/api/agents`);
    assert.equal(anonymous.status, 401);
    const csrfless = await fetch(`${svc.url}/api/me/presence`, { method: 'PUT', headers: { cookie: (await newAgent('p-csrf@shop.test')).cookie, 'content-type': 'application/json' }, body: '{"presence":"online"}' });
    assert.equal(csrfless.status, 403, 'a cookie session needs its CSRF token');
  });

  test('a presence change is announced to every console', async () => {
    const agent = await newAgent('p2@shop.test');
    const watcher = await newAgent('p2-watch@shop.test');
    const watching = await tab(watcher);
    await tab(agent);
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    const event = await waitFor('the agent.presence event', () => watching.events.find((e) => e.event === 'agent.presence' && e.data.userId === agent.user.id));
    assert.equal(event.data.presence, 'online');
    assert.ok(event.data.since);
    // Setting what it already is announces nothing.
    const before = watching.events.length;
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    await sleep(300);
    assert.equal(watching.events.slice(before).filter((e) => e.event === 'agent.presence').length, 0);
  });

  test('opening a tab does not set online by itself', async () => {
    const agent = await newAgent('p3@shop.test');
    await tab(agent);
    await sleep(500);
    assert.equal(await presenceOf(agent), 'offline');
  });

  test('two tabs: closing one keeps the agent online, closing the last drops them to offline (announced)', async () => {
    const agent = await newAgent('p4@shop.test');
    const watcher = await newAgent('p4-watch@shop.test');
    const watching = await tab(watcher);
    const first = await tab(agent);
    const second = await tab(agent);
    assert.equal((await agent.api('PUT', '/api/me/presence', { presence: 'online' })).status, 200);

    first.close();
    await pastGrace();
    assert.equal(await presenceOf(agent), 'online', 'another tab is still open');

    second.close();
    await waitFor('the drop to offline', async () => (await presenceOf(agent)) === 'offline', STREAM_GRACE_MS + 10_000);
    const dropped = await waitFor('the offline event', () => watching.events.find((e) => e.event === 'agent.presence' && e.data.userId === agent.user.id && e.data.presence === 'offline'));
    assert.ok(dropped.data.since);
    assert.equal((await agentRow(agent)).presence, 'offline');
  });

  test('an away agent whose last tab closes drops to offline too', async () => {
    const agent = await newAgent('p5@shop.test');
    const only = await tab(agent);
    await agent.api('PUT', '/api/me/presence', { presence: 'away' });
    only.close();
    await waitFor('away → offline', async () => (await presenceOf(agent)) === 'offline', STREAM_GRACE_MS + 10_000);
  });

  test('a reload (the tab closes and opens again at once) keeps the agent online', async () => {
    const agent = await newAgent('p6@shop.test');
    const old = await tab(agent);
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    old.close();
    await sleep(200);
    await tab(agent);
    await pastGrace();
    assert.equal(await presenceOf(agent), 'online');
  });

  test('a presence with no tab at all is dropped by the sweeper after the grace period', async () => {
    const agent = await newAgent('p7@shop.test');
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    assert.equal(await presenceOf(agent), 'online', 'set at once');
    await waitFor('the sweeper to drop a presence without tabs', async () => (await presenceOf(agent)) === 'offline', STREAM_GRACE_MS + 10_000);
  });

  test('stream rows of a process that died (not heard from for 45 s) are swept, and their agent dropped', async () => {
    const agent = await newAgent('p8@shop.test');
    const live = await tab(agent);
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    const db = svc.service.db;
    // Another process's tab, last heard from a minute ago: it died without closing it.
    await db.query(`INSERT INTO console_streams (id, user_id, instance, opened_at, seen_at) VALUES ('cs_dead', $1, 'dead-host:1', now() - interval '2 minutes', now() - interval '1 minute')`, [agent.user.id]);
    // And one of a live process on another machine, heard from just now.
    await db.query(`INSERT INTO console_streams (id, user_id, instance) VALUES ('cs_other', $1, 'other-host:2')`, [agent.user.id]);
    await waitFor('the dead row swept', async () => (await db.query(`SELECT 1 FROM console_streams WHERE id = 'cs_dead'`)).rows.length === 0);
    live.close();
    await pastGrace();
    assert.equal(await presenceOf(agent), 'online', "the other machine's tab still counts");

    // That machine dies too: its row is not refreshed any more and goes stale.
    await db.query(`UPDATE console_streams SET seen_at = now() - interval '46 seconds' WHERE id = 'cs_other'`);
    await waitFor('the drop once no row counts', async () => (await presenceOf(agent)) === 'offline', 10_000);
    assert.equal((await db.query(`SELECT 1 FROM console_streams WHERE user_id = $1`, [agent.user.id])).rows.length, 0, 'its rows are gone');
  });

  test('logging out ends the tab, and the agent drops to offline', async () => {
    const agent = await newAgent('p9@shop.test');
    const stream = await tab(agent);
    await agent.api('PUT', '/api/me/presence', { presence: 'online' });
    assert.equal((await agent.api('POST', '/api/auth/logout')).status, 204);
    await stream.ended;
    await waitFor('offline after logout', async () => (await svc.api('GET', '/api/agents')).body.items.find((a: any) => a.id === agent.user.id)?.presence === 'offline', STREAM_GRACE_MS + 10_000);
  });

  test("the admin token's stream is no tab; a tab's row is refreshed while it is open", async () => {
    const db = svc.service.db;
    const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM console_streams WHERE closed_at IS NULL')).rows[0].n);
    const before = await count();
    const bearer = await openSse(`${svc.url}/api/events`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    streams.push(bearer);
    await sleep(300);
    assert.equal(await count(), before, 'automation has no presence');

    // The heartbeat, on a short period: a row made to look old is fresh again at the next beat.
    const agent = await newAgent('p11@shop.test');
    const tabs = createConsoleStreams(svc.service.core, 100, 1000);
    const end = tabs.open(agent.user.id);
    await waitFor('the row', async () => (await db.query('SELECT 1 FROM console_streams WHERE user_id = $1', [agent.user.id])).rows.length === 1);
    await db.query(`UPDATE console_streams SET seen_at = now() - interval '40 seconds' WHERE user_id = $1`, [agent.user.id]);
    await waitFor('the heartbeat', async () => {
      const r = await db.query<{ age: number }>('SELECT extract(epoch FROM now() - seen_at) AS age FROM console_streams WHERE user_id = $1', [agent.user.id]);
      return Number(r.rows[0].age) < 5;
    });
    end();
    await waitFor('marked closed', async () => (await db.query('SELECT 1 FROM console_streams WHERE user_id = $1 AND closed_at IS NOT NULL', [agent.user.id])).rows.length === 1);
  });

  test('tabs on two web processes: the agent stays online until the last one closes', { skip: mode !== 'real' && 'needs a shared PostgreSQL' }, async () => {
    const other = await startTestService(storage);
    try {
      const agent = await newAgent('p10@shop.test');
      const onA = await tab(agent, svc);
      const onB = await tab(agent, other);
      await agent.api('PUT', '/api/me/presence', { presence: 'online' });
      onA.close();
      await pastGrace();
      assert.equal(await presenceOf(agent), 'online', 'the tab on the other process still counts');
      onB.close();
      await waitFor('offline once both closed', async () => (await presenceOf(agent)) === 'offline', STREAM_GRACE_MS + 10_000);
    } finally {
      await other.close();
    }
  });
});
