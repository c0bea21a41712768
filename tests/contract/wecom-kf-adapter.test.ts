import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWecomKfAdapter } from '../../adapters/wecom/index.js';
import { InvalidSignatureError, ValidationError } from '../../src/domain/errors.js';
import { buildCallback, buildUrlVerification, eventXml } from '../fakes/fake-wecom-api.js';
import { CREDS, KF, kfChannel, rejectsWith, USER, withKf } from './wecom-kf-setup.js';

const channel = kfChannel();
const EMPTY_ACK = { status: 200, body: '' };

describe('webhook (§4.1)', () => {
  test('a kf_msg_or_event notice becomes a pull of its account, with its Token, acked with an empty 200', () => withKf(async ({ fake, adapter }) => {
    const notice = fake.notify(KF);
    const outcome = await adapter.handleWebhook?.(channel, notice.request);
    assert.deepEqual(outcome, { type: 'pull', source: KF, token: notice.token, reply: EMPTY_ACK });
  }));

  test('notices for accounts outside openKfIds, and other app events, are acked and store nothing', () => withKf(async ({ fake, adapter }) => {
    const only = kfChannel({ openKfIds: ['wkOTHER'] });
    assert.deepEqual(await adapter.handleWebhook?.(only, fake.notify(KF).request), { type: 'messages', messages: [], reply: EMPTY_ACK });
    const appEvent = buildCallback(CREDS, eventXml({ corpId: CREDS.corpId, from: 'zhangsan', event: 'enter_agent' }));
    assert.deepEqual(await adapter.handleWebhook?.(channel, appEvent.request), { type: 'messages', messages: [], reply: EMPTY_ACK });
  }));

  test('URL verification answers the plaintext; a bad signature is refused before decrypting', () => withKf(async ({ fake, adapter }) => {
    const check = buildUrlVerification(CREDS, '1616140317555161061');
    assert.deepEqual(await adapter.handleWebhook?.(channel, check.request), {
      type: 'handshake', reply: { status: 200, contentType: 'text/plain', body: '1616140317555161061' },
    });
    const forged = fake.notify(KF).request;
    forged.query = { ...forged.query, msg_signature: '0'.repeat(40) };
    assert.throws(() => adapter.handleWebhook?.(channel, forged), InvalidSignatureError);
  }));
});

