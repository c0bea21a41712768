import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDingtalkHttpAdapter, createDingtalkSender } from '../../adapters/dingtalk/index.js';
import type { DingtalkSender, DingtalkSenderOptions } from '../../adapters/dingtalk/index.js';
import { DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, type Channel } from '../../src/domain/channel.js';
import { AppError, InvalidSignatureError, PayloadError, PlatformError } from '../../src/domain/errors.js';
import type { ChannelAdapter, SendTarget } from '../../src/ports/channel-adapter.js';
import { buildRobotPayload, FakeDingtalkOpenApi, signHeaders } from '../fakes/fake-dingtalk-openapi.js';

const APP = { clientId: 'dingKEY', clientSecret: 'app-secret-1' };
const channel: Channel = {
  id: 'ch-ding-1', kind: 'dingtalk_http', name: 'robot', enabled: true, botEnabled: true,
  config: { ...APP, robotCode: 'dingROBOT' },
  model: { name: null, threshold: 0.6, systemPrompt: DEFAULT_SYSTEM_PROMPT },
  handoff: { keywords: [], holdingMessage: DEFAULT_HOLDING_MESSAGE },
  welcomeMessage: null, createdAt: new Date(0), updatedAt: new Date(0),
};
const msg = (text: string, outboxId = 'ob-1') => ({ outboxId, text });

interface Ctx { fake: FakeDingtalkOpenApi; adapter: ChannelAdapter; sender: DingtalkSender }

async function withFake(fn: (ctx: Ctx) => Promise<void>, senderOpts: Partial<DingtalkSenderOptions> = {}): Promise<void> {
  const fake = await new FakeDingtalkOpenApi(APP).start();
  try {
    const sender = createDingtalkSender({ apiBase: fake.url, timeoutMs: 2000, ...senderOpts });
    await fn({ fake, sender, adapter: createDingtalkHttpAdapter({ apiBase: fake.url, maxSkewS: 300, sender }) });
  } finally {
    await fake.close();
  }
}

/** The reply target the core would keep from an inbound message. */
function targetFrom(adapter: ChannelAdapter, payload: Record<string, unknown>): SendTarget {
  const outcome = webhook(adapter, payload);
  assert.equal(outcome.type, 'messages');
  const [m] = outcome.type === 'messages' ? outcome.messages : [];
  assert.ok(m);
  return { externalId: m.contact.externalId, address: m.address };
}

function webhook(adapter: ChannelAdapter, payload: unknown, headers: Record<string, string | undefined> = signHeaders(APP.clientSecret, Date.now()), method: 'GET' | 'POST' = 'POST') {
  const rawBody = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const outcome = adapter.handleWebhook?.(channel, { method, query: {}, headers, rawBody });
  assert.ok(outcome && !(outcome instanceof Promise));
  return outcome;
}

async function rejectsWith(promise: Promise<unknown>, expected: Partial<PlatformError>): Promise<void> {
  const err = await promise.then(() => assert.fail('expected a PlatformError'), (e: unknown) => e);
  assert.ok(err instanceof PlatformError, String(err));
  for (const [key, value] of Object.entries(expected)) assert.equal(err[key as keyof PlatformError], value, key);
}

