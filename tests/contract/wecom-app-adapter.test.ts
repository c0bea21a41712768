import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWecomAppAdapter } from '../../adapters/wecom/index.js';
import { DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, type Channel } from '../../src/domain/channel.js';
import { InvalidSignatureError, PayloadError, PlatformError, ValidationError } from '../../src/domain/errors.js';
import type { ChannelAdapter } from '../../src/ports/channel-adapter.js';
import { buildCallback, eventXml, FakeWecomApi, textXml } from '../fakes/fake-wecom-api.js';

const CREDS = {
  corpId: 'ww1436e0e65a779aee',
  secret: 'app-secret-1',
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
};

function channelWith(config: Record<string, unknown>): Channel {
  return {
    id: 'ch-wecom-1', kind: 'wecom_app', name: 'shop', enabled: true, botEnabled: true,
    config: { agentId: '1000002', ...config },
    model: { name: null, threshold: 0.6, systemPrompt: DEFAULT_SYSTEM_PROMPT },
    handoff: { keywords: [], holdingMessage: DEFAULT_HOLDING_MESSAGE },
    welcomeMessage: null, createdAt: new Date(0), updatedAt: new Date(0),
  };
}

const channel = channelWith(CREDS);
const to = { externalId: 'zhangsan' };
const msg = (text: string, outboxId = 'ob-1') => ({ outboxId, text });

/** A fake WeCom API and an adapter pointed at it, both closed when the test ends. */
async function withFake(fn: (fake: FakeWecomApi, adapter: ChannelAdapter) => Promise<void>, timeoutMs = 2000): Promise<void> {
  const fake = new FakeWecomApi({ apps: [{ corpId: CREDS.corpId, secret: CREDS.secret }] });
  await fake.start();
  try {
    await fn(fake, createWecomAppAdapter({ apiBase: fake.url, maxSkewS: 300, timeoutMs }));
  } finally {
    await fake.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, expected: Partial<PlatformError>): Promise<PlatformError> {
  const err = await promise.then(() => assert.fail('expected a PlatformError'), (e: unknown) => e);
  assert.ok(err instanceof PlatformError, String(err));
  for (const [key, value] of Object.entries(expected)) assert.equal(err[key as keyof PlatformError], value, key);
  return err;
}

describe('send', () => {
  test('concurrent sends share one gettoken (single flight)', () => withFake(async (fake, adapter) => {
    const receipts = await Promise.all([1, 2, 3, 4, 5].map((i) => adapter.send(channel, to, msg(`回复 ${i}`, `ob-${i}`))));
    assert.equal(fake.gettokenCalls, 1);
    assert.equal(fake.sent.length, 5);
    assert.deepEqual(new Set(receipts.map((r) => r.platformMessageId)), new Set(fake.sent.map((m) => m.msgid)));
    assert.deepEqual(fake.sent[0]?.body.agentid, 1000002);
    assert.equal(fake.sent[0]?.body.enable_duplicate_check, 1);
  }));

  test('42001 and 40014 force one token refresh, then succeed', () => withFake(async (fake, adapter) => {
    await adapter.send(channel, to, msg('first'));
    fake.expireTokens();
    await adapter.send(channel, to, msg('after expiry'));
    fake.revokeTokens();
    await adapter.send(channel, to, msg('after revocation'));
    assert.equal(fake.gettokenCalls, 3);
    assert.deepEqual(fake.sent.map((m) => m.content), ['first', 'after expiry', 'after revocation']);
  }));

  test('-1 (system busy), 45009 and HTTP 500 are retryable', () => withFake(async (fake, adapter) => {
    fake.failNextSends(1, { errcode: -1, errmsg: 'system busy' });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true, platformCode: '-1', outcomeUnknown: false });
    fake.failNextSends(1, { errcode: 45009 });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true, platformCode: '45009' });
    fake.failNextSends(1, { httpStatus: 500 });
    await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: true, outcomeUnknown: false });
    assert.equal(fake.sent.length, 0);
  }));

  test('81013 and 60020 are permanent; 60020 names the trusted-IP setting', () => withFake(async (fake, adapter) => {
    fake.failNextSends(1, { errcode: 81013, errmsg: 'user, party, tag all invalid' });
    const invalid = await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: false, platformCode: '81013' });
    assert.match(invalid.message, /81013/);
    fake.failNextSends(1, { errcode: 60020, errmsg: 'not allow to access from your ip' });
    const ip = await rejectsWith(adapter.send(channel, to, msg('x')), { retryable: false, platformCode: '60020' });
    assert.match(ip.message, /企业可信IP/);
  }));

  test('a wrong secret is a permanent error from gettoken', () => withFake(async (_fake, adapter) => {
    const wrong = channelWith({ ...CREDS, secret: 'not-the-secret' });
    await rejectsWith(adapter.send(wrong, to, msg('x')), { retryable: false, platformCode: '40001' });
  }));

  test('a hung response leaves the outcome unknown, and the identical resend is deduplicated', () => withFake(async (fake, adapter) => {
    fake.failNextSends(1, { hang: true });
    await rejectsWith(adapter.send(channel, to, msg('您的订单已发货')), { retryable: true, outcomeUnknown: true });
    assert.equal(fake.sent.length, 1);
    assert.equal(adapter.safeToResend, true);
    const receipt = await adapter.send(channel, to, msg('您的订单已发货'));
    assert.equal(fake.sent.length, 1);
    assert.equal(receipt.platformMessageId, fake.sent[0]?.msgid);
  }, 300));

  test('a slow answer within the timeout is a success', () => withFake(async (fake, adapter) => {
    fake.failNextSends(1, { delayMs: 50 });
    const receipt = await adapter.send(channel, to, msg('slow'));
    assert.equal(receipt.platformMessageId, fake.sent[0]?.msgid);
  }));

  test('long text goes out as several messages in order; the receipt is the last one', () => withFake(async (fake, adapter) => {
    const text = Array.from({ length: 30 }, (_, i) => `第${i + 1}段：${'亲，满299元包邮哦~'.repeat(12)}\n`).join('');
    const receipt = await adapter.send(channel, to, msg(text));
    assert.ok(fake.sent.length >= 3, `${fake.sent.length} parts`);
    assert.equal(fake.sent.map((m) => m.content).join(''), text);
    for (const m of fake.sent) assert.ok(Buffer.byteLength(m.content) <= 2048);
    assert.equal(receipt.platformMessageId, fake.sent.at(-1)?.msgid);
  }));
});

