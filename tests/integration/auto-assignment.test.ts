import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { offerConversation, offerWaiting } from '../../src/usecases/auto-assign.js';
import { createStorage, login, mode, sleep, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { newVisitor } from '../support/learning-fixture.js';
import { openSse, type SseClient } from '../support/sse-client.js';

/**
 * issue 14 item 4, fair assignment: a channel opted in (`handoff.assignment: 'auto'`) offers each
 * new handoff to the online agent with the fewest open chats below their capacity (ties: the one
 * whose last assignment is oldest, then id); nobody eligible → it stays queued and is offered when
 * someone comes online or a chat closes. Away and offline agents keep theirs and get no new ones;
 * manual channels never auto-assign; concurrent offers never exceed a capacity.
 *
 * The sweeper is slowed to a minute here, so what assigns is the handoff itself, an agent coming
 * online and a chat closing, not the periodic round (one test calls that round directly).
 */
describe(`auto-assignment (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let autoChannel: string;
  let manualChannel: string;
  let a: LoginSession;
  let b: LoginSession;
  let c: LoginSession;
  const streams: SseClient[] = [];
  let watch: SseClient;
  let visitors = 0;

  async function agent(name: string): Promise<LoginSession> {
    const email = `${name}@shop.test`;
    const created = await svc.api('POST', '/api/users', { email, name, role: 'agent', password: 'agent-password-1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const session = await login(svc.url, email, 'agent-password-1');
    // A console tab: presence lasts while one is open.
    streams.push(await openSse(`${svc.url}/api/events`, session.headers()));
    return session;
  }
  async function channel(assignment?: 'auto' | 'manual'): Promise<string> {
    const body = { kind: 'webchat', name: `assign-${randomBytes(3).toString('hex')}`, config: {}, ...(assignment ? { handoff: { assignment } } : {}) };
    const created = await svc.api('POST', '/api/channels', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id;
  }
  const setPresence = async (who: LoginSession, presence: string) => assert.equal((await who.api('PUT', '/api/me/presence', { presence })).status, 200);
  const setCapacity = async (who: LoginSession, capacity: number) => assert.equal((await svc.api('PATCH', `/api/users/${who.user.id}`, { capacity })).status, 200);
  const conversation = async (id: string) => (await svc.api('GET', `/api/conversations/${id}`)).body;
  /** A customer asks for a person on `channelId`; returns the conversation once the bot handed it off (queued, or already assigned). */
  async function handoff(channelId: string): Promise<string> {
    const visitor = newVisitor();
    // Each from an address of its own (TRUST_PROXY): one address may start only 20 chats per 10 minutes.
    const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.14.${++visitors >> 8}.${visitors & 255}` },
      body: JSON.stringify({ visitorId: visitor, text: '转人工', clientMessageId: randomBytes(6).toString('hex') }),
    });
    assert.equal(res.status, 202, await res.text());
    const found = await waitFor('the handoff', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=500`);
      const summary = list.body.items.find((x: any) => x.contact.externalId === visitor);
      return summary && summary.status !== 'bot' ? summary : null;
    });
    return found.id;
  }
  const assigneeOf = async (id: string) => {
    const conv = await waitFor(`conversation ${id} assigned`, async () => {
      const detail = await conversation(id);
      return detail.status === 'assigned' ? detail : null;
    }, 5000);
    return conv.assigneeId as string;
  };
  /** Ages the chat's requeue notes past MANUAL_REQUEUE_HOLD_MS, as if the minute had passed. */
  const pastTheHold = async (id: string) => {
    await svc.service.db.query(
      `UPDATE messages SET created_at = created_at - interval '2 minutes'
       WHERE conversation_id = $1 AND sender = 'system' AND (text LIKE 'status:assigned->queued %' OR text LIKE 'transfer:%->queue by %')`,
      [id],
    );
  };
  /** Sets users.last_assigned_at to `minutesAgo` minutes ago, or to never (null). */
  const lastAssigned = async (who: LoginSession, minutesAgo: number | null) => {
    await svc.service.db.query(
      `UPDATE users SET last_assigned_at = CASE WHEN $2::int IS NULL THEN NULL ELSE now() - $2::int * interval '1 minute' END WHERE id = $1`,
      [who.user.id, minutesAgo],
    );
  };
  const close = async (id: string) => assert.equal((await svc.api('POST', `/api/conversations/${id}/close`)).status, 200);
  const openChats = async (who: LoginSession) => (await svc.api('GET', '/api/agents')).body.items.find((x: any) => x.id === who.user.id).openChats as number;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { SWEEP_INTERVAL_MS: '60000', TURN_COALESCE_MS: '0', TRUST_PROXY: 'true' });
    autoChannel = await channel('auto');
    manualChannel = await channel();
    a = await agent('agent-a');
    b = await agent('agent-b');
    c = await agent('agent-c');
    const admin = await svc.api('POST', '/api/users', { email: 'watch@shop.test', name: 'watch', role: 'agent', password: 'agent-password-1' });
    assert.equal(admin.status, 201);
    watch = await openSse(`${svc.url}/api/events`, (await login(svc.url, 'watch@shop.test', 'agent-password-1')).headers());
    streams.push(watch);
  });
  after(async () => {
    for (const s of streams) s.close();
    await svc?.close();
    await storage?.dispose();
  });
  beforeEach(async () => {
    // Every test starts with nobody online, nothing open and everyone at the default capacity.
    for (const who of [a, b, c]) {
      await setPresence(who, 'offline');
      await setCapacity(who, 5);
    }
    for (const status of ['queued', 'assigned']) {
      const list = await svc.api('GET', `/api/conversations?status=${status}&limit=500`);
      for (const item of list.body.items) assert.equal((await svc.api('POST', `/api/conversations/${item.id}/close`)).status, 200);
    }
  });

  test('the channel setting: manual by default, auto when opted in, anything else a 400', async () => {
    assert.equal((await svc.api('GET', `/api/channels/${manualChannel}`)).body.handoff.assignment, 'manual');
    assert.equal((await svc.api('GET', `/api/channels/${autoChannel}`)).body.handoff.assignment, 'auto');
    const bad = await svc.api('PATCH', `/api/channels/${manualChannel}`, { handoff: { assignment: 'round-robin' } });
    assert.equal(bad.status, 400);
    assert.equal((await svc.api('GET', `/api/channels/${manualChannel}`)).body.handoff.assignment, 'manual', 'unchanged');
    // Switching one key keeps the others.
    const keywords = await svc.api('PATCH', `/api/channels/${manualChannel}`, { handoff: { keywords: ['退款'] } });
    assert.equal(keywords.body.handoff.assignment, 'manual');
  });

  test('a handoff goes to the online agent with the fewest open chats; ties to the oldest last assignment', async () => {
    await setPresence(a, 'online');
    await setPresence(b, 'online');
    // A already holds a chat, taken by hand from a manual channel.
    const held = await handoff(manualChannel);
    assert.equal((await a.api('POST', `/api/conversations/${held}/assign`)).status, 200);

    const first = await handoff(autoChannel);
    assert.equal(await assigneeOf(first), b.user.id, 'B holds fewer chats');
    // 1 : 1 now. B was auto-assigned last; A never was, so A is first in line.
    const second = await handoff(autoChannel);
    assert.equal(await assigneeOf(second), a.user.id, 'a tie goes to the agent whose last assignment is oldest');
    // A 2 : B 1.
    const third = await handoff(autoChannel);
    assert.equal(await assigneeOf(third), b.user.id);
    assert.deepEqual([await openChats(a), await openChats(b)], [2, 2]);

    // Recorded like a person's assignment, with the system as actor, and announced.
    const detail = await conversation(first);
    assert.ok(detail.messages.some((m: any) => m.sender === 'system' && m.text === 'status:queued->assigned by system'), 'a system note in the timeline');
    const audit = (await svc.api('GET', '/api/audit?limit=200')).body.items.find((e: any) => e.action === 'conversation.assigned' && e.target === `conversation:${first}`);
    assert.equal(audit.actor, 'system');
    assert.deepEqual(audit.details, { auto: true, from: 'queued', to: b.user.id });
    await waitFor('the conversation.updated event', () => watch.events.some((e) => e.event === 'conversation.updated' && e.data.conversationId === first && e.data.status === 'assigned'));
  });

  test('capacity: a full agent is skipped; all full → the chat stays queued, then goes to whoever closes one', async () => {
    await setCapacity(a, 1);
    await setCapacity(b, 1);
    await setPresence(a, 'online');
    await setPresence(b, 'online');
    const one = await handoff(autoChannel);
    const two = await handoff(autoChannel);
    const holders = [await assigneeOf(one), await assigneeOf(two)].sort();
    assert.deepEqual(holders, [a.user.id, b.user.id].sort(), 'the second skips the agent who is full');

    const waiting = await handoff(autoChannel);
    await sleep(1000);
    const stillQueued = await conversation(waiting);
    assert.equal(stillQueued.status, 'queued', 'nobody has room: it waits in the queue');
    assert.equal(stillQueued.assigneeId, null);

    // B closes theirs: the waiting chat is offered to B at once.
    const bHeld = (await assigneeOf(one)) === b.user.id ? one : two;
    assert.equal((await b.api('POST', `/api/conversations/${bHeld}/close`)).status, 200);
    assert.equal(await assigneeOf(waiting), b.user.id);
    assert.deepEqual([await openChats(a), await openChats(b)], [1, 1]);
  });

  test('raising a capacity offers what waits', async () => {
    await setCapacity(a, 1);
    await setPresence(a, 'online');
    const one = await handoff(autoChannel);
    assert.equal(await assigneeOf(one), a.user.id);
    const waiting = await handoff(autoChannel);
    await sleep(500);
    assert.equal((await conversation(waiting)).status, 'queued');
    await setCapacity(a, 2);
    assert.equal(await assigneeOf(waiting), a.user.id);
  });

  test('away and offline agents keep their chats but get no new ones; coming online takes what waits', async () => {
    await setPresence(a, 'online');
    const mine = await handoff(autoChannel);
    assert.equal(await assigneeOf(mine), a.user.id);
    await setPresence(b, 'online');
    const other = await handoff(autoChannel);
    assert.equal(await assigneeOf(other), b.user.id);

    // A goes away holding one chat; B (also one) gets the next although A is no busier.
    await setPresence(a, 'away');
    const next = await handoff(autoChannel);
    assert.equal(await assigneeOf(next), b.user.id);
    assert.equal((await conversation(mine)).assigneeId, a.user.id, 'away keeps their chat');

    // Nobody online: it waits.
    await setPresence(b, 'offline');
    const waiting = await handoff(autoChannel);
    await sleep(1000);
    assert.equal((await conversation(waiting)).status, 'queued');
    assert.equal((await conversation(next)).assigneeId, b.user.id, 'offline keeps their chats too');

    // C comes online: the agent.presence event starts a round, and the waiting chat is theirs.
    await setPresence(c, 'online');
    assert.equal(await assigneeOf(waiting), c.user.id);
  });

  test('the order, checked against the SQL itself: ties go to the oldest last assignment (never first), then the id; fewer open chats beat both; disabled agents get none', async () => {
    for (const who of [a, b, c]) await setPresence(who, 'online');
    const [p, q, r] = [a, b, c].sort((x, y) => (x.user.id < y.user.id ? -1 : 1));
    const next = async (): Promise<{ id: string; to: string }> => {
      const id = await handoff(autoChannel);
      return { id, to: await assigneeOf(id) };
    };

    // Nobody ever auto-assigned: the smallest id.
    for (const who of [p, q, r]) await lastAssigned(who, null);
    let got = await next();
    assert.equal(got.to, p.user.id, 'a full tie goes to the smallest id');
    await close(got.id);

    // Never assigned goes first, before an older assignment and a smaller id.
    await lastAssigned(p, 10);
    await lastAssigned(q, null);
    await lastAssigned(r, 20);
    got = await next();
    assert.equal(got.to, q.user.id, 'never assigned goes first');
    await close(got.id);

    // The oldest last assignment, whatever the id.
    await lastAssigned(p, 10);
    await lastAssigned(q, 20);
    await lastAssigned(r, 30);
    got = await next();
    assert.equal(got.to, r.user.id, 'the oldest last assignment');
    await close(got.id);

    // Fewer open chats beat the tie-breaks: R holds one by hand, so P (assigned 10 minutes ago) beats
    // R (never) and Q (5 minutes ago) is behind P.
    const held = await handoff(manualChannel);
    assert.equal((await r.api('POST', `/api/conversations/${held}/assign`)).status, 200);
    await lastAssigned(p, 10);
    await lastAssigned(q, 5);
    await lastAssigned(r, null);
    got = await next();
    assert.equal(got.to, p.user.id, 'the fewest open chats first');
    await close(got.id);
    await close(held);

    // A disabled agent, though online and first in every order, gets none.
    for (const who of [p, q, r]) await lastAssigned(who, null);
    await svc.service.db.query('UPDATE users SET disabled = true WHERE id = $1', [p.user.id]);
    try {
      got = await next();
      assert.equal(got.to, q.user.id, 'disabled agents are skipped');
      await close(got.id);
    } finally {
      await svc.service.db.query('UPDATE users SET disabled = false WHERE id = $1', [p.user.id]);
    }
  });

  test('setting presence answers at once and runs no assignment itself: its agent.presence event starts the round', async () => {
    const store = svc.service.core.assignments;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on `store`, never called detached.
    const original = store.assignNext;
    let calls = 0;
    // A slow round: the answer to the PUT must not wait for it.
    store.assignNext = async () => {
      calls++;
      await sleep(2000);
      return null;
    };
    try {
      let t0 = Date.now();
      await setPresence(a, 'online');
      assert.ok(Date.now() - t0 < 1500, `answered after ${Date.now() - t0} ms`);
      await waitFor('the round the event starts', () => calls > 0, 5000);
      await sleep(2300); // that round ends
      const seen = calls;
      // Unchanged: no event, no round.
      t0 = Date.now();
      await setPresence(a, 'online');
      assert.ok(Date.now() - t0 < 1500, `answered after ${Date.now() - t0} ms`);
      await sleep(500);
      assert.equal(calls, seen, 'an unchanged presence starts no round');
    } finally {
      store.assignNext = original;
    }
  });

  test('manual channels never auto-assign', async () => {
    await setPresence(a, 'online');
    await setPresence(b, 'online');
    const manual = await handoff(manualChannel);
    await sleep(1000);
    // Nor does coming online, nor the periodic round.
    await setPresence(c, 'online');
    assert.equal(await offerWaiting(svc.service.core), 0);
    const detail = await conversation(manual);
    assert.equal(detail.status, 'queued');
    assert.equal(detail.assigneeId, null);
    const audits = (await svc.api('GET', '/api/audit?limit=500')).body.items.filter((e: any) => e.target === `conversation:${manual}` && e.actor === 'system');
    assert.deepEqual(audits, []);
  });

  test('a chat an agent puts back in the queue by hand is not handed straight back', async () => {
    await setPresence(a, 'online');
    const chat = await handoff(autoChannel);
    assert.equal(await assigneeOf(chat), a.user.id);
    assert.equal((await a.api('POST', `/api/conversations/${chat}/unassign`)).status, 200);
    await sleep(800);
    assert.equal(await offerWaiting(svc.service.core), 0, 'held back for a minute after a manual requeue');
    const detail = await conversation(chat);
    assert.equal(detail.status, 'queued');
    assert.equal(detail.assigneeId, null);
  });

  test('past the hold, a chat an agent unassigned goes to anyone but them, though they are the least busy', async () => {
    // B holds one by hand; A none: by load alone the chat would land straight back with A.
    await setPresence(b, 'online');
    const held = await handoff(manualChannel);
    assert.equal((await b.api('POST', `/api/conversations/${held}/assign`)).status, 200);
    await setPresence(a, 'online');
    const chat = await handoff(autoChannel);
    assert.equal(await assigneeOf(chat), a.user.id);
    assert.equal((await a.api('POST', `/api/conversations/${chat}/unassign`)).status, 200);
    assert.equal(await offerWaiting(svc.service.core), 0, 'held for a minute first');
    await pastTheHold(chat);
    await offerWaiting(svc.service.core);
    assert.equal(await assigneeOf(chat), b.user.id, 'to B, although B holds more');
    // A still gets every other chat.
    const other = await handoff(autoChannel);
    assert.equal(await assigneeOf(other), a.user.id);
  });

  test('past the hold, a chat transferred to the queue waits for anyone but its giver, and does not hold up the chats behind it', async () => {
    await setPresence(a, 'online');
    const given = await handoff(autoChannel);
    assert.equal(await assigneeOf(given), a.user.id);
    assert.equal((await a.api('POST', `/api/conversations/${given}/transfer`, { to: 'queue' })).status, 200);
    await setPresence(a, 'away');
    // Waits behind it (it keeps its earlier waiting time): nobody is online.
    const behind = await handoff(autoChannel);
    await pastTheHold(given);
    await setPresence(a, 'online');
    assert.equal(await assigneeOf(behind), a.user.id, 'the chat behind it goes to A');
    assert.equal(await offerWaiting(svc.service.core), 0);
    const waiting = await conversation(given);
    assert.deepEqual([waiting.status, waiting.assigneeId], ['queued', null], 'never back to A while it waits');
    await setPresence(b, 'online');
    assert.equal(await assigneeOf(given), b.user.id);
  });

  test('the periodic round offers chats whose offer was lost (a crash between handoff and offer)', async () => {
    // Queued while nobody was online, then an agent whose coming online nobody acted on (set in
    // the database, as a process that died right after would leave it).
    const lost = await handoff(autoChannel);
    await sleep(300);
    assert.equal((await conversation(lost)).status, 'queued');
    await svc.service.db.query(`UPDATE users SET presence = 'online', presence_since = now() WHERE id = $1`, [a.user.id]);
    assert.equal(await offerWaiting(svc.service.core), 1);
    assert.equal((await conversation(lost)).assigneeId, a.user.id);
  });

  test('concurrent handoffs and offers never exceed a capacity', async () => {
    const others = mode === 'real' ? [await startTestService(storage, { SWEEP_INTERVAL_MS: '60000' }), await startTestService(storage, { SWEEP_INTERVAL_MS: '60000' })] : [];
    try {
      await setCapacity(a, 2);
      // Six chats queue while nobody is online.
      const chats = await Promise.all(Array.from({ length: 6 }, () => handoff(autoChannel)));
      // The rounds the handoffs' events start on every process find nobody and end.
      await sleep(1000);
      // A comes online without anyone acting on it; then every process offers at once, each chat
      // on its own (as their handoffs do) and the waiting ones as a round.
      await svc.service.db.query(`UPDATE users SET presence = 'online', presence_since = now() WHERE id = $1`, [a.user.id]);
      const cores = [svc, ...others].map((s) => s.service.core);
      const offers = [
        ...chats.map(async (id, i) => ((await offerConversation(cores[i % cores.length], id)) ? 1 : 0)),
        ...cores.map((core) => offerWaiting(core)),
      ];
      const moved = await Promise.all(offers);
      assert.equal(moved.reduce((n, m) => n + m, 0), 2, 'exactly the capacity moved');
      await sleep(500);
      assert.equal(await openChats(a), 2);
      const statuses = await Promise.all(chats.map(async (id) => (await conversation(id)).status));
      assert.equal(statuses.filter((s) => s === 'queued').length, 4);
    } finally {
      for (const other of others) await other.close();
    }
  });
  test("capacity is set through the user update: 1..100 whole numbers, audited; bad values are a 400 and change nothing", async () => {
    for (const capacity of [0, 101, 2.5, '3', null]) {
      const r = await svc.api('PATCH', `/api/users/${a.user.id}`, { capacity });
      assert.equal(r.status, 400, JSON.stringify(capacity));
    }
    assert.equal((await svc.api('GET', `/api/users/${a.user.id}`)).body.capacity, 5, 'unchanged');
    const set = await svc.api('PATCH', `/api/users/${a.user.id}`, { capacity: 8 });
    assert.equal(set.status, 200);
    assert.equal(set.body.capacity, 8);
    assert.equal((await svc.api('GET', '/api/users')).body.items.find((u: any) => u.id === a.user.id).capacity, 8);
    assert.equal((await svc.api('GET', '/api/agents')).body.items.find((u: any) => u.id === a.user.id).capacity, 8);
    const audit = (await svc.api('GET', '/api/audit?limit=50')).body.items.find((e: any) => e.action === 'user.update' && e.target === `user:${a.user.id}`);
    assert.deepEqual(audit.details.capacity, { from: 5, to: 8 });
    assert.equal((await a.api('PATCH', `/api/users/${a.user.id}`, { capacity: 9 })).status, 403, 'admins only');
  });

  test('the dashboard shows, per agent, presence, open chats, first-response time and chats closed today', async () => {
    await setPresence(a, 'online');
    const chat = await handoff(autoChannel);
    assert.equal(await assigneeOf(chat), a.user.id);
    await sleep(1200);
    assert.equal((await a.api('POST', `/api/conversations/${chat}/messages`, { text: '您好，我来帮您看看' })).status, 201);
    // A second reply is no first response.
    assert.equal((await a.api('POST', `/api/conversations/${chat}/messages`, { text: '已经处理好了' })).status, 201);
    const open = await handoff(autoChannel);
    assert.equal(await assigneeOf(open), a.user.id);
    // The first answer on the other chat is a draft the agent sends: one first response, though
    // sendDraft writes both conversation.reply and conversation.draft.send for its message.
    const draft = await svc.service.db.query<{ id: string }>(
      `INSERT INTO agent_drafts (conversation_id, channel_id, question, text, confidence, model)
       VALUES ($1, $2, '转人工', '亲，这就为您查看~', 0.3, 'test') RETURNING id`,
      [open, autoChannel],
    );
    await sleep(1200);
    const sent = await a.api('POST', `/api/conversations/${open}/draft/send`, { draftId: String(draft.rows[0].id) });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal((await a.api('POST', `/api/conversations/${chat}/close`)).status, 200);

    const stats = await svc.api('GET', `/api/stats?range=24h&utcOffset=${-new Date().getTimezoneOffset()}`);
    assert.equal(stats.status, 200);
    assert.ok(stats.body.todaySince);
    const row = stats.body.agents.find((x: any) => x.id === a.user.id);
    assert.equal(row.presence, 'online');
    assert.equal(row.openChats, 1);
    assert.equal(row.closedToday, 1);
    assert.equal(row.firstResponses, 2, 'one per chat: the reply, and the sent draft once');
    assert.ok(row.medianFirstResponseSeconds >= 1 && row.medianFirstResponseSeconds < 30, String(row.medianFirstResponseSeconds));
    const idle = stats.body.agents.find((x: any) => x.id === c.user.id);
    assert.deepEqual([idle.openChats, idle.closedToday, idle.firstResponses, idle.medianFirstResponseSeconds, idle.presence], [0, 0, 0, null, 'offline']);
    assert.equal((await a.api('GET', '/api/stats')).status, 403, 'the dashboard is for admins');
    const agents = await a.api('GET', '/api/agents');
    assert.equal(agents.status, 200, 'every console user sees who takes chats');
    assert.deepEqual(Object.keys(agents.body.items[0]).sort(), ['capacity', 'email', 'id', 'name', 'openChats', 'presence', 'presenceSince', 'role']);
  });
});