describe('dingtalk_http webhook', () => {
  test('a signed callback becomes one message and is acked with msgtype empty', () => withFake(async ({ adapter }) => {
    const outcome = webhook(adapter, buildRobotPayload({ msgId: 'msgOK==', text: ' 在吗' }));
    assert.equal(outcome.type, 'messages');
    assert.deepEqual(outcome.reply, { status: 200, contentType: 'application/json', body: '{"msgtype":"empty"}' });
    assert.deepEqual(outcome.type === 'messages' && outcome.messages.map((m) => [m.platformMessageId, m.text]), [['msgOK==', '在吗']]);
    assert.equal(adapter.safeToResend, false);
    assert.deepEqual(adapter.secretFields, ['clientSecret']);
  }));

  test('forged, stale, future and unsigned callbacks are refused with 401 before the body is read', () => withFake(async ({ adapter }) => {
    const now = Date.now();
    for (const headers of [signHeaders('wrong-secret', now), signHeaders(APP.clientSecret, now - 301_000),
      signHeaders(APP.clientSecret, now + 301_000), {}, { timestamp: String(now) }, { sign: signHeaders(APP.clientSecret, now).sign }]) {
      assert.throws(() => webhook(adapter, 'not even json', headers), (e: unknown) => e instanceof InvalidSignatureError && e.httpStatus === 401);
    }
  }));

  test('bad JSON and non-robot bodies are 400; GET is refused', () => withFake(async ({ adapter }) => {
    assert.throws(() => webhook(adapter, '{nope'), PayloadError);
    assert.throws(() => webhook(adapter, { hello: 'world' }), PayloadError);
    assert.throws(() => webhook(adapter, buildRobotPayload(), undefined, 'GET'), PayloadError);
  }));

  test('a group message without @robot yields no message, but is acked', () => withFake(async ({ adapter }) => {
    const outcome = webhook(adapter, buildRobotPayload({ group: true, atRobot: false }));
    assert.deepEqual(outcome.type === 'messages' && outcome.messages, []);
    assert.equal(outcome.type === 'messages' && outcome.reply.status, 200);
  }));

  test('a stored config that no longer validates is a 500, not a 401', () => withFake(async ({ adapter }) => {
    const broken = { ...channel, config: { clientId: 'x' } };
    const call = () => adapter.handleWebhook?.(broken, { method: 'POST', query: {}, headers: {}, rawBody: Buffer.from('{}') });
    assert.throws(call, (e: unknown) => e instanceof AppError && e.httpStatus === 500 && !/app-secret/.test(e.message));
  }));
});

