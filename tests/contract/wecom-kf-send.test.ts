import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kfMsgid } from '../../adapters/wecom/index.js';
import { KF, kfChannel, rejectsWith, to, USER, withKf } from './wecom-kf-setup.js';

const channel = kfChannel();
const msg = (outboxId: string, text = '亲，有现货哦~') => ({ outboxId, text });

describe('send (§4.3 send_msg)', () => {
  test('sends text with a msgid derived from the outbox id; the receipt is that msgid', () => withKf(async ({ fake, adapter, base }) => {
    fake.customerText(base(), '有现货吗');
    const receipt = await adapter.send(channel, to, msg('42'));
    assert.deepEqual(receipt, { platformMessageId: 'kb-42' });
    assert.deepEqual(fake.sent, [{ path: '/cgi-bin/kf/send_msg', msgid: 'kb-42', content: '亲，有现货哦~', touser: USER, openKfId: KF }]);
  }));

  test('a resend with the same outbox id succeeds without a second delivery', () => withKf(async ({ fake, adapter, base }) => {
    fake.customerText(base(), '有现货吗');
    await adapter.send(channel, to, msg('43'));
    assert.deepEqual(await adapter.send(channel, to, msg('43')), { platformMessageId: 'kb-43' });
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sendAttempts.length, 2);
  }));

  test('long text goes out in parts with -<n> msgids of at most 32 chars, in order; a resend adds nothing', () => withKf(async ({ fake, adapter, base }) => {
    fake.customerText(base(), '详细说说');
    const text = `${'满299元包邮哦~'.repeat(150)}\n${'退换货七天无理由。'.repeat(100)}`;
    const outboxId = '1234567890123456789';
    await adapter.send(channel, to, msg(outboxId, text));
    await adapter.send(channel, to, msg(outboxId, text));
    const ids = fake.sent.map((s) => s.msgid);
    assert.ok(ids.length >= 3, `${ids.length} parts`);
    assert.deepEqual(ids.slice(0, 3), [`kb-${outboxId}`, `kb-${outboxId}-2`, `kb-${outboxId}-3`]);
    assert.equal(fake.sent.map((s) => s.content).join(''), text);
    for (const id of ids) assert.match(id, /^[0-9a-zA-Z_-]{1,32}$/);
  }));

  test('outbox ids that do not fit get a digest msgid, still unique and ≤ 32 chars', () => {
    const a = kfMsgid('0f8fad5b-d9cb-469f-a165-70867728950e');
    const b = kfMsgid('0f8fad5b-d9cb-469f-a165-70867728950f');
    assert.notEqual(a, b);
    for (const id of [a, b, kfMsgid('ob:1', 2), kfMsgid('x'.repeat(22), 99)]) assert.match(id, /^[0-9a-zA-Z_-]{1,32}$/);
    assert.equal(kfMsgid('x'.repeat(22), 99), `kb-${'x'.repeat(22)}-99`);
  });

  test('a human holding the session (3) or the queue (2) needs a human, without calling send_msg', () => withKf(async ({ fake, adapter, base }) => {
    fake.customerText(base(), '人工');
    for (const state of [3, 2]) {
      fake.sessions.set(KF, USER, state, 'zhangsan');
      await rejectsWith(adapter.send(channel, to, msg(`s${state}`)), { retryable: false, needsHuman: true, outcomeUnknown: false });
    }
    assert.equal(fake.sendAttempts.length, 0);
  }));

  test('95001 (5 messages per customer message) and 95002 (48 h) need a human', () => withKf(async ({ fake, adapter, base, clock }) => {
    fake.customerText(base(), '在吗');
    for (let i = 1; i <= 5; i += 1) await adapter.send(channel, to, msg(`w${i}`));
    const limit = await rejectsWith(adapter.send(channel, to, msg('w6')), { retryable: false, needsHuman: true, platformCode: '95001' });
    assert.match(limit.message, /5-message limit/);
    clock.ms += 49 * 3600 * 1000; // the customer's last message is now 49 h old
    const late = await rejectsWith(adapter.send(channel, to, msg('late')), { needsHuman: true, platformCode: '95002' });
    assert.match(late.message, /48-hour/);
    assert.equal(fake.sent.length, 5);
  }));

  test('a contact without an openKfId address is a permanent error, before any call', () => withKf(async ({ fake, adapter }) => {
    await rejectsWith(adapter.send(channel, { externalId: USER }, msg('1')), { retryable: false, needsHuman: false });
    assert.equal(fake.gettokenCalls, 0);
  }));
});

describe('welcome (§4.5 send_msg_on_event)', () => {
  test('a replyCode answers the event once; the code cannot be reused, a resend is not delivered twice', () => withKf(async ({ fake, adapter, base }) => {
    fake.enterSession(base(), 'WELCOME-1');
    const receipt = await adapter.send(channel, to, { outboxId: '7', text: '欢迎光临~', replyCode: 'WELCOME-1' });
    assert.deepEqual(receipt, { platformMessageId: 'kb-7' });
    assert.deepEqual(fake.sent, [{ path: '/cgi-bin/kf/send_msg_on_event', msgid: 'kb-7', content: '欢迎光临~', code: 'WELCOME-1' }]);
    await adapter.send(channel, to, { outboxId: '7', text: '欢迎光临~', replyCode: 'WELCOME-1' });
    await rejectsWith(adapter.send(channel, to, { outboxId: '8', text: '欢迎', replyCode: 'WELCOME-1' }), { retryable: false, needsHuman: false });
    assert.equal(fake.sent.length, 1);
  }));
});

describe('handoff (§4.4 service_state)', () => {
  test("'console' mode: transfer and end are no-ops, no WeCom call", () => withKf(async ({ fake, adapter }) => {
    await adapter.transferToHuman!(channel, to);
    await adapter.endSession!(channel, to);
    assert.equal(fake.gettokenCalls, 0);
    assert.equal(fake.sessions.state(KF, USER), 1);
  }));

  test("'wecom' mode: to the 接待池 (2) without servicers, to the first servicer (3) with them, once", () => withKf(async ({ fake, adapter }) => {
    await adapter.transferToHuman!(kfChannel({ handoffMode: 'wecom' }), to);
    const other = { externalId: 'wmOTHER', address: { openKfId: KF } };
    const withServicers = kfChannel({ handoffMode: 'wecom', servicerUserIds: ['zhangsan', 'lisi'] });
    await adapter.transferToHuman!(withServicers, other);
    await adapter.transferToHuman!(withServicers, other); // a retried handoff: already with a human
    assert.deepEqual(fake.sessions.transCalls, [
      { openKfId: KF, externalUserId: USER, serviceState: 2 },
      { openKfId: KF, externalUserId: 'wmOTHER', serviceState: 3, servicerUserId: 'zhangsan' },
    ]);
  }));

  test("'wecom' mode: endSession ends a human-held session (4), so the next customer message lets the bot answer", () => withKf(async ({ fake, adapter, base }) => {
    const wecom = kfChannel({ handoffMode: 'wecom', servicerUserIds: ['zhangsan'] });
    await adapter.endSession!(wecom, to); // state 1: nothing to end
    await adapter.transferToHuman!(wecom, to);
    await adapter.endSession!(wecom, to);
    assert.deepEqual(fake.sessions.transCalls.map((c) => c.serviceState), [3, 4]);
    fake.customerText(base(), '还有个问题');
    assert.equal(fake.sessions.state(KF, USER), 0);
    await adapter.send(channel, to, msg('after-end'));
    assert.equal(fake.sent.length, 1);
  }));
});
