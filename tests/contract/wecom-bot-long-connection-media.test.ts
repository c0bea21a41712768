/**
 * issue 15 item 2: files members send over the long connection. The real SDK's downloadFile and our
 * bounded download (bot-download.ts, decrypting with the SDK's decryptFile) read the fake's files
 * alike; the download refuses what it must; and BotLongConnection downloads a message's files only
 * after it is committed, once, retrying, and gives up into `unavailable` without losing the message.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WSClient } from '@wecom/aibot-node-sdk';
import type { InboundMessage } from '../../src/domain/message.js';
import { PlatformError } from '../../src/domain/errors.js';
import { MEDIA_EXPIRED_REASON, type MediaFile, type MediaFiles, type MediaLookup, type PendingMedia } from '../../src/ports/media-files.js';
import { openBotConnection, type BotLongConnection } from '../../adapters/wecom/bot-connection.js';
import { downloadEncryptedFile, isPrivateAddress, type DownloadPolicy } from '../../adapters/wecom/bot-download.js';
import { DownloadSlots, MEDIA_DEADLINE_MS, MediaFetcher, mediaItemsOf } from '../../adapters/wecom/bot-media.js';
import { FakeWecomBotGateway } from '../fakes/fake-wecom-bot-gateway.js';

const BOT = 'aibMEDIA01';
const SECRET = 'media-secret';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
/** A PNG's signature and some bytes that are not a multiple of 32 long. */
const png = (n = 1000) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(n)]);

/** MediaFiles in memory (a fake at the port), keeping what each message's keys became. */
class MemoryMediaFiles implements MediaFiles {
  readonly rows = new Map<string, Exclude<MediaLookup, null>>();
  readonly waiting = new Map<string, PendingMedia>();
  readonly unavailableOn = new Map<string, string>();
  constructor(private readonly committed: Set<string>) {}
  async expect(_c: string, items: PendingMedia[]) {
    for (const item of items) {
      const before = this.waiting.get(item.key);
      if (this.rows.has(item.key)) continue;
      this.waiting.set(item.key, { ...item, deadline: before && before.deadline > item.deadline ? before.deadline : item.deadline });
    }
  }
  async pending() { return [...this.waiting.values()]; }
  async current(_c: string, key: string) { return this.waiting.get(key) ?? null; }
  async save(_c: string, key: string, file: MediaFile) {
    const row = this.waiting.get(key);
    if (!row || !this.committed.has(row.platformMessageId)) return false;
    this.waiting.delete(key);
    this.rows.set(key, { state: 'stored', file });
    return true;
  }
  async markUnavailable(_c: string, key: string, reason: string) {
    const row = this.waiting.get(key);
    if (!row) return;
    this.waiting.delete(key);
    this.rows.set(key, { state: 'unavailable', reason });
    this.unavailableOn.set(row.platformMessageId, reason);
  }
  async giveUpExpired() { return 0; }
  async get(_c: string, key: string) { return this.rows.get(key) ?? (this.waiting.has(key) ? { state: 'pending' as const } : null); }
}

