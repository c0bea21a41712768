/**
 * The real `dingtalk-stream` 2.1.5 SDK, through openStreamConnection, against a fake gateway over
 * real sockets on 127.0.0.1 (protocols/dingtalk.md §6). Acks follow commits (DESIGN.md §3.1),
 * reconnects back off instead of storming (§1.7), close() leaves no zombie socket (§5.4, §1.8).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundMessage } from '../../src/domain/message.js';
import type { PlatformConnection } from '../../src/ports/channel-adapter.js';
import { openStreamConnection, type StreamConnectionOptions } from '../../adapters/dingtalk/stream-connection.js';
import { createDingtalkStreamAdapter } from '../../adapters/dingtalk/index.js';
import { FakeDingtalkGateway, TOPIC_ROBOT } from '../fakes/fake-dingtalk-gateway.js';
import { deferred } from '../support/deferred.js';

const CONFIG = { clientId: 'dingAPPKEY', clientSecret: 'app-secret', robotCode: 'dingAPPKEY' };
const BACKOFF = { initialMs: 100, maxMs: 400 };
/** Longer than our maxMs and than 2.1.5's own 1 s reconnect (§1.7): a reconnect that should not happen has happened by then. */
const QUIET_MS = 1300;
const quiet = { info() {}, warn() {}, debug() {}, error() {}, child() { return quiet; } } as unknown as StreamConnectionOptions['logger'];

