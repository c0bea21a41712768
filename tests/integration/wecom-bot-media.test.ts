/**
 * issue 15 item 2: images, files, voice and 图文混排 over a 智能机器人's long connection, end to end:
 * the message is committed and handed to a person as any image is, its file is downloaded from the
 * fake (encrypted with its own aeskey), kept in Postgres and served to agents by the console's
 * media route byte for byte, once across a redelivered frame; a file that never comes leaves the
 * message in place, marked unavailable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeWecomBotGateway } from '../fakes/fake-wecom-bot-gateway.js';
import { ADMIN_TOKEN, createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { newLongConnectionBot, startBotLeaseHolder, conversationOfMember } from '../support/wecom-bot.js';

const png = (n: number) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(n)]);

describe(`WeCom 智能机器人 media over the long connection (${mode})`, { timeout: 180_000 }, () => {
  const bot = newLongConnectionBot();
  let gw: FakeWecomBotGateway;
  let storage: Storage;
  let svc: TestService;

  before(async () => {
    gw = await new FakeWecomBotGateway({ [bot.botId]: bot.secret }).start();
    storage = await createStorage();
    svc = await startTestService(storage, { TURN_COALESCE_MS: '0', WECOM_BOT_WS_URL: gw.url });
    const res = await svc.api('POST', '/api/channels', { kind: 'wecom_bot', name: 'bot-media', config: { mode: 'long_connection', ...bot } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await gw.waitForConnections(1, bot.botId, 8000);
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
    await gw?.close();
  });

  const conversationOf = (userid: string) => conversationOfMember(svc, userid);
  const media = (convId: string, messageId: string, query = '') =>
    fetch(`${svc.url}/api/conversations/${convId}/messages/${messageId}/media${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  /** The message's file as the console opens it, once it is there. */
  const servedFile = (convId: string, messageId: string, query = '') => waitFor('the file served', async () => {
    const res = await media(convId, messageId, query);
    if (res.status !== 200) return null;
    const header = (name: string) => res.headers.get(name);
    return { type: header('content-type'), disposition: header('content-disposition'), nosniff: header('x-content-type-options'), body: Buffer.from(await res.arrayBuffer()) };
  });

  test('an image is stored, handed to a person, and served to agents byte for byte, fetched once across a redelivered frame', async () => {
    const plain = png(50_000);
    const first = gw.sendImage(bot.botId, 'zhangsan', plain);
    const again = gw.sendImage(bot.botId, 'zhangsan', plain, { msgid: first.msgid });
    const conv = await waitFor('queued', async () => {
      const c = await conversationOf('zhangsan');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal(conv.handoffReason, 'unsupported_message');
    const images = conv.messages.filter((m: any) => m.sender === 'customer');
    assert.equal(images.length, 1);
    assert.equal(images[0].kind, 'image');
    assert.equal(images[0].attachment.url, undefined, 'the expiring URL is not kept');
    const file = await servedFile(conv.id, images[0].id);
    assert.equal(file.type, 'image/png');
    assert.ok(file.body.equals(plain));
    await sleep(500);
    assert.equal(gw.fileRequests(first.url) + gw.fileRequests(again.url), 1);
  });

  test('a download answered 500 is retried and then kept', async () => {
    const plain = Buffer.from('%PDF-1.7\n报价单\n');
    const sent = gw.sendFile(bot.botId, 'lisi', plain, { failures: [500], fileName: '报价单.pdf' });
    const conv = await waitFor('the message', () => conversationOf('lisi'));
    const message = conv.messages.find((m: any) => m.kind === 'file');
    const file = await servedFile(conv.id, message.id);
    assert.equal(file.type, 'application/pdf');
    assert.ok(file.body.equals(plain));
    assert.equal(file.disposition, "inline; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf", 'the name WeCom gave the file');
    assert.equal(gw.fileRequests(sent.url), 2);
  });

  test('a file that never comes: the message stays, handed to a person, its attachment marked unavailable', async () => {
    const sent = gw.sendImage(bot.botId, 'wangwu', png(100), { failures: 'always' });
    const message = await waitFor('marked unavailable', async () => {
      const m = (await conversationOf('wangwu'))?.messages.find((x: any) => x.kind === 'image');
      return m?.attachment?.mediaUnavailable ? m : null;
    }, 30_000);
    assert.match(message.attachment.mediaUnavailable, /HTTP 500/);
    assert.equal(gw.fileRequests(sent.url), 4, 'one try and three retries');
    const conv = await conversationOf('wangwu');
    assert.equal(conv.status, 'queued');
    const res = await media(conv.id, message.id);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'MEDIA.UNAVAILABLE');
  });

  test('图文混排: the text is answered by the bot and the image is kept with it', async () => {
    const image = png(2000);
    gw.sendMixed(bot.botId, 'zhaoliu', [{ text: '包邮吗？' }, { image }]);
    const conv = await waitFor('bot answer', async () => {
      const c = await conversationOf('zhaoliu');
      return c?.messages.some((m: any) => m.sender === 'bot') ? c : null;
    });
    const question = conv.messages.find((m: any) => m.sender === 'customer');
    assert.equal(question.kind, 'text');
    assert.equal(question.text, '包邮吗？');
    const file = await servedFile(conv.id, question.id);
    assert.ok(file.body.equals(image));
  });

  test('图文混排 with two images: each is served by ?item=n, byte for byte; a missing item is 404, a malformed one 400', async () => {
    const images = [png(3000), png(4000)];
    gw.sendMixed(bot.botId, 'qianba', [{ image: images[0] }, { text: '这两个哪个好？' }, { image: images[1] }]);
    const conv = await waitFor('the message', () => conversationOf('qianba'));
    const question = conv.messages.find((m: any) => m.sender === 'customer');
    assert.equal(question.attachment.mediaIds.split('\n').length, 2);
    const [first, second] = [await servedFile(conv.id, question.id, '?item=0'), await servedFile(conv.id, question.id, '?item=1')];
    assert.ok(first.body.equals(images[0]));
    assert.ok(second.body.equals(images[1]));
    assert.equal(second.type, 'image/png');
    assert.equal(second.nosniff, 'nosniff');
    assert.ok((await servedFile(conv.id, question.id)).body.equals(images[0]), 'no item is item 0');
    const missing = await media(conv.id, question.id, '?item=2');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'MEDIA.NOT_FOUND');
    for (const bad of ['x', '-1', '1.5', '0x1', '1e3', '%201', '1&item=2']) assert.equal((await media(conv.id, question.id, `?item=${bad}`)).status, 400, bad);
  });

  test('an SVG or HTML file is served as a download, never as a page on our origin', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
    const html = Buffer.from('<!doctype html><script>fetch("/api/users")</script>');
    gw.sendFile(bot.botId, 'zhoujiu', svg, { fileName: 'logo.svg' });
    gw.sendFile(bot.botId, 'zhoujiu', html, { fileName: "报价 (1)'.html" });
    const files = await waitFor('both messages', async () => {
      const ms = (await conversationOf('zhoujiu'))?.messages.filter((m: any) => m.kind === 'file');
      return ms?.length === 2 ? ms : null;
    });
    const conv = await conversationOf('zhoujiu');
    const served = await Promise.all(files.map((m: any) => servedFile(conv.id, m.id)));
    const byBody = (b: Buffer) => served.find((f) => f.body.equals(b))!;
    for (const f of [byBody(svg), byBody(html)]) {
      assert.equal(f.type, 'application/octet-stream');
      assert.equal(f.nosniff, 'nosniff');
    }
    assert.equal(byBody(svg).disposition, "attachment; filename*=UTF-8''logo.svg");
    assert.equal(byBody(html).disposition, "attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%20%281%29%27.html");
  });

  test('图文混排 with one image that never comes: only that one is marked, the other stays openable', async () => {
    const good = png(1500);
    const sent = gw.sendMixed(bot.botId, 'wuyi', [{ image: good }, { text: '哪个好' }, { image: png(1500) }]);
    const [, badUrl] = sent.urls;
    gw.failFile(badUrl);
    const question = await waitFor('the second marked', async () => {
      const m = (await conversationOf('wuyi'))?.messages.find((x: any) => x.sender === 'customer');
      return m?.attachment?.mediaUnavailableIds ? m : null;
    }, 30_000);
    assert.equal(question.attachment.mediaUnavailableIds, `${sent.msgid}#2`);
    const conv = await conversationOf('wuyi');
    assert.ok((await servedFile(conv.id, question.id, '?item=0')).body.equals(good));
    const res = await media(conv.id, question.id, '?item=1');
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'MEDIA.UNAVAILABLE');
  });

  test('review item 5: a file still pending past its deadline is given up by the sweeper, and the route says so', async () => {
    const sent = gw.sendImage(bot.botId, 'zhengshi', png(500), { hold: true });
    await waitFor('the download under way', () => gw.fileRequests(sent.url) >= 1);
    const conv = await waitFor('the message', () => conversationOf('zhengshi'));
    const message = conv.messages.find((m: any) => m.kind === 'image');
    const before = await media(conv.id, message.id);
    assert.equal((await before.json()).error.code, 'MEDIA.NOT_FOUND', 'pending: not downloaded yet');
    // As if the process holding the download had died and the link's five minutes had run out.
    await svc.service.db.query(`UPDATE media_files SET deadline = now() - interval '1 second' WHERE media_key = $1`, [`${sent.msgid}#1`]);
    const marked = await waitFor('marked unavailable', async () => {
      const m = (await conversationOf('zhengshi'))?.messages.find((x: any) => x.kind === 'image');
      return m?.attachment?.mediaUnavailableIds ? m : null;
    });
    assert.equal(marked.attachment.mediaUnavailableIds, `${sent.msgid}#1`);
    assert.match(marked.attachment.mediaUnavailable, /expired/);
    gw.releaseFile(sent.url);
    await sleep(300);
    const res = await media(conv.id, message.id);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'MEDIA.UNAVAILABLE', 'a late answer changes nothing');
    const row = await svc.service.db.query<any>('SELECT status, source FROM media_files WHERE media_key = $1', [`${sent.msgid}#1`]);
    assert.deepEqual([row.rows[0].status, row.rows[0].source], ['unavailable', null], 'the link and key are forgotten');
  });

  test('a voice note is stored as its words and handed to a person', async () => {
    gw.pushMessage(bot.botId, { msgid: `v${randomBytes(6).toString('hex')}`, chattype: 'single', from: { userid: 'sunqi' }, msgtype: 'voice', voice: { content: '我要退货' } });
    const conv = await waitFor('queued', async () => {
      const c = await conversationOf('sunqi');
      return c?.status === 'queued' ? c : null;
    });
    const voice = conv.messages.find((m: any) => m.sender === 'customer');
    assert.deepEqual([voice.kind, voice.text], ['voice', '我要退货']);
    assert.equal(conv.handoffReason, 'unsupported_message');
  });
});