describe('handleWebhook', () => {
  const noSkew = createWecomAppAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 0 });
  const setA = {
    method: 'GET' as const, headers: {}, rawBody: Buffer.alloc(0),
    query: {
      msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb', timestamp: '1476416373', nonce: '47744683',
      echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
    },
  };

  test('URL verification answers the exact Set A plaintext', async () => {
    assert.deepEqual(await noSkew.handleWebhook?.(channel, setA), {
      type: 'handshake', reply: { status: 200, contentType: 'text/plain', body: '1288432023552776189' },
    });
  });

  test('URL verification refuses a stale timestamp and missing parameters', async () => {
    const strict = createWecomAppAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 300 });
    await assert.rejects(async () => strict.handleWebhook?.(channel, setA), InvalidSignatureError);
    const { echostr: _omit, ...noEcho } = setA.query;
    await assert.rejects(async () => noSkew.handleWebhook?.(channel, { ...setA, query: noEcho }), InvalidSignatureError);
  });

  test('the replay window follows the injected clock', async () => {
    const clock = { now: () => new Date((1476416373 + 60) * 1000) };
    const atThatTime = createWecomAppAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 300, clock });
    const outcome = await atThatTime.handleWebhook?.(channel, setA);
    assert.equal(outcome?.type === 'handshake' && outcome.reply.body, '1288432023552776189');
  });

  test('a message callback yields the message and an empty 200', async () => {
    const strict = createWecomAppAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 300 });
    const cb = buildCallback(CREDS, textXml({ corpId: CREDS.corpId, from: 'zhangsan', content: '包税吗', msgId: '4561255354251345929' }));
    const outcome = await strict.handleWebhook?.(channel, cb.request);
    assert.equal(outcome?.type, 'messages');
    assert.deepEqual(outcome?.reply, { status: 200, body: '' });
    const [m] = outcome?.type === 'messages' ? outcome.messages : [];
    assert.deepEqual([m?.platformMessageId, m?.contact.externalId, m?.text], ['4561255354251345929', 'zhangsan', '包税吗']);
  });

  test('a 微信客服 notice is acknowledged with no messages', async () => {
    const xml = eventXml({ corpId: CREDS.corpId, from: 'sys', event: 'kf_msg_or_event', fields: { Token: 'ENCxyz', OpenKfId: 'wk123' } });
    const outcome = await noSkew.handleWebhook?.(channel, buildCallback(CREDS, xml).request);
    assert.deepEqual(outcome, { type: 'messages', messages: [], reply: { status: 200, body: '' } });
  });

  test('bad callbacks: tampered signature 401, DOCTYPE 400, other receiveid 401', async () => {
    const cb = buildCallback(CREDS, textXml({ corpId: CREDS.corpId, from: 'u', content: 'x', msgId: '1' }));
    const tampered = { ...cb.request, query: { ...cb.query, nonce: `${cb.query.nonce}1` } };
    await assert.rejects(async () => noSkew.handleWebhook?.(channel, tampered), InvalidSignatureError);
    const doctype = { ...cb.request, rawBody: Buffer.from(`<!DOCTYPE x>${cb.body}`) };
    await assert.rejects(async () => noSkew.handleWebhook?.(channel, doctype), PayloadError);
    const other = buildCallback({ ...CREDS, corpId: 'wwSomeoneElse' }, textXml({ corpId: 'wwSomeoneElse', from: 'u', content: 'x', msgId: '1' }));
    await assert.rejects(async () => noSkew.handleWebhook?.(channel, other.request), /-40005/);
  });
});

describe('config', () => {
  const adapter = createWecomAppAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 300 });

  test('accepts a numeric-string agentId and declares its secrets', () => {
    assert.deepEqual(adapter.parseConfig({ ...CREDS, agentId: '1000002' }), { ...CREDS, agentId: 1000002 });
    assert.deepEqual([...adapter.secretFields], ['secret', 'token', 'encodingAesKey']);
    assert.equal(adapter.kind, 'wecom_app');
  });

  test('refuses bad values with a readable message that does not echo secrets', () => {
    const bad = { ...CREDS, agentId: 0, token: 'has spaces!', encodingAesKey: 'tooShortSecretValue' };
    assert.throws(() => adapter.parseConfig(bad), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, /agentId/);
      assert.match(err.message, /token/);
      assert.match(err.message, /encodingAesKey must be exactly 43/);
      assert.doesNotMatch(err.message, /tooShortSecretValue|has spaces/);
      return true;
    });
    assert.throws(() => adapter.parseConfig({ ...CREDS, corpId: undefined }), ValidationError);
  });
});
