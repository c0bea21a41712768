import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { textXml } from '../fakes/fake-wecom-api.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, EveryChannel, type Answer } from '../support/every-channel.js';
import { ADMIN_TOKEN, mode, postLogin } from '../support/harness.js';
import { FUZZ_SEED, hostileId, hostileJsonValue, hostileNumber, hostileString } from '../support/hostile-input.js';

/**
 * Issue 11, DESIGN.md §7: a property-based test per parser that takes pushed input. Whatever
 * arrives (signed with the channel's real keys, so it reaches the parser), the answer is 2xx or
 * 4xx, never 5xx, and the channel still takes the next valid message. Fixed seed, bounded runs.
 */
describe(`fuzzed input never answers 5xx and never stalls a channel (${mode})`, () => {
  const target = new EveryChannel();
  const RUNS = 40;
  const options = { seed: FUZZ_SEED, numRuns: RUNS };

  before(async () => {
    await target.start();
  });
  after(async () => {
    await target.close();
  });

  const notServerError = (what: string, res: Answer) => assert.ok(res.status >= 200 && res.status < 500, `${what}: ${res.status}`);
  /** Either a value or the field left out, so missing fields are fuzzed too. */
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
  /** Any text, or a JSON object built from hostile fields (a shape the parser half-expects). */
  const bodyOf = (fields: fc.Arbitrary<Record<string, unknown>>) => fc.oneof({ arbitrary: hostileString(300), weight: 1 }, { arbitrary: fields.map((f) => JSON.stringify(f)), weight: 3 });

  test('WeCom app XML callback', async () => {
    const field = (name: string, value: string, raw: boolean) => (raw ? `<${name}>${value}</${name}>` : `<${name}><![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${name}>`);
    // Mostly well-formed around the hostile parts, so most reach the store: a text with a NUL in it.
    const xml = fc.record({
      from: hostileId, content: hostileString(), msgId: fc.oneof({ arbitrary: hostileId, weight: 1 }, { arbitrary: fc.bigInt({ min: 0n, max: 10n ** 21n }).map(String), weight: 4 }),
      createTime: fc.oneof({ arbitrary: hostileString(14), weight: 1 }, { arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map(String), weight: 4 }),
      msgType: fc.constantFrom('text', 'text', 'text', 'event', 'image', 'location', 'bogus', ''), event: hostileString(12), raw: fc.boolean(),
    }).map((m) => `<xml>${field('ToUserName', target.wecomApp.corpId, false)}${field('FromUserName', m.from, m.raw)}${field('CreateTime', m.createTime, true)}`
      + `${field('MsgType', m.msgType, false)}${field('Content', m.content, m.raw)}${field('Event', m.event, m.raw)}${field('MsgId', m.msgId, true)}</xml>`);
    await fc.assert(fc.asyncProperty(fc.oneof({ arbitrary: hostileString(300), weight: 1 }, { arbitrary: xml, weight: 3 }), async (inner) => {
      notServerError('fuzzed', await target.postWecomXml(inner));
      const steady = textXml({ corpId: target.wecomApp.corpId, from: 'steady-wecom', content: '包邮吗', msgId: String(target.next()) });
      assert.equal((await target.postWecomXml(steady)).status, 200);
    }), options);
  });

  test('智能机器人 JSON callback', async () => {
    const callback = fc.record({
      msgid: maybe(hostileId), aibotid: maybe(hostileString(10)), chattype: maybe(fc.constantFrom('single', 'group', 'x')), chatid: maybe(hostileId),
      from: maybe(fc.record({ userid: hostileId })), create_time: maybe(hostileNumber),
      msgtype: fc.constantFrom('text', 'mixed', 'voice', 'image', 'file', 'event', 'stream', 'bogus'),
      text: maybe(fc.record({ content: hostileJsonValue })), voice: maybe(fc.record({ content: hostileString() })), image: maybe(fc.record({ url: hostileString() })),
      mixed: maybe(fc.record({ msg_item: fc.array(fc.record({ msgtype: fc.constantFrom('text', 'image'), text: fc.record({ content: hostileString() }), image: fc.record({ url: hostileString() }) }), { maxLength: 3 }) })),
      stream: maybe(fc.record({ id: hostileString(16) })), event: maybe(fc.record({ eventtype: hostileString(12) })),
    });
    await fc.assert(fc.asyncProperty(bodyOf(callback), async (plain) => {
      notServerError('fuzzed', await target.postBotPlain(plain));
      const steady = await target.bot.say('steady-bot', target.newBotMsgid(), '在吗');
      assert.equal(steady.msgtype, 'stream');
    }), options);
  });

  /** A robot message with hostile fields over a valid one; the sessionWebhook always points at the fakes. */
  const robotPayload = fc.record({
    msgId: maybe(hostileId), senderStaffId: maybe(hostileId), senderNick: maybe(hostileString()), conversationId: maybe(hostileId),
    conversationType: maybe(fc.constantFrom('1', '2', 1, '')), text: maybe(fc.record({ content: hostileJsonValue })),
    msgtype: maybe(fc.constantFrom('text', 'richText', 'picture', 'audio', 'bogus')), createAt: maybe(hostileNumber),
    content: maybe(fc.record({ recognition: hostileString(), downloadCode: hostileString(), richText: fc.array(fc.record({ text: hostileString(), type: fc.constantFrom('text', 'picture') }), { maxLength: 3 }) })),
    isInAtList: maybe(fc.boolean()), conversationTitle: maybe(hostileString()),
  }).map((fields) => {
    const payload: Record<string, unknown> = target.robotPayload('fuzz', '你好');
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) payload[key] = value;
    return payload;
  });

  test('DingTalk HTTP callback', async () => {
    await fc.assert(fc.asyncProperty(bodyOf(robotPayload), async (body) => {
      notServerError('fuzzed', await target.postDingtalk(body));
      assert.equal((await target.postDingtalk(JSON.stringify(target.robotPayload('steady-dt', '有现货吗')))).status, 200);
    }), options);
  });

  test('DingTalk Stream frame: every frame is acked (stored or dropped), none left to redeliver for ever', async () => {
    const gateway = target.dingtalk.gateway;
    await fc.assert(fc.asyncProperty(fc.oneof(robotPayload, hostileJsonValue), async (payload) => {
      assert.equal((await gateway.deliverRobotMessage(payload, { timeoutMs: 5000 }))?.code, 200, 'fuzzed frame acked');
      assert.equal((await gateway.deliverRobotMessage(target.robotPayload('steady-stream', '发不发欧洲'), { timeoutMs: 5000 }))?.code, 200);
    }), { ...options, numRuns: 25 });
  });

  test('web chat message JSON', async () => {
    const message = fc.record({
      visitorId: fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: hostileId, weight: 1 }, { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/), weight: 4 }),
      text: maybe(hostileJsonValue), clientMessageId: maybe(fc.oneof(hostileString(12), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/))),
    });
    await fc.assert(fc.asyncProperty(bodyOf(message), async (body) => {
      notServerError('fuzzed', await target.postWebchat(body));
      assert.equal((await target.postWebchat(JSON.stringify({ visitorId: target.newVisitorId(), text: '在吗' }))).status, 202);
    }), options);
  });

  test('knowledge import NDJSON: any lines in, the good ones always kept', async () => {
    const entry = fc.record({ instruction: hostileJsonValue, input: maybe(hostileJsonValue), output: hostileJsonValue }).map((e) => JSON.stringify(e));
    const lines = fc.array(fc.oneof(hostileString(80), entry), { maxLength: 8 });
    await fc.assert(fc.asyncProperty(lines, async (fuzzed) => {
      const sentinel = `fuzz-sentinel-${target.next()}`;
      const body = [...fuzzed, JSON.stringify({ instruction: sentinel, output: '好的' })].join('\n');
      const res = await fetch(`${target.svc.url}/api/knowledge/import`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' }, body });
      assert.equal(res.status, 200, await res.text());
      const found = await target.svc.api('GET', `/api/knowledge?q=${sentinel}`);
      assert.equal(found.body.items.length, 1, `the good line after ${JSON.stringify(fuzzed).slice(0, 200)}`);
    }), { ...options, numRuns: 25 });
  });

  test('login JSON: any body is a 400 or a 401, and the admin still signs in', async () => {
    const credentials = fc.record({ email: maybe(fc.oneof(hostileJsonValue, hostileString(12).map((s) => `${s}@hostile.test`))), password: maybe(hostileJsonValue) });
    await fc.assert(fc.asyncProperty(bodyOf(credentials), async (body) => {
      const res = await fetch(`${target.svc.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...target.freshAddress() }, body });
      assert.ok([400, 401].includes(res.status), `fuzzed login: ${res.status}`);
    }), { ...options, numRuns: 25 });
    assert.equal((await postLogin(target.svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, target.freshAddress())).status, 200);
  });
});