describe(`a download cut short by a crash (${mode})`, { timeout: 180_000, skip: mode !== 'real' && 'needs a shared PostgreSQL' }, () => {
  test('review item 5: kill -9 of the connection holder mid-download; the next holder downloads the file', async () => {
    const { bot, gw, holder: a, other: b, close } = await startBotLeaseHolder({ TURN_COALESCE_MS: '0' }, 'bot-media-crash');
    try {
      const plain = png(40_000);
      const sent = gw.sendImage(bot.botId, 'crash', plain, { hold: true });
      // `a` committed the message and is waiting for the file: killed now.
      await waitFor('the download under way', () => gw.fileRequests(sent.url) >= 1);
      await a.kill9();
      gw.releaseFile(sent.url);
      // The lease runs out (10 s), `b` connects and resumes what `a` left pending.
      await waitFor('b connected', () => gw.authAttempts.get(bot.botId) === 2, 30_000);
      const list = await b.api('GET', '/api/conversations');
      const conv = (await b.api('GET', `/api/conversations/${list.body.items.find((c: any) => c.contact.externalId === 'crash').id}`)).body;
      const message = conv.messages.find((m: any) => m.kind === 'image');
      const served = await waitFor('the file served by b', async () => {
        const res = await fetch(`${b.url}/api/conversations/${conv.id}/messages/${message.id}/media`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
      });
      assert.ok(served.equals(plain));
      assert.equal(gw.fileRequests(sent.url), 2, 'one request by a, one by b');
    } finally {
      await close();
    }
  });
});