describe('pull (§4.2 sync_msg)', () => {
  test('pages through the log with next_cursor and has_more, sending the Token, limit and account', () => withKf(async ({ fake, adapter, base }) => {
    for (let i = 1; i <= 5; i += 1) fake.customerText(base({ msgid: `m${i}` }), `问题 ${i}`);
    const token = fake.notify(KF).token;
    const seen: string[] = [];
    let cursor: string | null = null;
    const hasMore: boolean[] = [];
    for (let call = 0; call < 5; call += 1) {
      const page = await adapter.pull!(channel, { source: KF, cursor, token });
      seen.push(...page.messages.map((m) => m.platformMessageId));
      hasMore.push(page.hasMore);
      assert.ok(page.nextCursor !== null);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    assert.deepEqual(seen, ['m1', 'm2', 'm3', 'm4', 'm5']);
    assert.deepEqual(hasMore, [true, true, false]);
    assert.deepEqual(fake.syncRequests[0], { token, limit: 1000, voice_format: 0, open_kfid: KF });
    assert.equal(fake.syncRequests[1]?.token, token);
    assert.equal(typeof fake.syncRequests[1]?.cursor, 'string');
    const again = await adapter.pull!(channel, { source: KF, cursor, token: null });
    assert.deepEqual([again.messages, again.hasMore, again.nextCursor], [[], false, cursor]);
    assert.equal('token' in (fake.syncRequests[3] ?? {}), false);
  }, { pageSize: 2 }));

  test('an empty page with has_more 1 is returned as is, and the next pull goes on', () => withKf(async ({ fake, adapter, base }) => {
    fake.customerText(base({ msgid: 'after-gap' }), '在吗');
    fake.injectEmptyPage(KF);
    const empty = await adapter.pull!(channel, { source: KF, cursor: null, token: null });
    assert.deepEqual([empty.messages, empty.hasMore], [[], true]);
    const next = await adapter.pull!(channel, { source: KF, cursor: empty.nextCursor, token: null });
    assert.deepEqual(next.messages.map((m) => m.platformMessageId), ['after-gap']);
    assert.equal(next.hasMore, false);
  }));

  test('maps customer, servicer and event items from the wire', () => withKf(async ({ fake, adapter, base }) => {
    fake.enterSession(base({ msgid: 'e1' }), 'WELCOME-1');
    fake.customerImage(base({ msgid: 'i1' }), 'MEDIA-1');
    fake.servicerText(base({ msgid: 's1' }), 'zhangsan', '亲，已发货');
    fake.sessionChange(base({ msgid: 'c1' }), 1, 'zhangsan');
    fake.userRecall(base({ msgid: 'r1' }), 'i1');
    const page = await adapter.pull!(channel, { source: KF, cursor: null, token: null });
    assert.deepEqual(page.messages.map((m) => [m.platformMessageId, m.kind, m.event ?? m.sender ?? null]), [
      ['e1', 'event', 'enter'], ['i1', 'image', null], ['s1', 'text', 'agent'], ['c1', 'event', 'human_took_over'], ['r1', 'event', 'recalled'],
    ]);
    assert.equal(page.messages[0]?.replyCode, 'WELCOME-1');
    assert.deepEqual(page.messages[1]?.contact, { externalId: USER });
    assert.deepEqual(page.messages[1]?.address, { openKfId: KF });
  }));

  test('a Token past its 10 minutes is dropped and the pull retried without it', () => withKf(async ({ fake, adapter, base, clock }) => {
    fake.customerText(base({ msgid: 'late' }), '还在吗');
    const token = fake.notify(KF).token;
    clock.ms += 10 * 60 * 1000 + 1;
    const page = await adapter.pull!(channel, { source: KF, cursor: null, token });
    assert.deepEqual(page.messages.map((m) => m.platformMessageId), ['late']);
    assert.deepEqual(fake.syncRequests.map((r) => r.token ?? null), [token, null]);
  }));

  test('the fake counts overlapping sync_msg calls per account (for single-flight tests)', () => withKf(async ({ fake, adapter }) => {
    fake.syncDelayMs = 200;
    await Promise.all([1, 2].map(() => adapter.pull!(channel, { source: KF, cursor: null, token: null })));
    assert.equal(fake.maxConcurrentSync(KF), 2);
    assert.equal(fake.maxConcurrentSync('wkNONE'), 0);
  }));
});

describe('fetchMedia (§4.2 media/get)', () => {
  test('returns the bytes and content type; an unknown media id is a permanent error', () => withKf(async ({ fake, adapter }) => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]);
    fake.addMedia('MEDIA-1', jpeg, 'image/jpeg');
    assert.deepEqual(await adapter.fetchMedia!(channel, 'MEDIA-1'), { contentType: 'image/jpeg', body: jpeg });
    await rejectsWith(adapter.fetchMedia!(channel, 'MEDIA-404'), { retryable: false, platformCode: '40007' });
  }));
});

describe('config and declarations', () => {
  const adapter = createWecomKfAdapter({ apiBase: 'http://127.0.0.1:9', maxSkewS: 300 });
  test('declares kind, secrets, safe resends and the 48 h / 5-message window', () => {
    assert.equal(adapter.kind, 'wecom_kf');
    assert.deepEqual([...adapter.secretFields], ['secret', 'token', 'encodingAesKey']);
    assert.equal(adapter.safeToResend, true);
    assert.deepEqual(adapter.replyWindow, { hours: 48, maxMessages: 5 });
  });
  test('handoffMode defaults to console; lists are kept', () => {
    assert.deepEqual(adapter.parseConfig(CREDS), { ...CREDS, handoffMode: 'console' });
    const full = { ...CREDS, openKfIds: [KF], handoffMode: 'wecom', servicerUserIds: ['zhangsan'] };
    assert.deepEqual(adapter.parseConfig(full), full);
  });
  test('bad values are a ValidationError naming the fields, never echoing secrets', () => {
    const bad = { ...CREDS, token: 'has spaces!', handoffMode: 'pool', openKfIds: [], secret: '' };
    assert.throws(() => adapter.parseConfig(bad), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      for (const field of ['token', 'handoffMode', 'openKfIds', 'secret']) assert.match(err.message, new RegExp(field));
      assert.doesNotMatch(err.message, /has spaces/);
      return true;
    });
  });
});