describe('downloading a member\'s file from the fake', () => {
  let gw: FakeWecomBotGateway;
  let policy: DownloadPolicy;
  beforeEach(async () => {
    gw = await new FakeWecomBotGateway({ [BOT]: SECRET }).start();
    policy = { gatewayUrl: gw.url, maxBytes: 1 << 20, timeoutMs: 5000 };
  });
  afterEach(async () => gw.close());

  test('the SDK\'s downloadFile and ours read the same bytes and file name (RFC 5987 name too)', async () => {
    const plain = png(4097);
    const { url, aeskey } = gw.serveFile(plain, { fileName: '发票 2024.pdf' });
    const sdk = new WSClient({ botId: BOT, secret: SECRET, wsUrl: gw.url, logger: quiet });
    const viaSdk = await sdk.downloadFile(url, aeskey);
    const ours = await downloadEncryptedFile(url, aeskey, policy);
    assert.deepEqual(viaSdk.buffer, plain);
    assert.deepEqual(ours.body, plain);
    assert.equal(viaSdk.filename, '发票 2024.pdf');
    assert.equal(ours.fileName, '发票 2024.pdf');
  });

  test('a 5xx is worth another try, a 404 is not, a wrong key is not, a file over the cap is refused', async () => {
    const failing = gw.serveFile(png(), { failures: [503] });
    await assert.rejects(downloadEncryptedFile(failing.url, failing.aeskey, policy), (e: PlatformError) => e.retryable && /503/.test(e.message));
    assert.deepEqual((await downloadEncryptedFile(failing.url, failing.aeskey, policy)).body.subarray(0, 8), png(0));
    await assert.rejects(downloadEncryptedFile(`${gw.httpUrl}/file/nothing`, failing.aeskey, policy), (e: PlatformError) => !e.retryable && /404/.test(e.message));
    await assert.rejects(downloadEncryptedFile(failing.url, randomBytes(32).toString('base64'), policy), (e: PlatformError) => !e.retryable && /decrypt/.test(e.message));
    const big = gw.serveFile(randomBytes(5000));
    await assert.rejects(downloadEncryptedFile(big.url, big.aeskey, { ...policy, maxBytes: 4096 }), (e: PlatformError) => !e.retryable && /larger than 4096/.test(e.message));
  });

  test('only https to public addresses, or the configured gateway\'s own host; no redirect is followed', async () => {
    const { aeskey } = gw.serveFile(png());
    const refusedFor = async (url: string, p = policy) =>
      downloadEncryptedFile(url, aeskey, p).then(() => 'downloaded', (e: PlatformError) => (e.retryable ? `retryable: ${e.message}` : e.message));
    assert.match(await refusedFor('http://example.com/file/1'), /^media download refused: http: is not https/);
    assert.match(await refusedFor('https://127.0.0.1/file/1'), /^media download refused: 127.0.0.1 is a private address/);
    assert.match(await refusedFor('https://[::ffff:10.0.0.1]/x'), /^media download refused: \S+ is a private address/);
    assert.match(await refusedFor('https://localhost:1/x'), /^media download refused: localhost resolves to a private address/);
    assert.match(await refusedFor('https://user:pw@example.com/x'), /^media download refused: credentials in the URL/);
    // The gateway's host over the other scheme is not the gateway.
    assert.match(await refusedFor(gw.httpUrl.replace('http:', 'https:') + '/file/1'), /^media download refused: 127.0.0.1 is a private address/);
    const redirecting = http.createServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end());
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    const port = (redirecting.address() as AddressInfo).port;
    try {
      assert.match(await refusedFor(`http://127.0.0.1:${port}/f`, { ...policy, gatewayUrl: `ws://127.0.0.1:${port}` }), /^media download answered HTTP 302/);
    } finally {
      await new Promise((r) => redirecting.close(r));
    }
    for (const a of ['10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['101.226.103.106', '8.8.8.8', '2402:4e00::1']) assert.ok(!isPrivateAddress(a), a);
  });
});

describe('BotLongConnection keeps a message\'s files', () => {
  let gw: FakeWecomBotGateway;
  let conn: BotLongConnection | undefined;
  let committed: Set<string>;
  let store: MemoryMediaFiles;
  beforeEach(async () => {
    gw = await new FakeWecomBotGateway({ [BOT]: SECRET }).start();
    committed = new Set();
    store = new MemoryMediaFiles(committed);
  });
  afterEach(async () => {
    await conn?.close();
    await gw.close();
  });

  const fetcher = (opts: { retryDelaysMs?: number[]; maxBytes?: number } = {}) => new MediaFetcher({
    store, channelId: 'ch', slots: new DownloadSlots(), retryDelaysMs: opts.retryDelaysMs ?? [20, 20],
    policy: { gatewayUrl: gw.url, maxBytes: opts.maxBytes ?? 1 << 20, timeoutMs: 5000 },
  });
  const open = (deliver: (m: InboundMessage[]) => Promise<void>, opts: { retryDelaysMs?: number[]; maxBytes?: number } = {}) => {
    const media = fetcher(opts);
    conn = openBotConnection({ botId: BOT, secret: SECRET, wsUrl: gw.url, deliver, media, welcome: () => null, reconnectMs: 100 });
    return gw.waitForConnections(1, BOT);
  };
  const storedFile = (key: string) => {
    const row = store.rows.get(key);
    return row?.state === 'stored' ? row.file : undefined;
  };

  test('an image is downloaded only after its message is committed, decrypted, typed by its bytes, and kept once across a redelivery', async () => {
    const messages: InboundMessage[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await open(async (m) => { await gate; messages.push(...m); m.forEach((x) => committed.add(x.platformMessageId)); });
    const plain = png(3000);
    const sent = gw.sendImage(BOT, 'lisi', plain);
    await sleep(150);
    assert.equal(gw.fileRequests(sent.url), 0, 'nothing fetched before the commit');
    release();
    const file = await until('stored', () => storedFile(`${sent.msgid}#1`));
    assert.deepEqual(file.body, plain);
    assert.equal(file.contentType, 'image/png');
    assert.equal(file.fileName, 'photo.jpg');
    assert.equal(messages[0]?.kind, 'image');
    assert.deepEqual(messages[0]?.attachment, { mediaId: `${sent.msgid}#1` }, 'the expiring URL is not kept');
    // WeCom redelivers the frame (a new URL): the file is settled, nothing is fetched again.
    const again = gw.sendImage(BOT, 'lisi', plain, { msgid: sent.msgid });
    await until('second commit', () => messages.length === 2);
    await sleep(150);
    assert.equal(gw.fileRequests(sent.url) + gw.fileRequests(again.url), 1);
  });

  test('a 500 is retried; a file that never comes is marked unavailable, and its message was committed all the same', async () => {
    const messages: InboundMessage[] = [];
    await open(async (m) => { messages.push(...m); m.forEach((x) => committed.add(x.platformMessageId)); });
    const flaky = gw.sendFile(BOT, 'wangwu', Buffer.from('%PDF-1.7 an invoice'), { failures: [500, 502], fileName: 'invoice.pdf' });
    const file = await until('stored after retries', () => storedFile(`${flaky.msgid}#1`));
    assert.equal(gw.fileRequests(flaky.url), 3);
    assert.equal(file.contentType, 'application/pdf');
    assert.equal(file.fileName, 'invoice.pdf');
    const lost = gw.sendImage(BOT, 'wangwu', png(), { failures: 'always' });
    await until('given up', () => store.unavailableOn.get(lost.msgid));
    assert.equal(gw.fileRequests(lost.url), 3, 'one try and two retries');
    assert.match(store.unavailableOn.get(lost.msgid)!, /HTTP 500/);
    assert.ok(messages.some((m) => m.platformMessageId === lost.msgid && m.kind === 'image'));
  });

  test('a file over the cap is not kept; a message that was not committed gets no download', async () => {
    await open(async (m) => {
      if (m[0]?.contact.externalId === 'nobody') throw new Error('database down');
      m.forEach((x) => committed.add(x.platformMessageId));
    }, { maxBytes: 100 });
    const big = gw.sendImage(BOT, 'zhaoliu', png(500));
    assert.match(await until('refused', () => store.unavailableOn.get(big.msgid)), /larger than 100 bytes/);
    assert.equal(gw.fileRequests(big.url), 1, 'a refusal is not retried');
    const uncommitted = gw.sendImage(BOT, 'nobody', png(10));
    await sleep(300);
    assert.equal(gw.fileRequests(uncommitted.url), 0);
  });

  test('图文混排: the text is the message, every image is kept under its own id', async () => {
    const messages: InboundMessage[] = [];
    await open(async (m) => { messages.push(...m); m.forEach((x) => committed.add(x.platformMessageId)); });
    const [a, b] = [png(100), png(200)];
    const sent = gw.sendMixed(BOT, 'sunqi', [{ text: '这个' }, { image: a }, { text: '有货吗' }, { image: b }]);
    await until('both stored', () => storedFile(`${sent.msgid}#1`) && storedFile(`${sent.msgid}#2`));
    assert.deepEqual(storedFile(`${sent.msgid}#1`)!.body, a);
    assert.deepEqual(storedFile(`${sent.msgid}#2`)!.body, b);
    const [m] = messages;
    assert.equal(m?.kind, 'text');
    assert.equal(m?.text, '这个\n有货吗');
    assert.deepEqual(m?.attachment, { mediaId: `${sent.msgid}#1`, mediaIds: `${sent.msgid}#1\n${sent.msgid}#2` });
  });

  test('a voice note arrives as its words: stored as voice with that text, no download', async () => {
    const messages: InboundMessage[] = [];
    await open(async (m) => { messages.push(...m); });
    gw.pushMessage(BOT, { msgid: 'v1', chattype: 'single', from: { userid: 'qianba' }, msgtype: 'voice', voice: { content: '我要退货' } });
    const m = await until('voice', () => messages[0]);
    assert.deepEqual([m.kind, m.text, m.attachment], ['voice', '我要退货', undefined]);
  });

  test('review item 8: a redelivered frame\'s fresh link replaces the stale one the first attempt keeps failing on', async () => {
    await open(async (m) => { m.forEach((x) => committed.add(x.platformMessageId)); }, { retryDelaysMs: [300, 300, 300] });
    const plain = png(700);
    const stale = gw.sendImage(BOT, 'zhou', plain, { failures: 'always' });
    await until('first attempt', () => gw.fileRequests(stale.url) >= 1);
    const fresh = gw.sendImage(BOT, 'zhou', plain, { msgid: stale.msgid });
    const file = await until('stored from the fresh link', () => storedFile(`${stale.msgid}#1`));
    assert.deepEqual(file.body, plain);
    assert.equal(gw.fileRequests(fresh.url), 1);
    assert.ok(gw.fileRequests(stale.url) < 4, 'the stale link was not retried to the end');
  });

  test('review item 7: a file whose deadline passed while it waited is given up without a request', async () => {
    const media = fetcher();
    const served = gw.serveFile(png(100));
    const items = mediaItemsOf({ msgid: 'late1', msgtype: 'image', image: served });
    committed.add('late1');
    await media.expect('late1', items, Date.now() - MEDIA_DEADLINE_MS - 1);
    await media.fetch(items);
    assert.equal(store.unavailableOn.get('late1'), MEDIA_EXPIRED_REASON);
    assert.equal(gw.fileRequests(served.url), 0);
  });

  test('review item 5: what another process left pending is fetched on resume, with its latest link', async () => {
    const plain = png(300);
    const served = gw.serveFile(plain);
    const items = mediaItemsOf({ msgid: 'left1', msgtype: 'image', image: served });
    committed.add('left1');
    await store.expect('ch', [{ key: items[0].key, platformMessageId: 'left1', source: JSON.stringify(served), deadline: new Date(Date.now() + 60_000) }]);
    await fetcher().resume();
    assert.deepEqual(storedFile('left1#1')?.body, plain);
    assert.equal(await store.current('ch', 'left1#1'), null, 'the link and key are forgotten once stored');
  });

  test('review item 10: a chunked answer (no Content-Length) is read whole under the cap and refused mid-stream over it', async () => {
    const small = png(3000);
    const ok = gw.serveFile(small, { chunked: true });
    assert.deepEqual((await downloadEncryptedFile(ok.url, ok.aeskey, { gatewayUrl: gw.url, maxBytes: 1 << 20, timeoutMs: 5000 })).body, small);
    await open(async (m) => { m.forEach((x) => committed.add(x.platformMessageId)); }, { maxBytes: 4096 });
    const big = gw.sendImage(BOT, 'wu', png(20_000), { chunked: true });
    assert.match(await until('refused', () => store.unavailableOn.get(big.msgid)), /larger than 4096 bytes/);
    assert.equal(gw.fileRequests(big.url), 1, 'a refusal is not retried');
  });
});
