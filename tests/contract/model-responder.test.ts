import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ModelUnavailableError } from '../../src/domain/errors.js';
import {
  createOpenAiCompatibleResponder,
  TRUNCATED_CONFIDENCE_CAP,
  type OpenAiCompatibleResponder,
  type OpenAiCompatibleResponderOptions,
} from '../../src/model/openai-compatible-responder.js';
import type { ResponderInput } from '../../src/ports/responder.js';
import { FakeModelServer } from '../fakes/fake-model-server.js';

const INPUT: ResponderInput = {
  modelName: 'support-v1',
  systemPrompt: '你是本店客服。',
  knowledge: [{ entry: { id: '1', channelId: null, instruction: '客户问是否包邮', input: '', output: '亲，订单满299元包邮哦~' }, score: 0.9 }],
  history: [{ role: 'user', content: '你好' }, { role: 'assistant', content: '亲，在的~' }],
  question: '包邮吗',
};

describe('OpenAI-compatible responder against a fake vLLM server', () => {
  const fake = new FakeModelServer();
  const opened: OpenAiCompatibleResponder[] = [];
  const responder = (overrides: Partial<OpenAiCompatibleResponderOptions> = {}) => {
    const r = createOpenAiCompatibleResponder({ baseUrl: fake.url, timeoutMs: 5_000, ...overrides });
    opened.push(r);
    return r;
  };

  before(() => fake.start());
  after(() => fake.close());
  afterEach(() => {
    for (const r of opened.splice(0)) r.close();
    fake.reply = { content: '亲，订单满299元包邮哦~' };
    fake.failStatus = null;
    fake.delayMs = 0;
    fake.dropConnection = false;
    fake.failWhen = null;
  });

  test('sends the adapter name as model, logprobs: true and the built prompt', async () => {
    const before = fake.requests.length;
    await responder({ apiKey: 'k-123' }).answer(INPUT);
    const body = fake.requests[before];
    assert.equal(body.model, 'support-v1');
    assert.equal(body.logprobs, true);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.max_tokens, 512);
    assert.equal(body.messages[0].role, 'system');
    assert.match(body.messages[0].content, /订单满299元包邮/);
    assert.deepEqual(body.messages.slice(1).map((m) => m.content), ['你好', '亲，在的~', '包邮吗']);
    assert.equal(fake.requestHeaders[before].authorization, 'Bearer k-123');
  });

  test('returns the reply with high confidence when the tokens were likely', async () => {
    fake.reply = { content: '亲，订单满299元包邮哦~', logprobs: -0.02 };
    const answer = await responder().answer(INPUT);
    assert.equal(answer.text, '亲，订单满299元包邮哦~');
    assert.ok(answer.confidence > 0.9, String(answer.confidence));
  });

  test('returns low confidence when the tokens were unlikely', async () => {
    fake.reply = { content: '亲，这个需要看情况哦', logprobs: [-1.5, -2.2, -0.8, -3.4, -1.1] };
    const answer = await responder().answer(INPUT);
    assert.ok(answer.confidence < 0.2, String(answer.confidence));
  });

  test('caps the confidence of a reply cut off by max_tokens', async () => {
    fake.reply = { content: '亲，订单满299元', logprobs: -0.01, finishReason: 'length' };
    const answer = await responder().answer(INPUT);
    assert.equal(answer.confidence, TRUNCATED_CONFIDENCE_CAP);
  });

  test('throws ModelUnavailableError on HTTP 500', async () => {
    fake.failStatus = 500;
    await assert.rejects(responder().answer(INPUT), (err) => err instanceof ModelUnavailableError && /500/.test(err.message));
  });

  test('throws ModelUnavailableError on an empty reply or a reply without logprobs', async () => {
    fake.reply = { content: '   ' };
    await assert.rejects(responder().answer(INPUT), ModelUnavailableError);
    fake.reply = { content: '亲，包邮哦', omitLogprobs: true };
    await assert.rejects(responder().answer(INPUT), ModelUnavailableError);
    // NaN goes over the wire as null: a token whose logprob is not a number.
    fake.reply = { content: '亲，包邮哦', logprobs: [-0.1, NaN, -0.1, -0.1, -0.1] };
    await assert.rejects(responder().answer(INPUT), (err) => err instanceof ModelUnavailableError && /numeric logprob/.test(err.message));
  });

  test('throws ModelUnavailableError when the connection drops or nothing listens', async () => {
    fake.dropConnection = true;
    await assert.rejects(responder().answer(INPUT), ModelUnavailableError);
    const nowhere = responder({ baseUrl: 'http://127.0.0.1:1/v1' });
    await assert.rejects(nowhere.answer(INPUT), ModelUnavailableError);
  });

  // The test timeouts only turn a missing abort into a failure instead of a hang; nothing is timed.
  test('times out, aborts the request on the wire, and the next call is not affected', { timeout: 10_000 }, async () => {
    fake.delayMs = 60_000;
    const r = responder({ timeoutMs: 100 });
    const abortsBefore = fake.abortedRequests;
    await assert.rejects(r.answer(INPUT), (err) => err instanceof ModelUnavailableError && /timed out/.test(err.message));
    await fake.waitForAbort(abortsBefore + 1);
    fake.delayMs = 0;
    const answer = await r.answer(INPUT);
    assert.equal(answer.text, '亲，订单满299元包邮哦~');
  });

  test('opens the circuit after repeated failures and then fails fast without calling the server', async () => {
    fake.failStatus = 500;
    const r = responder({ breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 3 } });
    for (let i = 0; i < 3; i += 1) await assert.rejects(r.answer(INPUT), ModelUnavailableError);
    assert.equal(r.isOpen(), true);
    assert.equal(r.state(), 'open');
    const requestsBefore = fake.requests.length;
    fake.failStatus = null;
    await assert.rejects(r.answer(INPUT), (err) => err instanceof ModelUnavailableError && /circuit is open/.test(err.message));
    assert.equal(fake.requests.length, requestsBefore);
  });

  // Issue 11: the circuit half-opens after resetTimeoutMs (short here; 4 s by default), then probes by itself.
  const FAST_BREAKER = { errorThresholdPercentage: 50, resetTimeoutMs: 30, volumeThreshold: 2 };
  const openCircuit = async (r: OpenAiCompatibleResponder) => {
    fake.failStatus = 500;
    for (let i = 0; i < FAST_BREAKER.volumeThreshold; i += 1) await assert.rejects(r.answer(INPUT), ModelUnavailableError);
    assert.equal(r.state(), 'open');
  };
  const isProbe = (body: { max_tokens?: number }) => body.max_tokens === 1;

  test('half-opens by itself, probes the last adapter with one token, and closes on the first success', async () => {
    const r = responder({ breaker: FAST_BREAKER });
    const created = r.health!();
    assert.equal(created.available, true);
    await openCircuit(r);
    const down = r.health!();
    assert.equal(down.available, false);
    assert.ok(down.since >= created.since);
    fake.failStatus = null;
    const requestsBefore = fake.requests.length;
    await waitUntil(() => r.state() === 'closed', 'the circuit to close');
    const probe = fake.requests.slice(requestsBefore);
    assert.equal(probe.length, 1, 'one trial call, no customer call needed');
    assert.ok(isProbe(probe[0]));
    assert.equal(probe[0].model, 'support-v1');
    const back = r.health!();
    assert.equal(back.available, true);
    assert.ok(back.since >= down.since);
    assert.equal((await r.answer(INPUT)).text, '亲，订单满299元包邮哦~');
  });

  test('while the probe is in flight other calls fail fast without reaching the model; a failed probe re-opens', async () => {
    const r = responder({ breaker: FAST_BREAKER });
    await openCircuit(r);
    const since = r.health!().since;
    // The probe fails: open again, still unavailable since the outage began.
    const failedProbes = fake.requests.filter(isProbe).length;
    await waitUntil(() => fake.requests.filter(isProbe).length > failedProbes && r.state() === 'open');
    assert.deepEqual(r.health!(), { available: false, since });

    fake.failStatus = null;
    const release = fake.hold();
    const probesBefore = fake.requests.filter(isProbe).length;
    await waitUntil(() => fake.requests.filter(isProbe).length > probesBefore);
    assert.equal(r.state(), 'halfOpen');
    const requestsBefore = fake.requests.length;
    await assert.rejects(r.answer(INPUT), (err) => err instanceof ModelUnavailableError && /circuit is open/.test(err.message));
    await assert.rejects(r.answer(INPUT), (err) => err instanceof ModelUnavailableError && /circuit is open/.test(err.message));
    assert.equal(fake.requests.length, requestsBefore, 'no customer call reached the model while half-open');
    assert.equal(r.health!().available, false);
    release();
    await waitUntil(() => r.state() === 'closed', 'the circuit to close');
    assert.equal(r.health!().available, true);
  });

  test('after closing, the outage no longer counts: one failure does not re-open the circuit', async () => {
    const r = responder({ breaker: FAST_BREAKER });
    await openCircuit(r);
    fake.failStatus = null;
    await waitUntil(() => r.state() === 'closed', 'the circuit to close');
    fake.failStatus = 500;
    await assert.rejects(r.answer(INPUT), /HTTP 500/);
    assert.equal(r.state(), 'closed');
    fake.failStatus = null;
    assert.equal((await r.answer(INPUT)).text, '亲，订单满299元包邮哦~');
  });

  test('closing the responder stops probing', async () => {
    const r = responder({ breaker: FAST_BREAKER });
    await openCircuit(r);
    const release = fake.hold();
    const probesBefore = fake.requests.filter(isProbe).length;
    await waitUntil(() => fake.requests.filter(isProbe).length > probesBefore);
    const abortsBefore = fake.abortedRequests;
    r.close();
    await fake.waitForAbort(abortsBefore + 1);
    release();
    await assert.rejects(r.answer(INPUT), (err) => err instanceof ModelUnavailableError && /closed/.test(err.message));
  });

  test('a caller cancelling its own turn does not count against the model node', { timeout: 10_000 }, async () => {
    fake.delayMs = 60_000;
    const r = responder({ breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 1 } });
    const controller = new AbortController();
    const requestsBefore = fake.requests.length;
    const pending = r.answer({ ...INPUT, signal: controller.signal });
    await waitUntil(() => fake.requests.length > requestsBefore);
    controller.abort();
    await assert.rejects(pending, ModelUnavailableError);
    assert.equal(r.isOpen(), false);
  });
});

describe('fake model server', () => {
  test('lists its models with adapters under their base, and answers /health', async () => {
    const fake = await new FakeModelServer().start();
    try {
      const models = (await (await fetch(`${fake.url}/models`)).json()) as { data: { id: string; parent: string | null }[] };
      assert.deepEqual(models.data.map((m) => [m.id, m.parent]), [['qwen2.5-7b-instruct', null], ['support-v1', 'qwen2.5-7b-instruct']]);
      assert.equal((await fetch(new URL('/health', fake.url))).status, 200);
    } finally {
      await fake.close();
    }
  });
});

/** Yields to the event loop until the condition holds; the bound only turns a hang into a failure (nothing is timed). */
async function waitUntil(condition: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
