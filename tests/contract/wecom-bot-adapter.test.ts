/**
 * The 智能机器人 adapter against protocols/wecom.md §2.5's derived vectors (receiveid "", Set A
 * credentials) and the JSON reply envelope of §1.4. No official AI-bot vector exists (§2.3).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWecomBotAdapter, streamIdOf } from '../../adapters/wecom/index.js';
import { decryptStrict, encrypt, sign } from '../../adapters/wecom/crypto.js';
import { DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, type Channel } from '../../src/domain/channel.js';
import { InvalidSignatureError, PayloadError, ValidationError } from '../../src/domain/errors.js';
import type { WebhookOutcome, WebhookReply, WebhookRequest } from '../../src/ports/channel-adapter.js';

const KEYS = { token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt' };
const AT = { timestamp: '1700000000', nonce: '123456' };
const MSGID = 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=';

function channelWith(config: Record<string, unknown>, welcomeMessage: string | null = null): Channel {
  return {
    id: 'ch-bot-1', kind: 'wecom_bot', name: 'bot', enabled: true, botEnabled: true, config,
    model: { name: null, threshold: 0.6, systemPrompt: DEFAULT_SYSTEM_PROMPT },
    handoff: { keywords: [], holdingMessage: DEFAULT_HOLDING_MESSAGE },
    welcomeMessage, createdAt: new Date(0), updatedAt: new Date(0),
  };
}

const channel = channelWith(KEYS);
const adapter = createWecomBotAdapter({ maxSkewS: 300, clock: { now: () => new Date(1_700_000_030_000) } });

/** A POST as WeCom sends it: the plaintext encrypted with receiveid "" and signed. */
function post(plain: object | string, opts: { receiveId?: string; signature?: string; body?: string } = {}) {
  const encrypted = encrypt(KEYS.encodingAesKey, typeof plain === 'string' ? plain : JSON.stringify(plain), opts.receiveId ?? '');
  const signature = opts.signature ?? sign(KEYS.token, AT.timestamp, AT.nonce, encrypted);
  return { method: 'POST' as const, query: { msg_signature: signature, ...AT }, headers: {}, rawBody: Buffer.from(opts.body ?? JSON.stringify({ encrypt: encrypted })) };
}

const handle = (request: WebhookRequest, ch = channel) => adapter.handleWebhook!(ch, request) as WebhookOutcome;

/** Opens a reply envelope the way WeCom would: signature first, then receiveid "". */
function open(reply: WebhookReply): unknown {
  assert.equal(reply.status, 200);
  const envelope = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(envelope).sort(), ['encrypt', 'msgsignature', 'nonce', 'timestamp']);
  for (const v of Object.values(envelope)) assert.equal(typeof v, 'string', 'every value is a string (§1.4)');
  const { encrypt: e, msgsignature, timestamp, nonce } = envelope as Record<string, string>;
  assert.equal(msgsignature, sign(KEYS.token, timestamp, nonce, e));
  const { message, receiveId } = decryptStrict(KEYS.encodingAesKey, e);
  assert.equal(receiveId, '');
  return JSON.parse(message);
}

const textMessage = { msgid: MSGID, aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'USERID' }, response_url: 'RESPONSEURL', msgtype: 'text', text: { content: 'hello robot' } };

