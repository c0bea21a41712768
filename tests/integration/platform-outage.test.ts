/**
 * Issue 11, fault 9: replies were silently lost when WeCom kept failing for more than 1–2 minutes.
 * Now a send is retried until its window closes, then the conversation goes to a person
 * (`delivery_failed`) and the customer gets the holding message once WeCom answers again; while
 * WeCom fails one message probes it and the rest wait, and nothing reaches a customer twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

const HOLDING = '已为您转接人工客服，请稍候~';
const QUESTION = '包邮吗？';
/** The demo knowledge base answers QUESTION with the free-shipping threshold. */
const ANSWER = /299/;

interface World {
  svc: TestService;
  fake: FakeWecomApi;
  storage: Storage;
  /** A customer's signed, encrypted text callback asking QUESTION. */
  ask(customer: string, msgId: string): Promise<{ status: number }>;
}

async function startWorld(retryWindowS: number): Promise<World> {
  const app = newWecomApp();
  const fake = await startFakeWecom(app);
  const storage = await createStorage();
  const svc = await startTestService(storage, { WECOM_API_BASE: fake.url, SEND_RETRY_WINDOW_S: String(retryWindowS) });
  const channelId = await createWecomChannel(svc, app);
  const kb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');
  assert.equal((await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' })).status, 200);
  const ask = (customer: string, msgId: string) => postText(svc, channelId, app, { from: customer, content: QUESTION, msgId });
  return { svc, fake, storage, ask };
}

async function stopWorld(w: World | undefined): Promise<void> {
  await w?.svc.close();
  await w?.fake.close();
  await w?.storage.dispose();
}

/** The customer's conversation as the console shows it, with its messages; null before it exists. */
async function conversationOf(svc: TestService, customer: string): Promise<any> {
  const list = await svc.api('GET', '/api/conversations');
  const item = list.body.items.find((c: any) => c.contact.externalId === customer);
  return item ? (await svc.api('GET', `/api/conversations/${item.id}`)).body : null;
}

const outgoing = (conv: any): any[] => conv.messages.filter((m: any) => m.sender === 'bot' || m.sender === 'agent');
const unsettled = (conv: any): any[] => outgoing(conv).filter((m: any) => !['sent', 'failed'].includes(m.status));

/** Messages WeCom refused more than `times` times, as `touser: content`. */
function refusedMoreThan(fake: FakeWecomApi, times: number): string[] {
  const refusals = new Map<string, number>();
  for (const a of fake.attempts.filter((x) => x.refused)) refusals.set(`${a.touser}: ${a.content}`, (refusals.get(`${a.touser}: ${a.content}`) ?? 0) + 1);
  return [...refusals].filter(([, n]) => n > times).map(([key]) => key);
}
/** Refused more than twice during an outage: only a probe gets there. */
const retriedOften = (fake: FakeWecomApi) => refusedMoreThan(fake, 2);
const refusedAgain = (fake: FakeWecomApi) => refusedMoreThan(fake, 1);

describe(`a WeCom outage longer than the retry window (${mode})`, () => {
  let w: World;
  const early = ['early-1', 'early-2', 'early-3', 'early-4', 'early-5'];
  const late = ['late-1', 'late-2', 'late-3'];

  before(async () => {
    w = await startWorld(4);
  });
  after(() => stopWorld(w));

  test('every customer gets the answer once, or is handed to a person (delivery_failed) and gets the holding message once', async () => {
    w.fake.setOutage({ errcode: -1, errmsg: 'system busy' });
    for (const [i, customer] of early.entries()) assert.equal((await w.ask(customer, `91100000000000000${10 + i}`)).status, 200);

    // Their retry window (4 s) closes while WeCom still fails: each goes to a person.
    for (const customer of early) {
      await waitFor(`${customer} handed to a person`, async () => {
        const conv = await conversationOf(w.svc, customer);
        return conv?.status === 'queued' && conv.handoffReason === 'delivery_failed' && conv;
      }, 30_000);
    }
    // Customers who write late in the outage: their replies wait for WeCom, inside their window or not.
    for (const [i, customer] of late.entries()) assert.equal((await w.ask(customer, `91100000000000000${20 + i}`)).status, 200);
    for (const customer of late) {
      await waitFor(`${customer}'s reply queued`, async () => {
        const conv = await conversationOf(w.svc, customer);
        return conv && outgoing(conv).length > 0;
      });
    }
    assert.equal(w.fake.sent.length, 0, 'nothing got through the outage');
    assert.ok(retriedOften(w.fake).length <= 2, `only the probing message is retried while WeCom fails: ${retriedOften(w.fake).join(' | ')}`);

    w.fake.setOutage(null);
    for (const customer of [...early, ...late]) {
      await waitFor(`${customer} settled after WeCom recovered`, async () => {
        const conv = await conversationOf(w.svc, customer);
        return conv && w.fake.sent.some((m) => m.touser === customer) && unsettled(conv).length === 0;
      }, 60_000);
    }
    await sleep(1500); // room for a duplicate to show up, if there were one

    for (const customer of [...early, ...late]) {
      const conv = await conversationOf(w.svc, customer);
      const got = w.fake.sent.filter((m) => m.touser === customer).map((m) => m.content);
      assert.equal(got.length, 1, `${customer} got exactly one message: ${JSON.stringify(got)}`);
      assert.deepEqual(unsettled(conv), [], `${customer}: nothing left pending`);
      const reply = outgoing(conv).find((m: any) => ANSWER.test(m.text));
      if (got[0] === HOLDING) {
        assert.equal(conv.status, 'queued');
        assert.equal(conv.handoffReason, 'delivery_failed');
        assert.equal(reply.status, 'failed', 'agents see the undelivered answer');
        assert.deepEqual(outgoing(conv).map((m: any) => [m.text === HOLDING ? 'holding' : 'answer', m.status]), [['answer', 'failed'], ['holding', 'sent']]);
      } else {
        assert.match(got[0], ANSWER);
        assert.equal(conv.status, 'bot', `${customer} answered, not handed off`);
        assert.equal(reply.status, 'sent');
      }
    }
    for (const customer of early) {
      assert.deepEqual(w.fake.sent.filter((m) => m.touser === customer).map((m) => m.content), [HOLDING], `${customer} waited past the window`);
    }
  });
});

describe(`a WeCom outage shorter than the retry window (${mode})`, () => {
  let w: World;
  const customers = ['short-1', 'short-2', 'short-3', 'short-4', 'short-5', 'short-6'];

  before(async () => {
    w = await startWorld(120);
  });
  after(() => stopWorld(w));

  test('once WeCom recovers, every customer gets the answer exactly once and nobody is handed off', async () => {
    w.fake.setOutage({ errcode: 45009, errmsg: 'api freq out of limit' });
    for (const [i, customer] of customers.entries()) assert.equal((await w.ask(customer, `91200000000000000${10 + i}`)).status, 200);
    for (const customer of customers) {
      await waitFor(`${customer}'s reply waiting for WeCom`, async () => {
        const conv = await conversationOf(w.svc, customer);
        return conv && outgoing(conv).some((m: any) => m.status === 'pending');
      });
    }
    // Long enough that replies retrying on their own would each have been refused again by now.
    await waitFor('the probe refused three times', () => retriedOften(w.fake).length > 0);
    assert.deepEqual(refusedAgain(w.fake), retriedOften(w.fake), 'only the probe was tried again; the other replies wait for it');
    assert.equal(w.fake.sent.length, 0);

    w.fake.setOutage(null);
    await waitFor('every answer delivered', () => customers.every((c) => w.fake.sent.some((m) => m.touser === c)), 60_000);
    await sleep(1500); // room for a duplicate to show up, if there were one

    for (const customer of customers) {
      const got = w.fake.sent.filter((m) => m.touser === customer).map((m) => m.content);
      assert.equal(got.length, 1, `${customer} got exactly one message: ${JSON.stringify(got)}`);
      assert.match(got[0], ANSWER);
      const conv = await conversationOf(w.svc, customer);
      assert.equal(conv.status, 'bot');
      assert.deepEqual(outgoing(conv).map((m: any) => m.status), ['sent']);
    }
  });
});
