import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { openSse } from '../support/sse-client.js';

/** Issue 14 item 5: a disabled web chat is known but paused, in words, and comes back by itself. */
describe(`a disabled web chat channel, from the customer's side (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  const visitor = 'visitor-paused-0123456789';

  const status = async (id = channelId) => {
    const res = await fetch(`${svc.url}/webchat/${id}/status`);
    return { status: res.status, body: await res.json() };
  };
  const post = (text: string, clientMessageId: string) => fetch(`${svc.url}/webchat/${channelId}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitorId: visitor, text, clientMessageId }),
  });
  const setEnabled = async (enabled: boolean) => {
    const res = await svc.api('PATCH', `/api/channels/${channelId}`, { enabled });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true' });
    channelId = svc.service.demoChannelId!;
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('an enabled chat says it is online, publicly and uncached', async () => {
    const res = await fetch(`${svc.url}/webchat/${channelId}/status`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { online: true, offlineMessage: '在线客服暂停服务，请稍后再来~' });
  });

  test('unknown channels and channels of other kinds are both just 404', async () => {
    const dingtalk = await createDingtalkChannel(svc, 'dingtalk_http', newDingtalkApp());
    for (const id of ['ch_nope', dingtalk]) {
      assert.equal((await status(id)).status, 404, id);
      assert.equal((await fetch(`${svc.url}/demo/${id}`)).status, 404, id);
    }
  });

  test('disabled: the status, the stream and the demo page say paused; a message is refused and not stored', async () => {
    const stream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${visitor}`);
    await waitFor('the first status event', () => stream.events.find((e) => e.event === 'status' && e.data.online === true));
    await setEnabled(false);
    await waitFor('the chat to pause (channel cache)', async () => (await status()).body.online === false);
    // The open stream is told, without polling.
    await waitFor('a paused status event', () => stream.events.find((e) => e.event === 'status' && e.data.online === false));

    const refused = await post('有人吗', 'p1');
    assert.equal(refused.status, 409);
    assert.equal((await refused.json()).error.code, 'CHANNEL.PAUSED');
    const history = await (await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitor}`)).json();
    assert.deepEqual(history.items, [], 'nothing of a refused message is stored');

    const page = await fetch(`${svc.url}/demo/${channelId}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /html/);
    const html = await page.text();
    assert.match(html, /在线客服暂停服务/);
    assert.match(html, /请稍后再来~/);
    assert.doesNotMatch(html, /CHANNEL\.NOT_FOUND/);

    await setEnabled(true);
    await waitFor('an online status event', () => stream.events.find((e, i) => i > 1 && e.event === 'status' && e.data.online === true));
    stream.close();
  });

  test("the channel's own offline message is shown, HTML escaped; emptied, the default comes back", async () => {
    const own = await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: false, config: { offlineMessage: '春节放假 <b>2月1日</b> 恢复' } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    await waitFor('the new message', async () => (await status()).body.offlineMessage === '春节放假 <b>2月1日</b> 恢复');
    const html = await (await fetch(`${svc.url}/demo/${channelId}`)).text();
    assert.match(html, /春节放假 &#60;b&#62;2月1日&#60;\/b&#62; 恢复/);
    assert.doesNotMatch(html, /<b>2月1日/);
    await svc.api('PATCH', `/api/channels/${channelId}`, { config: { offlineMessage: '' } });
    await waitFor('the default message', async () => (await status()).body.offlineMessage === '在线客服暂停服务，请稍后再来~');
    const tooLong = await svc.api('PATCH', `/api/channels/${channelId}`, { config: { offlineMessage: 'x'.repeat(501) } });
    assert.equal(tooLong.status, 400);
    await setEnabled(true);
  });

  test('enabled again, a message is taken and answered', async () => {
    await waitFor('the chat to resume', async () => (await status()).body.online === true);
    assert.equal((await post('包邮吗', 'p2')).status, 202);
    await waitFor('the answer', async () => {
      const res = await (await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitor}`)).json();
      return res.items.find((m: any) => m.from === 'bot');
    });
  });

  test('the favicon answers on every path a browser asks for', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const res = await fetch(`${svc.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml', path);
      assert.match(await res.text(), /^<svg /);
    }
    const html = await (await fetch(`${svc.url}/demo/${channelId}`)).text();
    assert.match(html, /<link rel="icon" href="\/favicon.svg"/);
  });
});