/** A 1:1 text message as DingTalk puts it in `data` (§2.1). */
function robotPayload(msgId: string, text = 'hi'): Record<string, unknown> {
  return {
    conversationId: 'cidFAKE==', conversationType: '1', msgId, msgtype: 'text', text: { content: text },
    senderId: '$:LWCP_v1:$S', senderStaffId: 'staff001', senderNick: 'Tester', chatbotUserId: '$:LWCP_v1:$B',
    robotCode: CONFIG.robotCode, sessionWebhook: 'http://127.0.0.1:9/robot/sendBySession?session=s1',
    sessionWebhookExpiredTime: 1700005400000, createAt: 1700000000000,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let gw: FakeDingtalkGateway;
let opened: PlatformConnection[];

async function open(deliver: StreamConnectionOptions['deliver']): Promise<PlatformConnection> {
  const connection = await openStreamConnection({ config: CONFIG, apiBase: gw.url, deliver, backoff: BACKOFF, logger: quiet });
  opened.push(connection);
  return connection;
}

beforeEach(async () => {
  gw = await new FakeDingtalkGateway(CONFIG).start();
  opened = [];
});

// Order matters in 2.1.5: close the clients before the gateway (§6.3).
afterEach(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await gw.close();
});

describe('dingtalk stream connection', () => {
  test('subscribes to the robot topic and acks a frame only after deliver resolves', async () => {
    const got: InboundMessage[] = [];
    const commit = deferred();
    let called!: () => void;
    const deliverCalled = new Promise<void>((r) => (called = r));
    await open(async (messages) => { got.push(...messages); called(); await commit.promise; });
    await gw.waitForConnections(1);
    assert.deepEqual(gw.subscriptions[0], [{ type: 'EVENT', topic: '*' }, { type: 'CALLBACK', topic: TOPIC_ROBOT }]);

    const ack = gw.deliverRobotMessage(robotPayload('msg-1', 'hello'), { messageId: 'frame-1' });
    await deliverCalled;
    // deliver has the message but has not resolved: nothing may be acked yet.
    await sleep(50);
    assert.equal(gw.acksFor('frame-1').length, 0);
    commit.resolve();
    const frame = await ack;
    assert.ok(frame, 'an ACK after commit');
    assert.equal(frame.code, 200);
    assert.equal(frame.headers.messageId, 'frame-1');
    assert.deepEqual(JSON.parse(frame.data), { response: null });
    assert.equal(gw.acksFor('frame-1').length, 1);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.platformMessageId, 'msg-1');
    assert.equal(got[0]?.text, 'hello');
  });

  test('deliver rejecting → no ACK, and later frames still work', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const onUnhandled = (e: unknown) => errors.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await open(async () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      });
      await gw.waitForConnections(1);
      assert.equal(await gw.deliverRobotMessage(robotPayload('msg-a'), { messageId: 'f-a', timeoutMs: 300 }), null);
      const second = await gw.deliverRobotMessage(robotPayload('msg-b'), { messageId: 'f-b' });
      assert.equal(second?.headers.messageId, 'f-b');
      assert.equal(gw.acksFor('f-a').length, 0);
      assert.equal(calls, 2);
      assert.deepEqual(errors, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('an unreadable frame is survived; pings are echoed as the SDK does', async () => {
    await open(async () => {});
    await gw.waitForConnections(1);
    gw.sendRaw('not json');
    const [pong] = await gw.ping('op-1');
    assert.equal(pong?.code, 200);
    assert.deepEqual(JSON.parse(pong.data), { opaque: 'op-1' });
    assert.ok(await gw.deliverRobotMessage(robotPayload('msg-after')));
  });

  test('the same msgId twice reaches deliver twice and is acked twice (dedup is the core\'s job)', async () => {
    const ids: string[] = [];
    await open(async (messages) => { ids.push(...messages.map((m) => m.platformMessageId)); });
    await gw.waitForConnections(1);
    const first = await gw.deliverRobotMessage(robotPayload('msg-dup'), { messageId: 'f-1' });
    const again = await gw.deliverRobotMessage(robotPayload('msg-dup'), { messageId: 'f-2' });
    assert.ok(first && again);
    assert.deepEqual(ids, ['msg-dup', 'msg-dup']);
    assert.equal(gw.acksFor('f-1').length + gw.acksFor('f-2').length, 2);
  });

  test('a robot frame that is not a robot message is acked and dropped, not redelivered forever', async () => {
    let calls = 0;
    await open(async () => { calls += 1; });
    await gw.waitForConnections(1);
    const ack = await gw.deliverRobotMessage(['not', 'a', 'message'], { messageId: 'bad-1' });
    assert.ok(ack, 'acked');
    assert.equal(calls, 0);
    assert.ok(await gw.deliverRobotMessage(robotPayload('msg-after-bad')), 'later frames still work');
    assert.equal(calls, 1);
  });

  test('a group message without an @ is acked and not delivered', async () => {
    let calls = 0;
    await open(async () => { calls += 1; });
    await gw.waitForConnections(1);
    const payload = { ...robotPayload('msg-g'), conversationType: '2', isInAtList: false };
    assert.ok(await gw.deliverRobotMessage(payload));
    assert.equal(calls, 0);
  });

  test('a dropped socket reconnects with backoff, without a storm', async () => {
    await open(async () => {});
    await gw.waitForConnections(1);
    assert.equal(gw.registrations, 1);
    await gw.dropAll();
    assert.equal(gw.openConnections(), 0);
    await gw.waitForConnections(1);
    assert.ok(await gw.deliverRobotMessage(robotPayload('msg-r')), 'frames flow after the reconnect');
    await sleep(QUIET_MS);
    assert.equal(gw.registrations, 2);
    assert.equal(gw.connections, 2);
  });

  test('a disconnect notice opens the next connection before the old one closes, and frames keep flowing', async () => {
    const delivered: string[] = [];
    await open(async (messages) => void delivered.push(...messages.map((m) => m.platformMessageId)));
    await gw.waitForConnections(1);
    // The server closes the old socket 1.5 s after its notice; a warm reconnect is up well before.
    const closing = gw.announceDisconnect(1500);
    await gw.waitForConnections(2, 1000);
    assert.equal(gw.liveConnections(), 1, 'the new connection gets the pushes');
    assert.equal(gw.registrations, 2, 'one open call, no storm');
    const ack = await gw.deliverRobotMessage(robotPayload('msgWARM=='), { timeoutMs: 1000 });
    assert.equal(ack?.code, 200, 'acked on the new connection while the old one is still open');
    await closing;
    await sleep(QUIET_MS);
    assert.equal(gw.openConnections(), 1, 'the old socket is gone and nothing reconnected on top');
    assert.equal(gw.registrations, 2);
    assert.deepEqual(delivered, ['msgWARM==']);
  });

  test('refused upgrades (the 2.1.5 storm path) retry a bounded number of times', async () => {
    gw.rejectUpgrades = true;
    await open(async () => {});
    // At 50-400 ms per attempt this window allows at most ~8; the SDK's own loop made 255 (§1.7).
    await sleep(QUIET_MS);
    assert.ok(gw.registrations >= 2, `retried (${gw.registrations})`);
    assert.ok(gw.registrations <= 10, `no storm: ${gw.registrations} registrations`);
    gw.rejectUpgrades = false;
    await gw.waitForConnections(1, 3000);
  });

  test('close() closes the socket and it stays closed after the backoff would have fired', async () => {
    const connection = await open(async () => {});
    await gw.waitForConnections(1);
    await connection.close();
    assert.equal(gw.openConnections(), 0);
    const registrations = gw.registrations;
    await sleep(QUIET_MS);
    assert.equal(gw.openConnections(), 0);
    assert.equal(gw.registrations, registrations);
  });

  test('close() while reconnecting stops the loop for good', async () => {
    const connection = await open(async () => {});
    await gw.waitForConnections(1);
    await gw.dropAll();
    await connection.close();
    const registrations = gw.registrations;
    await sleep(QUIET_MS);
    assert.equal(gw.openConnections(), 0);
    assert.equal(gw.registrations, registrations);
  });

  test('two connections for one app: frames spread over both, each acked once', async () => {
    const seen: string[][] = [[], []];
    for (const bucket of seen) await open(async (messages) => { bucket.push(...messages.map((m) => m.platformMessageId)); });
    await gw.waitForConnections(2);
    for (let i = 0; i < 6; i += 1) {
      assert.ok(await gw.deliverRobotMessage(robotPayload(`msg-${i}`), { messageId: `f-${i}` }));
    }
    assert.ok(seen[0].length > 0 && seen[1].length > 0, `spread: ${seen[0].length}/${seen[1].length}`);
    assert.equal(seen[0].length + seen[1].length, 6);
    for (let i = 0; i < 6; i += 1) assert.equal(gw.acksFor(`f-${i}`).length, 1);
  });
});

describe('dingtalk_stream adapter', () => {
  test('connect() opens a stream connection for the channel', async () => {
    const adapter = createDingtalkStreamAdapter({ apiBase: gw.url, backoff: BACKOFF });
    assert.equal(adapter.kind, 'dingtalk_stream');
    assert.equal(adapter.safeToResend, false);
    assert.deepEqual([...adapter.secretFields], ['clientSecret']);
    const channel = { id: 'ch-dt-1', config: CONFIG } as unknown as Parameters<NonNullable<typeof adapter.connect>>[0];
    const ids: string[] = [];
    const connection = await adapter.connect!(channel, async (m) => { ids.push(...m.map((x) => x.platformMessageId)); });
    opened.push(connection);
    await gw.waitForConnections(1);
    assert.ok(await gw.deliverRobotMessage(robotPayload('msg-adapter')));
    assert.deepEqual(ids, ['msg-adapter']);
  });
});