describe('dingtalk send', () => {
  test('replies through the sessionWebhook while valid, no token needed', () => withFake(async ({ fake, adapter }) => {
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s1') }));
    await adapter.send(channel, to, msg('您好，请问有什么可以帮您？'));
    assert.deepEqual(fake.deliveries.map((d) => [d.via, d.to, d.text, d.markdown]), [['session', 's1', '您好，请问有什么可以帮您？', false]]);
    assert.equal(fake.tokenCalls, 0);
  }));

  test('once the webhook expired: OpenAPI, one token for concurrent sends', () => withFake(async ({ fake, adapter }) => {
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s1'), createAt: Date.now() - 6_000_000, sessionWebhookExpiredTime: Date.now() - 1 }));
    const receipts = await Promise.all([1, 2, 3, 4, 5].map((i) => adapter.send(channel, to, msg(`回复 ${i}`, `ob-${i}`))));
    assert.equal(fake.tokenCalls, 1);
    assert.equal(fake.attempts.session, 0);
    assert.deepEqual(fake.deliveries.map((d) => [d.via, d.to, d.body.robotCode]), Array(5).fill(['openapi', 'staff001', 'dingROBOT']));
    assert.deepEqual(new Set(fake.deliveries.map((d) => d.text)), new Set([1, 2, 3, 4, 5].map((i) => `回复 ${i}`)));
    assert.ok(receipts.every((r) => typeof r.platformMessageId === 'string'));
  }));

  test('a webhook the platform refuses falls back to the OpenAPI once', () => withFake(async ({ fake, adapter }) => {
    fake.expireSession('s2');
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s2') }));
    await adapter.send(channel, to, msg('hi'));
    assert.deepEqual(fake.deliveries.map((d) => d.via), ['openapi']);
  }));

  test('groups get groupMessages/send; structured text goes as markdown', () => withFake(async ({ fake, adapter }) => {
    const payload = buildRobotPayload({ group: true, conversationId: 'cidG==', sessionWebhookExpiredTime: 1 });
    const to = targetFrom(adapter, payload);
    await adapter.send(channel, to, msg('## 退货流程\n- 申请\n- 寄回'));
    assert.deepEqual(fake.deliveries.map((d) => [d.via, d.to, d.markdown, d.text]), [['openapi', 'cidG==', true, '## 退货流程\n- 申请\n- 寄回']]);
    assert.equal(fake.deliveries[0]?.body.msgKey, 'sampleMarkdown');
    const live = targetFrom(adapter, buildRobotPayload({ group: true, sessionWebhook: fake.sessionWebhook('g1'), senderStaffId: 's7' }));
    await adapter.send(channel, live, msg('第一段。\n\n第二段。'));
    const session = fake.deliveries[1];
    assert.deepEqual([session?.via, session?.markdown, session?.body.at], ['session', true, { atUserIds: ['s7'] }]);
  }));

  test('a sessionWebhook on a foreign host is never called', () => withFake(async ({ fake, adapter }) => {
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: 'http://169.254.169.254/robot/sendBySession?session=x' }));
    await adapter.send(channel, to, msg('hi'));
    assert.deepEqual(fake.deliveries.map((d) => d.via), ['openapi']);
  }));

  test('hang after the request was read: outcome unknown, not retryable, no second delivery', () => withFake(async ({ fake, adapter }) => {
    fake.failNext('session', { hang: true });
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s3') }));
    await rejectsWith(adapter.send(channel, to, msg('hi')), { outcomeUnknown: true, retryable: false });
    fake.failNext('openapi', { hang: true });
    await rejectsWith(adapter.send(channel, { externalId: 'staff001' }, msg('hi')), { outcomeUnknown: true, retryable: false });
    assert.deepEqual(fake.deliveries.map((d) => d.via), ['session', 'openapi']);
    assert.deepEqual(fake.attempts, { session: 1, openapi: 1 });
  }, { timeoutMs: 300 }));

  test('500, 429, QpsLimit and webhook throttling are retryable; 400 is permanent', () => withFake(async ({ fake, adapter }) => {
    const to = { externalId: 'staff001' };
    fake.failNext('openapi', { httpStatus: 500 });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true, outcomeUnknown: false });
    fake.failNext('openapi', { httpStatus: 429 });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true });
    fake.failNext('openapi', { httpStatus: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi' });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true });
    fake.failNext('openapi', { httpStatus: 400, code: 'invalidParameter.userIds' });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: false, outcomeUnknown: false, platformCode: 'invalidParameter.userIds' });
    fake.failNext('session', { errcode: 130101, errmsg: 'send too fast' });
    const live = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s4') }));
    await rejectsWith(adapter.send(channel, live, msg('x')), { retryable: true, platformCode: '130101' });
    assert.equal(fake.deliveries.length, 0);
  }));

  test('a refused token is refreshed once and the send goes through', () => withFake(async ({ fake, adapter }) => {
    await adapter.send(channel, { externalId: 'staff001' }, msg('one'));
    fake.revokeTokens();
    await adapter.send(channel, { externalId: 'staff001' }, msg('two'));
    assert.equal(fake.tokenCalls, 2);
    assert.deepEqual(fake.deliveries.map((d) => d.text), ['one', 'two']);
  }));

  test('connection refused is retryable with a known outcome', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const adapter = createDingtalkHttpAdapter({ apiBase: dead, maxSkewS: 300, timeoutMs: 2000 });
    const to = { externalId: 'staff001', address: { sessionWebhook: `${dead}/robot/sendBySession?session=z`, sessionWebhookExpiredTime: String(Date.now() + 3_600_000) } };
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true, outcomeUnknown: false });
    await rejectsWith(adapter.send(channel, { externalId: 'staff001' }, msg('x')), { retryable: true, outcomeUnknown: false });
  });

  test('over the per-robot limit, sends queue in order instead of dropping', () => withFake(async ({ fake, adapter, sender }) => {
    const to = targetFrom(adapter, buildRobotPayload({ sessionWebhook: fake.sessionWebhook('s5') }));
    const sends = [1, 2, 3, 4, 5].map((i) => adapter.send(channel, to, msg(`第${i}条`, `ob-${i}`)));
    await fake.waitForDeliveries(2);
    assert.ok(fake.deliveries.length < 5, 'the limit held the rest back');
    assert.ok(sender.limiter.waiting('dingROBOT') > 0, 'the rest are queued, not dropped');
    await Promise.all(sends);
    // Sends that share a slot race on separate sockets, so compare as a set; order: rate-limit unit test.
    assert.deepEqual(fake.deliveries.map((d) => d.text).sort(), [1, 2, 3, 4, 5].map((i) => `第${i}条`));
  }, { rateLimit: { limit: 2, windowMs: 300 } }));
});
