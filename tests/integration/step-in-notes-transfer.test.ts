import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { createStorage, login, mode, sleep, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { afterBotTurn, conversationOf, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';
import { openSse, type SseClient } from '../support/sse-client.js';
import { ADMIN_TOKEN_ACTOR } from '../../src/domain/user.js';
import { unassignConversation } from '../../src/usecases/assign-conversation.js';
import { closeConversation } from '../../src/usecases/close-conversation.js';
import { sendAgentReply } from '../../src/usecases/send-agent-reply.js';
import { moveConversation } from '../../src/usecases/move-conversation.js';

/**
 * issue 14 items 2 and 3, a full shift: an agent steps into a chat the bot is handling (bot →
 * assigned) and the bot is silent from that moment, even for a turn already waiting on the model;
 * agents leave internal notes that never leave the console (not the outbox, the web chat, the
 * model's prompt nor the training export); a chat is transferred to another agent with a note, or
 * to the queue, by its holder or an admin only, and of two concurrent transfers exactly one wins.
 */
const MODEL = 'support-v1';
const BOT_ANSWER = '亲，这款毛衣是羊毛混纺的，按说明洗护不易起球哦~';
const NOTE = '内部备注：这位客户上周投诉过物流，语气要格外耐心';
const TRANSFER_NOTE = '转交备注：客户要换尺码，订单已核对，请跟进退换';
const AGENT_REPLY = '您好，我是客服小王，七天无理由退换货，您放心购买';

describe(`step in, internal notes, transfers (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let model: FakeModelServer;
  let channelId: string;
  let a: LoginSession;
  let b: LoginSession;
  const ids: Record<'a' | 'b' | 'c' | 'disabled', string> = { a: '', b: '', c: '', disabled: '' };
  const streams: SseClient[] = [];

  const detail = async (id: string) => (await a.api('GET', `/api/conversations/${id}`)).body;
  const audits = async (action: string, conversationId: string) =>
    (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((e: any) => e.action === action && e.target === `conversation:${conversationId}`);
  /** What the customer's web chat shows from us. */
  const visitorSees = async (visitorId: string): Promise<string[]> => {
    const r = await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitorId}`);
    return ((await r.json())).items.filter((m: any) => m.from !== 'visitor').map((m: any) => m.text as string);
  };
  /** Outbox rows of a conversation, straight from the table: what would ever be sent. */
  const outboxTexts = async (conversationId: string): Promise<string[]> => {
    const r = await svc.service.db.query<{ text: string }>(
      'SELECT m.text FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.conversation_id = $1 ORDER BY o.id', [conversationId]);
    return r.rows.map((row) => row.text);
  };
  const settled = (c: any) => c.messages.every((m: any) => m.sender !== 'customer' || m.status !== 'pending');
  const transfer = (who: LoginSession, id: string, body: unknown) => who.api('POST', `/api/conversations/${id}/transfer`, body);
  async function createUser(key: keyof typeof ids, email: string, name: string, role = 'agent'): Promise<void> {
    const r = await svc.api('POST', '/api/users', { email, name, role, password: 'shift-password-1' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[key] = r.body.id;
  }
  /** A customer asks, the bot answers; returns the conversation (status bot) and the visitor. */
  async function botChat(question = '这件毛衣会起球吗'): Promise<{ visitorId: string; id: string }> {
    const visitorId = newVisitor();
    await customerSays(svc, channelId, visitorId, question);
    const c = await afterBotTurn(svc, channelId, visitorId);
    assert.equal(c.status, 'bot');
    return { visitorId, id: c.id };
  }
  /** A bot chat agent A stepped into. */
  async function heldByA(): Promise<{ visitorId: string; id: string }> {
    const chat = await botChat();
    assert.equal((await a.api('POST', `/api/conversations/${chat.id}/assign`)).status, 200);
    return chat;
  }

  before(async () => {
    model = await new FakeModelServer().start();
    // Confidence = exp(logprob): 0.95, above the channel's threshold; the bot answers everything.
    model.reply = { content: BOT_ANSWER, logprobs: Math.log(0.95) };
    storage = await createStorage();
    svc = await startTestService(storage, { MODEL_BASE_URL: model.url });
    channelId = await createWebchatChannel(svc, { name: MODEL, threshold: 0.6 });
    await createUser('a', 'wang@shop.test', '小王');
    await createUser('b', 'li@shop.test', '小李');
    await createUser('c', 'zhao@shop.test', '小赵');
    await createUser('disabled', 'gone@shop.test', '离职的人');
    assert.equal((await svc.api('PATCH', `/api/users/${ids.disabled}`, { disabled: true })).status, 200);
    a = await login(svc.url, 'wang@shop.test', 'shift-password-1');
    b = await login(svc.url, 'li@shop.test', 'shift-password-1');
  });
  after(async () => {
    for (const s of streams) s.close();
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  describe('stepping in (bot → assigned)', () => {
    let chat: { visitorId: string; id: string };
    let customerStream: SseClient;

    test('the queue lists chats the bot is handling; an agent steps in, audited as from bot, no handoff reason', async () => {
      chat = await botChat();
      customerStream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${chat.visitorId}`);
      streams.push(customerStream);
      const botList = await a.api('GET', `/api/conversations?status=bot&channelId=${channelId}`);
      assert.ok(botList.body.items.some((c: any) => c.id === chat.id), 'a supervisor can watch the bot at work');

      const stepped = await a.api('POST', `/api/conversations/${chat.id}/assign`);
      assert.equal(stepped.status, 200, JSON.stringify(stepped.body));
      const c = await detail(chat.id);
      assert.deepEqual([c.status, c.assigneeId, c.handoffReason], ['assigned', ids.a, null]);
      assert.ok(c.waitingSince && !Number.isNaN(Date.parse(c.waitingSince)), 'handed to people now');
      assert.ok(c.messages.some((m: any) => m.sender === 'system' && m.text === `status:bot->assigned by ${ids.a}`));
      const [row, ...more] = await audits('conversation.assigned', chat.id);
      assert.equal(more.length, 0);
      assert.deepEqual([row.actor, row.details], [ids.a, { from: 'bot' }]);
      // Twice is a conflict, not a second step-in.
      assert.equal((await b.api('POST', `/api/conversations/${chat.id}/assign`)).status, 409);
    });

    test('from then on the bot is silent: the customer\'s next message is stored for the agent only', async () => {
      const asked = model.requests.length;
      await customerSays(svc, channelId, chat.visitorId, '那尺码偏大还是偏小');
      const c = await waitFor('the message stored as handled', async () => {
        const d = await detail(chat.id);
        return d.messages.some((m: any) => m.text === '那尺码偏大还是偏小') && settled(d) ? d : null;
      });
      await sleep(300); // a turn that would answer has had its chance
      assert.equal(model.requests.length, asked, 'the model was not asked');
      assert.equal(c.messages.filter((m: any) => m.sender === 'bot').length, 1, 'only the answer from before the step-in');
      assert.deepEqual(await visitorSees(chat.visitorId), [BOT_ANSWER]);
    });

    test('the agent answers and the customer\'s web chat gets it; releasing gives the chat back to the bot', async () => {
      const sent = await a.api('POST', `/api/conversations/${chat.id}/messages`, { text: AGENT_REPLY });
      assert.equal(sent.status, 201);
      await waitFor('the reply on the customer\'s stream', () => customerStream.events.find((e) => e.event === 'reply' && e.data.text === AGENT_REPLY));
      assert.equal((await a.api('POST', `/api/conversations/${chat.id}/release`)).status, 200);
      assert.equal((await detail(chat.id)).status, 'bot');
      await customerSays(svc, channelId, chat.visitorId, '好的，那洗的时候要注意什么');
      await afterBotTurn(svc, channelId, chat.visitorId, 2);
      // The history the model got has the agent's answer: it is the same conversation, back with the bot.
      assert.ok(JSON.stringify(model.requests.at(-1)).includes(AGENT_REPLY));
    });

    test('a turn already waiting on the model when the agent steps in: its answer never goes out', async () => {
      const visitorId = newVisitor();
      const stream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${visitorId}`);
      streams.push(stream);
      const asked = model.requests.length;
      const release = model.hold();
      try {
        await customerSays(svc, channelId, visitorId, '羊毛衫可以机洗吗');
        await waitFor('the bot turn asking the model', () => model.requests.length > asked);
        const waiting = await conversationOf(svc, channelId, visitorId);
        assert.equal(waiting.status, 'bot');
        const stepped = await a.api('POST', `/api/conversations/${waiting.id}/assign`);
        assert.equal(stepped.status, 200, JSON.stringify(stepped.body));
        release();
        // The turn completes (the customer's message is marked handled) and adds nothing.
        const c = await waitFor('the turn to complete', async () => {
          const d = await detail(waiting.id);
          return settled(d) ? d : null;
        });
        await sleep(300);
        assert.deepEqual(c.messages.filter((m: any) => m.sender === 'bot'), [], 'no bot answer stored');
        assert.equal((await detail(waiting.id)).status, 'assigned');
        assert.deepEqual(await outboxTexts(waiting.id), [], 'nothing queued to send');
        assert.deepEqual(await visitorSees(visitorId), []);
        assert.deepEqual(stream.events.filter((e) => e.event === 'reply'), []);
      } finally {
        release();
      }
    });
  });

  describe('internal notes', () => {
    let chat: { visitorId: string; id: string };
    let customerStream: SseClient;
    let consoleStream: SseClient;

    before(async () => {
      chat = await heldByA();
      customerStream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${chat.visitorId}`);
      consoleStream = await openSse(`${svc.url}/api/events`, { cookie: b.cookie });
      streams.push(customerStream, consoleStream);
    });

    test('any agent writes a note (201), listed in the detail, not a message; audited without its text; announced', async () => {
      const r = await a.api('POST', `/api/conversations/${chat.id}/notes`, { text: `  ${NOTE}  ` });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const { note } = r.body;
      assert.deepEqual({ ...note, id: undefined, createdAt: undefined }, { id: undefined, authorId: ids.a, kind: 'note', text: NOTE, createdAt: undefined });
      assert.match(note.id, /^[1-9]\d*$/);
      // Not the holder: a colleague may note it too.
      const other = await b.api('POST', `/api/conversations/${chat.id}/notes`, { text: '我来补充：他要的是 XL 码' });
      assert.equal(other.status, 201);

      const c = await detail(chat.id);
      assert.deepEqual(c.notes.map((n: any) => [n.authorId, n.kind, n.text]), [[ids.a, 'note', NOTE], [ids.b, 'note', '我来补充：他要的是 XL 码']]);
      assert.ok(!JSON.stringify(c.messages).includes(NOTE), 'a note is no message');
      const rows = await audits('conversation.note', chat.id);
      assert.equal(rows.length, 2);
      assert.deepEqual(rows.map((e: any) => e.actor).sort(), [ids.a, ids.b].sort());
      assert.ok(!JSON.stringify(rows).includes(NOTE), 'the audit row has no text');
      await waitFor('the note announced to other consoles', () => consoleStream.events.find((e) => e.event === 'conversation.updated' && e.data.conversationId === chat.id));
    });

    test('bad notes are 400, unknown conversations 404; nothing is stored', async () => {
      const before = (await detail(chat.id)).notes.length;
      for (const body of [{}, { text: '' }, { text: '   ' }, { text: 'x'.repeat(2001) }, { text: 5 }, { text: 'ok', kind: 'transfer' }, ['ok'], 'not json']) {
        const r = await a.api('POST', `/api/conversations/${chat.id}/notes`, body);
        assert.equal(r.status, 400, JSON.stringify(body));
      }
      assert.equal((await a.api('POST', `/api/conversations/${chat.id}/notes`, { text: 'x'.repeat(2000) })).status, 201, '2000 characters is allowed');
      for (const id of ['999999999', 'abc', '0']) {
        const r = await a.api('POST', `/api/conversations/${id}/notes`, { text: NOTE });
        assert.deepEqual([r.status, r.body.error.code], [404, 'CONVERSATION.NOT_FOUND'], id);
      }
      assert.equal((await detail(chat.id)).notes.length, before + 1);
    });

    test('a closed conversation takes notes too', async () => {
      const closed = await botChat('在吗');
      assert.equal((await a.api('POST', `/api/conversations/${closed.id}/close`)).status, 200);
      const r = await b.api('POST', `/api/conversations/${closed.id}/notes`, { text: '已电话回访，客户满意' });
      assert.equal(r.status, 201);
      assert.equal((await detail(closed.id)).status, 'closed');
    });

    test('a note never reaches the customer, the outbox, the model or the training export', async () => {
      assert.equal((await a.api('POST', `/api/conversations/${chat.id}/messages`, { text: AGENT_REPLY })).status, 201);
      await waitFor('the agent reply on the customer\'s stream', () => customerStream.events.find((e) => e.event === 'reply' && e.data.text === AGENT_REPLY));
      // Back to the bot: its next turn reads the whole conversation as history.
      assert.equal((await a.api('POST', `/api/conversations/${chat.id}/release`)).status, 200);
      const asked = model.requests.length;
      await customerSays(svc, channelId, chat.visitorId, '那洗的时候用什么水温');
      await afterBotTurn(svc, channelId, chat.visitorId, 2);
      assert.ok(model.requests.length > asked);
      const prompts = JSON.stringify(model.requests);
      assert.ok(prompts.includes(AGENT_REPLY), 'the model got the conversation\'s history');
      assert.ok(!prompts.includes(NOTE) && !prompts.includes('XL 码'), 'but no note');

      const outbox = await outboxTexts(chat.id);
      assert.ok(outbox.includes(AGENT_REPLY));
      assert.ok(!outbox.some((t) => t.includes(NOTE) || t.includes('XL 码')));
      const seen = await visitorSees(chat.visitorId);
      assert.ok(seen.includes(AGENT_REPLY));
      assert.ok(!JSON.stringify(seen).includes(NOTE));
      assert.ok(!JSON.stringify(customerStream.events).includes(NOTE), 'nothing on the web chat stream');
      assert.ok(!JSON.stringify(consoleStream.events).includes(NOTE), 'events carry no note text either');
      const notInMessages = await svc.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE text LIKE '%' || $1 || '%'`, [NOTE]);
      assert.equal(Number(notInMessages.rows[0].n), 0);

      const exported = await Promise.all(['train.jsonl', 'heldout.jsonl', 'report.json'].map(async (part) => {
        const res = await fetch(`${svc.url}/api/export/training/${part}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
        assert.equal(res.status, 200, part);
        return res.text();
      }));
      assert.ok(exported.join('\n').includes('七天无理由退换'), 'the conversation is in the export');
      assert.ok(!exported.join('\n').includes('格外耐心') && !exported.join('\n').includes('XL 码'), 'its notes are not');
    });
  });

  describe('transfers', () => {
    let chat: { visitorId: string; id: string };

    before(async () => {
      chat = await heldByA();
    });

    const state = async (id: string) => {
      const c = await detail(id);
      return { status: c.status, assigneeId: c.assigneeId, notes: c.notes.length, transfers: c.messages.filter((m: any) => m.text?.startsWith('transfer:')).length };
    };

    test('only the holder or an admin may transfer (403); bad bodies and targets are 400; nothing changes', async () => {
      const before = await state(chat.id);
      const notHolder = await transfer(b, chat.id, { to: ids.c, note: '我替他转' });
      assert.deepEqual([notHolder.status, notHolder.body.error.code], [403, 'TRANSFER.NOT_HOLDER']);
      for (const body of [{}, { to: '' }, { to: 5 }, { to: ids.b, extra: 1 }, { to: ids.b, note: 'x'.repeat(2001) }, { to: ids.b, note: 3 }, [ids.b], 'not json']) {
        const r = await transfer(a, chat.id, body);
        assert.equal(r.status, 400, JSON.stringify(body));
      }
      const targets: [unknown, string][] = [
        [{ to: 'u_nobody' }, 'ASSIGNEE.NOT_FOUND'],
        [{ to: ids.disabled, note: '给离职的人' }, 'ASSIGNEE.DISABLED'],
        [{ to: ids.a }, 'TRANSFER.SAME_ASSIGNEE'],
        [{ to: 'x'.repeat(201) }, 'REQUEST.INVALID'],
      ];
      for (const [body, code] of targets) {
        const r = await transfer(a, chat.id, body);
        assert.deepEqual([r.status, r.body.error.code], [400, code], JSON.stringify(body).slice(0, 80));
      }
      for (const id of ['999999999', 'abc']) assert.equal((await transfer(a, id, { to: ids.b })).status, 404, id);
      assert.deepEqual(await state(chat.id), before);
      assert.deepEqual(await audits('conversation.transfer', chat.id), []);
    });

    test('only a chat someone holds can be transferred (409)', async () => {
      const bot = await botChat();
      const r = await transfer(a, bot.id, { to: ids.b });
      assert.deepEqual([r.status, r.body.error.code], [409, 'CONVERSATION.NOT_ASSIGNED']);
      assert.equal((await detail(bot.id)).status, 'bot');
    });

    test('A transfers to B with a note: B holds it, the note is a transfer note, the timeline says so, B\'s console hears', async () => {
      const bEvents = await openSse(`${svc.url}/api/events`, { cookie: b.cookie });
      streams.push(bEvents);
      const r = await transfer(a, chat.id, { to: ids.b, note: TRANSFER_NOTE });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual([r.body.conversation.status, r.body.conversation.assigneeId], ['assigned', ids.b]);
      assert.deepEqual([r.body.note.kind, r.body.note.authorId, r.body.note.text], ['transfer', ids.a, TRANSFER_NOTE]);

      const c = await detail(chat.id);
      assert.deepEqual([c.status, c.assigneeId], ['assigned', ids.b]);
      assert.deepEqual(c.notes.map((n: any) => [n.kind, n.authorId, n.text]), [['transfer', ids.a, TRANSFER_NOTE]]);
      assert.ok(c.messages.some((m: any) => m.sender === 'system' && m.text === `transfer:${ids.a}->${ids.b} by ${ids.a}`));
      const [row, ...more] = await audits('conversation.transfer', chat.id);
      assert.equal(more.length, 0);
      assert.deepEqual([row.actor, row.details.from, row.details.to], [ids.a, ids.a, ids.b]);
      assert.ok(!JSON.stringify(row).includes(TRANSFER_NOTE));
      await waitFor('B\'s console told', () => bEvents.events.find((e) => e.event === 'conversation.updated' && e.data.conversationId === chat.id && e.data.status === 'assigned'));

      // A no longer holds it; B does and answers the customer.
      const again = await transfer(a, chat.id, { to: ids.c });
      assert.deepEqual([again.status, again.body.error.code], [403, 'TRANSFER.NOT_HOLDER']);
      assert.equal((await b.api('POST', `/api/conversations/${chat.id}/messages`, { text: '您好，我是小李，接着为您处理换尺码' })).status, 201);
      await waitFor('B\'s reply reaches the customer', async () => (await visitorSees(chat.visitorId)).includes('您好，我是小李，接着为您处理换尺码'));
      assert.ok(!(await visitorSees(chat.visitorId)).some((t) => t.includes('转交备注')));
      assert.ok(!(await outboxTexts(chat.id)).some((t) => t.includes(TRANSFER_NOTE)));
    });

    test('B transfers back to the queue: queued, nobody\'s; an admin may transfer a chat someone else holds', async () => {
      const r = await transfer(b, chat.id, { to: 'queue' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.note, null);
      const c = await detail(chat.id);
      assert.deepEqual([c.status, c.assigneeId, c.notes.length], ['queued', null, 1]);
      assert.ok(c.messages.some((m: any) => m.text === `transfer:${ids.b}->queue by ${ids.b}`));
      const rows = await audits('conversation.transfer', chat.id);
      assert.deepEqual(rows.map((e: any) => [e.details.from, e.details.to]).sort(), [[ids.a, ids.b], [ids.b, 'queue']].sort());
      assert.deepEqual([(await transfer(b, chat.id, { to: ids.a })).status], [409], 'queued: nothing to transfer');

      // A supervisor moves a chat A holds to C.
      const held = await heldByA();
      const bySupervisor = await svc.api('POST', `/api/conversations/${held.id}/transfer`, { to: ids.c, note: '小王下班了，小赵接手' });
      assert.equal(bySupervisor.status, 200, JSON.stringify(bySupervisor.body));
      assert.equal((await detail(held.id)).assigneeId, ids.c);
      const [row] = await audits('conversation.transfer', held.id);
      assert.deepEqual([row.actor, row.details.from, row.details.to], ['admin-token', ids.a, ids.c]);
    });

    test('the store\'s conditional update: a transfer from a holder who no longer holds it changes nothing', async () => {
      const held = await heldByA();
      assert.equal((await transfer(a, held.id, { to: ids.b })).status, 200);
      const before = await state(held.id);
      const stale = await svc.service.core.store.transfer(held.id, { fromAssigneeId: ids.a, toAssigneeId: ids.c, systemNote: `transfer:${ids.a}->${ids.c} by ${ids.a}`, note: { authorId: ids.a, text: 'stale' } });
      assert.equal(stale, null);
      assert.deepEqual(await state(held.id), before);
    });

    test('two concurrent transfers of one chat: exactly one wins, the other is 409 CONVERSATION.CHANGED', async () => {
      const held = await heldByA();
      // Both requests read the holder before either writes: the one that writes second finds it changed.
      const { release, ready } = await holdWrites(held.id);
      const both = Promise.all([transfer(a, held.id, { to: ids.b, note: '给小李' }), transfer(a, held.id, { to: ids.c, note: '给小赵' })]);
      await ready(2);
      release();
      const answers = await both;
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 409], JSON.stringify(answers.map((r) => r.body)));
      const lost = answers.find((r) => r.status === 409)!;
      assert.equal(lost.body.error.code, 'CONVERSATION.CHANGED');
      const won = answers.find((r) => r.status === 200)!;
      const c = await detail(held.id);
      assert.equal(c.assigneeId, won.body.conversation.assigneeId);
      assert.deepEqual(c.notes.map((n: any) => n.text), [won.body.note.text], 'only the winner\'s note');
      assert.equal(c.messages.filter((m: any) => m.text?.startsWith('transfer:')).length, 1);
      assert.equal((await audits('conversation.transfer', held.id)).length, 1);
    });
  });

  /**
   * issue 14 review: the holder-only rule held for replies and transfers but not for unassign, close
   * and release (any agent could unassign a colleague's chat and take it); and a reply's holder check
   * was a read, so a reply racing a transfer still went out.
   */
  describe('who may act on a held chat', () => {
    let boss: LoginSession;
    const snapshot = async (id: string) => {
      const c = await detail(id);
      return { status: c.status, assigneeId: c.assigneeId, messages: c.messages.length, outbox: (await outboxTexts(id)).length };
    };
    const moves = async (id: string) =>
      (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((e: any) => e.target === `conversation:${id}` && e.action !== 'conversation.assigned');
    const agentMessages = async (id: string) => (await detail(id)).messages.filter((m: any) => m.sender === 'agent').map((m: any) => m.text);

    before(async () => {
      const r = await svc.api('POST', '/api/users', { email: 'boss@shop.test', name: '店长', role: 'admin', password: 'shift-password-1' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      boss = await login(svc.url, 'boss@shop.test', 'shift-password-1');
    });

    test('agent B cannot unassign, close, release or answer A\'s chat (403 CONVERSATION.NOT_HOLDER); nothing changes', async () => {
      const chat = await heldByA();
      const before = await snapshot(chat.id);
      const attempts: [string, unknown][] = [['unassign', undefined], ['close', undefined], ['release', undefined], ['messages', { text: '我是小李，我来回答' }]];
      for (const [action, body] of attempts) {
        const r = await b.api('POST', `/api/conversations/${chat.id}/${action}`, body);
        assert.deepEqual([r.status, r.body.error?.code], [403, 'CONVERSATION.NOT_HOLDER'], action);
      }
      // The hole this closes: unassign, then take it.
      assert.equal((await b.api('POST', `/api/conversations/${chat.id}/assign`)).status, 409);
      assert.deepEqual(await snapshot(chat.id), before);
      assert.deepEqual([before.status, before.assigneeId], ['assigned', ids.a]);
      assert.deepEqual(await moves(chat.id), [], 'nothing audited');
      assert.deepEqual(await visitorSees(chat.visitorId), [BOT_ANSWER]);
    });

    test('an admin (signed in or ADMIN_TOKEN) may; a queued chat and a bot chat stay open to every agent', async () => {
      const chat = await heldByA();
      assert.equal((await boss.api('POST', `/api/conversations/${chat.id}/messages`, { text: '店长在此，马上为您处理' })).status, 201);
      assert.equal((await svc.api('POST', `/api/conversations/${chat.id}/messages`, { text: '已为您加急' })).status, 201);
      assert.deepEqual(await agentMessages(chat.id), ['店长在此，马上为您处理', '已为您加急']);
      const unassigned = await boss.api('POST', `/api/conversations/${chat.id}/unassign`);
      assert.deepEqual([unassigned.status, unassigned.body.status, unassigned.body.assigneeId], [200, 'queued', null]);
      // Queued: any agent takes it, and then it is theirs.
      const taken = await b.api('POST', `/api/conversations/${chat.id}/assign`);
      assert.deepEqual([taken.status, taken.body.assigneeId], [200, ids.b]);
      assert.equal((await a.api('POST', `/api/conversations/${chat.id}/close`)).status, 403, 'A no longer holds it');
      assert.equal((await svc.api('POST', `/api/conversations/${chat.id}/close`)).status, 200);
      assert.equal((await detail(chat.id)).status, 'closed');

      const released = await heldByA();
      assert.equal((await boss.api('POST', `/api/conversations/${released.id}/release`)).status, 200);
      assert.equal((await detail(released.id)).status, 'bot');
      // A bot chat: any agent steps in.
      assert.equal((await b.api('POST', `/api/conversations/${released.id}/assign`)).status, 200);
      assert.equal((await detail(released.id)).assigneeId, ids.b);
    });

    test('a reply or unassign that read a holder who no longer holds it: 409 CONVERSATION.CHANGED, nothing stored', async () => {
      const chat = await heldByA();
      const core = svc.service.core;
      const stale = (await core.store.get(chat.id))!;
      assert.equal((await transfer(a, chat.id, { to: ids.b })).status, 200);
      const before = await snapshot(chat.id);
      // The use cases as they run when a transfer commits between their read and their write.
      const staleDeps = { ...core, store: { ...core.store, get: async () => stale } };
      const actorA = { id: ids.a, role: 'agent' as const };
      for (const [who, actor] of [['A', actorA], ['an admin', ADMIN_TOKEN_ACTOR]] as const) {
        await assert.rejects(sendAgentReply(staleDeps, actor, chat.id, `${who}: 迟到的回复`), (err: any) => err.code === 'CONVERSATION.CHANGED' && err.httpStatus === 409, who);
        await assert.rejects(unassignConversation(staleDeps, actor, chat.id), (err: any) => err.code === 'CONVERSATION.CHANGED', who);
        await assert.rejects(closeConversation(staleDeps, actor, chat.id), (err: any) => err.code === 'CONVERSATION.CHANGED', who);
      }
      assert.deepEqual(await snapshot(chat.id), before);
      assert.deepEqual([before.status, before.assigneeId], ['assigned', ids.b]);
      assert.deepEqual(await agentMessages(chat.id), []);
      assert.ok(!(await visitorSees(chat.visitorId)).some((t) => t.includes('迟到的回复')));
    });

    test('a reply racing a transfer: the transfer commits first, the reply is 409 and never stored (PostgreSQL)', { skip: mode === 'embedded' && 'PGlite runs one statement at a time: the two cannot interleave' }, async () => {
      const chat = await heldByA();
      const db = svc.service.db;
      let commit!: () => void;
      const gate = new Promise<void>((resolve) => { commit = resolve; });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => { locked = resolve; });
      // The transfer holds the row while the reply, having read A as the holder, comes to write.
      const transferred = db.transaction(async (tx) => {
        await tx.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [chat.id]);
        locked();
        await gate;
        await tx.query(`UPDATE conversations SET assignee_id = $2 WHERE id = $1`, [chat.id, ids.b]);
      });
      await isLocked;
      const reply = a.api('POST', `/api/conversations/${chat.id}/messages`, { text: '抢在转交之后的回复' });
      await waitFor('the reply waiting on the row lock', async () => {
        const r = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO messages%'`);
        return Number(r.rows[0].n) >= 1;
      });
      commit();
      await transferred;
      const r = await reply;
      assert.deepEqual([r.status, r.body.error?.code], [409, 'CONVERSATION.CHANGED'], JSON.stringify(r.body));
      assert.deepEqual(await agentMessages(chat.id), []);
      assert.ok(!(await outboxTexts(chat.id)).includes('抢在转交之后的回复'));
      assert.equal((await detail(chat.id)).assigneeId, ids.b);
    });
  });

  describe('disabling an agent who holds chats', () => {
    const requeueAudits = (id: string) => audits('conversation.queued', id);
    async function agentHolding(email: string, n: number): Promise<{ id: string; chats: string[] }> {
      const r = await svc.api('POST', '/api/users', { email, name: '要离职的人', role: 'agent', password: 'shift-password-1' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const session = await login(svc.url, email, 'shift-password-1');
      const chats: string[] = [];
      for (let i = 0; i < n; i++) {
        const chat = await botChat();
        assert.equal((await session.api('POST', `/api/conversations/${chat.id}/assign`)).status, 200);
        chats.push(chat.id);
      }
      return { id: r.body.id, chats };
    }

    test('their chats go back to the queue, audited with the admin as actor; another agent takes one; other chats stay; a second disable moves nothing', async () => {
      const leaver = await agentHolding('leaver@shop.test', 2);
      const others = await botChat();
      assert.equal((await b.api('POST', `/api/conversations/${others.id}/assign`)).status, 200);

      const r = await svc.api('PATCH', `/api/users/${leaver.id}`, { disabled: true });
      assert.deepEqual([r.status, r.body.disabled], [200, true]);
      for (const id of leaver.chats) {
        const c = await detail(id);
        assert.deepEqual([c.status, c.assigneeId], ['queued', null], id);
        assert.ok(c.messages.some((m: any) => m.sender === 'system' && m.text === `status:assigned->queued by ${ADMIN_TOKEN_ACTOR.id}`));
        const [row, ...more] = await requeueAudits(id);
        assert.equal(more.length, 0);
        assert.deepEqual([row.actor, row.details], [ADMIN_TOKEN_ACTOR.id, { from: 'assigned', reason: 'user_disabled' }]);
      }
      const queue = await b.api('GET', `/api/conversations?status=queued&assignee=none&channelId=${channelId}`);
      assert.ok(leaver.chats.every((id) => queue.body.items.some((c: any) => c.id === id)), 'in the queue every agent sees');
      const taken = await b.api('POST', `/api/conversations/${leaver.chats[0]}/assign`);
      assert.deepEqual([taken.status, taken.body.assigneeId], [200, ids.b]);
      assert.deepEqual([(await detail(others.id)).status, (await detail(others.id)).assigneeId], ['assigned', ids.b]);
      assert.deepEqual(await requeueAudits(others.id), []);

      // Already disabled: nothing moves, not even a chat the user somehow still holds.
      await svc.service.db.query(`UPDATE conversations SET status = 'assigned', assignee_id = $2 WHERE id = $1`, [leaver.chats[1], leaver.id]);
      assert.equal((await svc.api('PATCH', `/api/users/${leaver.id}`, { disabled: true })).status, 200);
      assert.deepEqual([(await detail(leaver.chats[1])).status, (await detail(leaver.chats[1])).assigneeId], ['assigned', leaver.id]);
      assert.equal((await requeueAudits(leaver.chats[1])).length, 1);
    });

    test('the move applies only while the disabled user still holds the chat: one transferred away meanwhile stays with its new holder', async () => {
      const leaver = await agentHolding('leaver2@shop.test', 1);
      const [chatId] = leaver.chats;
      // What a transfer racing the disable leaves: the chat is now b's when the requeue reaches it.
      assert.equal((await svc.api('POST', `/api/conversations/${chatId}/transfer`, { to: ids.b })).status, 200);
      await assert.rejects(
        moveConversation(svc.service.core, ADMIN_TOKEN_ACTOR, chatId, 'queued', { assigneeId: null }, { holder: leaver.id, reason: 'user_disabled' }),
        (err: Error & { code?: string }) => err.code === 'CONVERSATION.CHANGED',
      );
      const updated = await svc.api('PATCH', `/api/users/${leaver.id}`, { disabled: true });
      assert.deepEqual([updated.status, updated.body.disabled], [200, true]);
      const c = await detail(chatId);
      assert.deepEqual([c.status, c.assigneeId], ['assigned', ids.b]);
      assert.deepEqual(await requeueAudits(chatId), []);
    });
  });

  /**
   * Holds the conversation's writes until release(). PostgreSQL: a row lock from another connection,
   * and ready(n) waits until n statements wait on it. PGlite has one connection that runs statements
   * in arrival order: a held transaction queues everything behind it, and ready(n) waits until n
   * transfer requests have reached the service (their first query is then queued, in order).
   */
  async function holdWrites(conversationId: string): Promise<{ release: () => void; ready: (n: number) => Promise<void> }> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const db = svc.service.db;
    void db.transaction(async (tx) => {
      await tx.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [conversationId]);
      locked();
      await gate;
    });
    await isLocked;
    if (db.engine === 'postgres') {
      return {
        release,
        ready: async (n) => {
          await waitFor(`${n} transfers waiting on the row lock`, async () => {
            const r = await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE conversations SET assignee_id%'`);
            return Number(r.rows[0].n) >= n;
          });
        },
      };
    }
    let arrived = 0;
    const server = svc.service.server!;
    const count = (req: { url?: string }) => { if (req.url?.endsWith('/transfer')) arrived += 1; };
    server.on('request', count);
    return {
      release: () => {
        server.off('request', count);
        release();
      },
      ready: async (n) => {
        await waitFor(`${n} transfer requests at the service`, () => arrived >= n);
        // Koa runs each request up to its first query in the same tick it arrives; one more turn to be sure.
        await sleep(50);
      },
    };
  }
});