describe('wecom_bot adapter (智能机器人, callback mode)', () => {
  test('§2.5 URL verification vector answers the exact plaintext', () => {
    const echostr = 'QN2oladIJ4D7+XmmlY2y73Hx74BWIT4UtisBxxE6cE76OaHqP/rGRFyad3iMZfd9CAhCWo2b0w9uLc/azDl4cA==';
    const outcome = handle({ method: 'GET', query: { msg_signature: '0ce62c21fca371b88a24676b9c84b3bb7ceda9c3', ...AT, echostr }, headers: {}, rawBody: Buffer.alloc(0) });
    assert.deepEqual(outcome, { type: 'handshake', reply: { status: 200, contentType: 'text/plain', body: '1288432023552776189' } });
  });

  test('§2.5 inbound vector: the message, answered with an open stream named after its msgid', () => {
    const encrypted = 'QN2oladIJ4D7+XmmlY2y7xWD9N5M7d1QdTPkkI6Gg/+TnciaMpx4/nkCroBdFWXGD2v2vGxo+6PBlAFcx3poo2a6T0WulM0arvLJaXglCwDYxnkpkeFTwILnUUB5TUbnyFxGnHTKL8tSpf3WQjSQYRtsPKoIXG8zzSAByLecQtIN5BRpXd8tEBFEVbT2aUQ/PAAUJ53BQnYsmK93AmgbPVoYy7EM68dKB52eA3cauj5TwE9LNP27gMFskoJ+yUh1TJBtVJVouZRxOxKDiiIxZPiGxR7jEQAh7ZWF00F75nA=';
    const outcome = handle({ method: 'POST', query: { msg_signature: '8a8d74fb7f12613c0675a6beed43ef9d3c64fadd', ...AT }, headers: {}, rawBody: Buffer.from(JSON.stringify({ encrypt: encrypted })) });
    assert.equal(outcome.type, 'messages');
    if (outcome.type !== 'messages') return;
    assert.deepEqual(outcome.messages, [{ platformMessageId: MSGID, contact: { externalId: 'USERID' }, sentAt: new Date(1_700_000_030_000), kind: 'text', text: 'hello robot' }]);
    assert.deepEqual(open(outcome.reply), { msgtype: 'stream', stream: { id: streamIdOf(MSGID), finish: false, content: '' } });
  });

  test('§2.5 stream reply vector: our encryption of a stream reply matches it byte for byte', () => {
    const plain = '{"msgtype":"stream","stream":{"id":"STREAMID","finish":false,"content":"hi"}}';
    const e = encrypt(KEYS.encodingAesKey, plain, '', 'aaaaaaaaaaaaaaaa');
    assert.equal(e, 'QN2oladIJ4D7+XmmlY2y7/qkRD+QW12IwkT0mm1GJtbjVYsfVKfexNOu0W11/CAdJJ9YpH4uZRlcFXRoDprjMyC3P42vM1pN9GbwWhROLMf8AtCIi0cbppvOg1vGOkc+WBWTCmMVzmA6oWgbmIAI5Wmg3POiar9D/eVjYmHNvhA=');
    assert.equal(sign(KEYS.token, AT.timestamp, AT.nonce, e), 'e0097fa775a8cd71be391a9448ba47c5721104aa');
  });

  test('a stream refresh is a poll for the message its id names; the answer carries every text and the finish flag', () => {
    const outcome = handle(post({ msgid: 'refresh-1', aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'USERID' }, msgtype: 'stream', stream: { id: streamIdOf(MSGID) } }));
    assert.equal(outcome.type, 'poll');
    if (outcome.type !== 'poll') return;
    assert.equal(outcome.ref, MSGID);
    assert.deepEqual(open(outcome.answer({ texts: ['正在为您转接人工客服', '您好，我是小王'], final: true })),
      { msgtype: 'stream', stream: { id: streamIdOf(MSGID), finish: true, content: '正在为您转接人工客服\n\n您好，我是小王' } });
    assert.deepEqual(open(outcome.answer({ texts: [], final: false })), { msgtype: 'stream', stream: { id: streamIdOf(MSGID), finish: false, content: '' } });
  });

  test('a refresh for a stream id we could not have made is a 400', () => {
    // Not base64url; padded; bytes that are not UTF-8 (so no msgid encodes to it).
    for (const id of ['not base64url!', 'QQ==', '_w']) {
      assert.throws(() => handle(post({ msgid: 'r', aibotid: 'A', msgtype: 'stream', stream: { id } })), PayloadError, id);
    }
  });

  test('in a group the @-mention is not part of the question; the group is kept for agents', () => {
    const outcome = handle(post({ ...textMessage, chattype: 'group', chatid: 'CHATID', text: { content: '@RobotA 包邮吗' } }));
    assert.equal(outcome.type === 'messages' && outcome.messages[0]?.text, '包邮吗');
    assert.deepEqual(outcome.type === 'messages' && outcome.messages[0]?.attachment, { chatId: 'CHATID' });
  });

  test('图文混排: the text parts are the question, image URLs are kept', () => {
    const mixed = { msg_item: [{ msgtype: 'text', text: { content: '这个' } }, { msgtype: 'image', image: { url: 'https://x/1' } }, { msgtype: 'text', text: { content: '有货吗' } }] };
    const outcome = handle(post({ ...textMessage, msgtype: 'mixed', text: undefined, mixed }));
    assert.equal(outcome.type, 'messages');
    if (outcome.type !== 'messages') return;
    assert.equal(outcome.messages[0]?.kind, 'text');
    assert.equal(outcome.messages[0]?.text, '这个\n有货吗');
    assert.deepEqual(outcome.messages[0]?.attachment, { imageUrls: 'https://x/1' });
  });

  test('a message type the bot cannot read still opens a stream, so the handoff\'s holding message can reach the member', () => {
    const outcome = handle(post({ ...textMessage, msgtype: 'video', text: undefined, video: { url: 'https://x/v' } }));
    assert.equal(outcome.type, 'messages');
    if (outcome.type !== 'messages') return;
    assert.deepEqual(outcome.messages.map((m) => [m.kind, m.text]), [['other', null]]);
    assert.deepEqual(open(outcome.reply), { msgtype: 'stream', stream: { id: streamIdOf(MSGID), finish: false, content: '' } });
  });

  test('an event other than enter_chat is stored and acked empty', () => {
    const outcome = handle(post({ msgid: 'ev-2', aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'USERID' }, msgtype: 'event', event: { eventtype: 'feedback_event' } }));
    assert.deepEqual(outcome.type === 'messages' && outcome.messages.map((m) => [m.kind, m.event, m.attachment?.event]), [['event', 'other', 'feedback_event']]);
    assert.deepEqual(outcome.type === 'messages' && outcome.reply, { status: 200, body: '' });
  });

  test('enter_chat is answered with the welcome in the reply itself, and stored as an event no turn answers', () => {
    const enter = { msgid: 'enter-1', create_time: 1_700_000_000, aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'USERID' }, msgtype: 'event', event: { eventtype: 'enter_chat' } };
    const welcomed = handle(post(enter), channelWith(KEYS, '您好，有什么可以帮您？'));
    assert.equal(welcomed.type, 'messages');
    if (welcomed.type !== 'messages') return;
    assert.deepEqual(open(welcomed.reply), { msgtype: 'text', text: { content: '您好，有什么可以帮您？' } });
    assert.deepEqual(welcomed.messages.map((m) => [m.kind, m.event, m.attachment?.event]), [['event', 'other', 'enter_chat']]);
    const silent = handle(post(enter));
    assert.deepEqual(silent.type === 'messages' && silent.reply, { status: 200, body: '' });
  });

  test('a forged signature, a foreign receiveid, a stale timestamp and a body that is not the envelope are refused before parsing', () => {
    assert.throws(() => handle(post(textMessage, { signature: '0'.repeat(40) })), InvalidSignatureError);
    assert.throws(() => handle(post(textMessage, { receiveId: 'ww1436e0e65a779aee' })), InvalidSignatureError);
    assert.throws(() => handle(post(textMessage, { body: 'not json' })), PayloadError);
    assert.throws(() => handle(post(textMessage, { body: '{"Encrypt":"x"}' })), PayloadError);
    const late = createWecomBotAdapter({ maxSkewS: 300, clock: { now: () => new Date((1_700_000_000 + 301) * 1000) } });
    assert.throws(() => late.handleWebhook!(channel, post(textMessage)), InvalidSignatureError);
    const noQuery = { ...post(textMessage), query: {} };
    assert.throws(() => handle(noQuery), InvalidSignatureError);
  });

  test('decrypted garbage is a 400, and so is a callback for another bot when botId is set', () => {
    assert.throws(() => handle(post('{"msgid": ')), PayloadError);
    assert.throws(() => handle(post({ msgid: 'x', msgtype: 'text', text: { content: 'no sender' } })), PayloadError);
    assert.throws(() => handle(post(textMessage), channelWith({ ...KEYS, botId: 'OTHERBOT' })), PayloadError);
    assert.equal(handle(post(textMessage), channelWith({ ...KEYS, botId: 'AIBOTID' })).type, 'messages');
  });

  test('config: token and key are secrets, botId is optional, and a bad key is refused without echoing it', () => {
    // issue 15: `mode` (callback by default) and the long connection's Bot ID + Secret.
    assert.deepEqual(adapter.secretFields, ['token', 'encodingAesKey', 'secret']);
    assert.deepEqual(adapter.parseConfig({ ...KEYS }), { mode: 'callback', ...KEYS });
    assert.throws(() => adapter.parseConfig({ token: KEYS.token, encodingAesKey: 'short-secret-value' }), (e: unknown) =>
      e instanceof ValidationError && !/short-secret-value/.test(e.message));
    assert.throws(() => adapter.parseConfig({ mode: 'callback' }), ValidationError, 'callback mode needs token and key');
    assert.throws(() => adapter.parseConfig({ mode: 'long_connection', botId: 'aib1' }), ValidationError, 'long connection needs the secret');
    assert.deepEqual(adapter.parseConfig({ mode: 'long_connection', botId: 'aib1', secret: 's' }), { mode: 'long_connection', botId: 'aib1', secret: 's' });
    assert.deepEqual(adapter.configFields?.map((f) => [f.name, f.type, f.required]), [
      ['mode', 'enum', false], ['token', 'secret', false], ['encodingAesKey', 'secret', false], ['botId', 'string', false],
      ['secret', 'secret', false], ['handoffButtonMargin', 'number', false],
    ]);
    // issue 15: the 转人工 button's margin, 0..1 (0: off).
    assert.equal(adapter.parseConfig({ mode: 'long_connection', botId: 'aib1', secret: 's', handoffButtonMargin: '0.2' }).handoffButtonMargin, 0.2);
    assert.throws(() => adapter.parseConfig({ mode: 'long_connection', botId: 'aib1', secret: 's', handoffButtonMargin: 2 }), ValidationError);
  });
});
