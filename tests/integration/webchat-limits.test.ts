import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createStorage, mode, startTestService, type Storage, type TestService } from '../support/harness.js';

const newVisitorId = () => `v${randomBytes(12).toString('hex')}`;

interface Answer {
  status: number;
  retryAfter: number;
  code: string | null;
}

function chat(svc: TestService, channelId: string) {
  return {
    async post(visitorId: string, text: string, headers: Record<string, string> = {}): Promise<Answer> {
      const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ visitorId, text, clientMessageId: randomBytes(8).toString('hex') }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0), code: body.error?.code ?? null };
    },
    async storedFrom(visitorId: string): Promise<number> {
      const res = await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitorId}`);
      const body = (await res.json()) as { items: { from: string }[] };
      return body.items.filter((m) => m.from === 'visitor').length;
    },
    async conversations(): Promise<number> {
      const res = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=500`);
      assert.equal(res.status, 200);
      return res.body.items.length;
    },
  };
}

/** Refused answers are 429 WEBCHAT.RATE_LIMITED with a Retry-After; nothing else is allowed. */
function tally(answers: Answer[]): { accepted: number; refused: number } {
  for (const a of answers.filter((x) => x.status !== 202)) {
    assert.equal(a.status, 429);
    assert.equal(a.code, 'WEBCHAT.RATE_LIMITED');
    assert.ok(a.retryAfter >= 1, `Retry-After ${a.retryAfter}`);
  }
  const accepted = answers.filter((a) => a.status === 202).length;
  return { accepted, refused: answers.length - accepted };
}

async function startWithChannel(overrides: Record<string, string>) {
  const storage = await createStorage();
  const svc = await startTestService(storage, overrides);
  const newChannel = async () => {
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: '官网客服', config: {} });
    assert.equal(created.status, 201);
    return chat(svc, created.body.id as string);
  };
  return { storage, svc, newChannel };
}

/** Issue 11 item 6: one visitor posted 300 messages in 1.6 s; 200 made-up visitors made 200 conversations. */
describe(`web chat rate limits, TRUST_PROXY off (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let newChannel: () => Promise<ReturnType<typeof chat>>;
  before(async () => ({ storage, svc, newChannel } = await startWithChannel({})));
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('300 messages from one visitor: most get 429 with Retry-After, and only the accepted ones are stored', async () => {
    const channel = await newChannel();
    const visitor = newVisitorId();
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => channel.post(visitor, `第${i}条`)));
    const { accepted, refused } = tally(answers);
    assert.ok(accepted >= 1 && refused >= 250, `accepted ${accepted}, refused ${refused}`);
    assert.equal(await channel.storedFrom(visitor), accepted);
    assert.equal((await channel.post(newVisitorId(), '在吗')).status, 202, 'another visitor is not held back by this one');
  });

  test('200 new visitors from one address, each claiming another X-Forwarded-For: refused past the limit', async () => {
    const channel = await newChannel();
    const before = await channel.conversations();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => channel.post(newVisitorId(), '你好', { 'x-forwarded-for': `198.51.100.${i}` })));
    const { accepted, refused } = tally(answers);
    assert.ok(accepted >= 1 && accepted <= 25 && refused >= 175, `accepted ${accepted}, refused ${refused}`);
    assert.equal((await channel.conversations()) - before, accepted, 'a refused visitor got no conversation');
  });

  test('the demo page names the address it was opened at, not the one X-Forwarded-Host claims', async () => {
    const channel = await svc.api('POST', '/api/channels', { kind: 'webchat', name: 'demo', config: {} });
    const page = await fetch(`${svc.url}/demo/${channel.body.id}`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    const html = await page.text();
    assert.ok(html.includes(`src="${svc.url}/widget.js"`), 'the real origin');
    assert.ok(!html.includes('evil.example'));
  });
});

describe(`web chat rate limits, TRUST_PROXY on (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let newChannel: () => Promise<ReturnType<typeof chat>>;
  before(async () => ({ storage, svc, newChannel } = await startWithChannel({ TRUST_PROXY: 'true' })));
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('200 new visitors behind one proxied address: refused past the limit; another address still gets in', async () => {
    const channel = await newChannel();
    const proxied = { 'x-forwarded-for': '203.0.113.50' };
    const answers = await Promise.all(Array.from({ length: 200 }, () => channel.post(newVisitorId(), '你好', proxied)));
    const { accepted, refused } = tally(answers);
    assert.ok(accepted >= 1 && accepted <= 25 && refused >= 175, `accepted ${accepted}, refused ${refused}`);
    assert.equal(await channel.conversations(), accepted);
    assert.equal((await channel.post(newVisitorId(), '你好', { 'x-forwarded-for': '203.0.113.51' })).status, 202);
  });

  test('the demo page names the public origin the proxy reports', async () => {
    const channel = await svc.api('POST', '/api/channels', { kind: 'webchat', name: 'demo', config: {} });
    const page = await fetch(`${svc.url}/demo/${channel.body.id}`, { headers: { 'x-forwarded-host': 'shop.example.com', 'x-forwarded-proto': 'https' } });
    assert.ok((await page.text()).includes('src="https://shop.example.com/widget.js"'));
  });
});
