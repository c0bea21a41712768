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

    // C comes online: the waiting chat is theirs by the time the answer arrives.
    await setPresence(c, 'online');
    const detail = await conversation(waiting);
    assert.equal(detail.status, 'assigned');
    assert.equal(detail.assigneeId, c.user.id);
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
    assert.equal((await a.api('POST', `/api/conversations/${chat}/close`)).status, 200);

    const stats = await svc.api('GET', `/api/stats?range=24h&utcOffset=${-new Date().getTimezoneOffset()}`);
    assert.equal(stats.status, 200);
    assert.ok(stats.body.todaySince);
    const row = stats.body.agents.find((x: any) => x.id === a.user.id);
    assert.equal(row.presence, 'online');
    assert.equal(row.openChats, 1);
    assert.equal(row.closedToday, 1);
    assert.equal(row.firstResponses, 1);
    assert.ok(row.medianFirstResponseSeconds >= 1 && row.medianFirstResponseSeconds < 30, String(row.medianFirstResponseSeconds));
    const idle = stats.body.agents.find((x: any) => x.id === c.user.id);
    assert.deepEqual([idle.openChats, idle.closedToday, idle.firstResponses, idle.medianFirstResponseSeconds, idle.presence], [0, 0, 0, null, 'offline']);
    assert.equal((await a.api('GET', '/api/stats')).status, 403, 'the dashboard is for admins');
    const agents = await a.api('GET', '/api/agents');
    assert.equal(agents.status, 200, 'every console user sees who takes chats');
    assert.deepEqual(Object.keys(agents.body.items[0]).sort(), ['capacity', 'email', 'id', 'name', 'openChats', 'presence', 'presenceSince', 'role']);
  });
});
