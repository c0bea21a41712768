import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, login, mode, startTestService, type LoginSession, type Storage, type TestService } from '../support/harness.js';

/**
 * issue 14 item 3: quick replies (快捷回复). Everyone sees the shared ones and their own; admins
 * manage the shared ones, each agent their own. Someone else's personal reply is a 404 (they cannot
 * see it), a shared one is a 403 for an agent. Every change is audited with its title; bad input is
 * a 400 that changes nothing.
 */
describe(`quick replies (${mode})`, { timeout: 120_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let admin: LoginSession;
  let wang: LoginSession;
  let li: LoginSession;

  const list = async (who: LoginSession) => {
    const r = await who.api('GET', '/api/quick-replies');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items as any[];
  };
  const titles = async (who: LoginSession) => (await list(who)).map((q) => q.title);
  const create = (who: LoginSession, body: unknown) => who.api('POST', '/api/quick-replies', body);
  const audits = async () => (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((a: any) => a.action.startsWith('quick_reply.'));

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    for (const [email, name, role] of [['lead@shop.test', '主管', 'admin'], ['wang@shop.test', '小王', 'agent'], ['li@shop.test', '小李', 'agent']]) {
      const r = await svc.api('POST', '/api/users', { email, name, role, password: 'password-12345' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    admin = await login(svc.url, 'lead@shop.test', 'password-12345');
    wang = await login(svc.url, 'wang@shop.test', 'password-12345');
    li = await login(svc.url, 'li@shop.test', 'password-12345');
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('an admin adds a shared reply, an agent a personal one: each sees the shared ones and only their own', async () => {
    const shared = await create(admin, { title: '退货地址', text: '{客户}您好，退货请寄到：上海市浦东新区 XX 路 1 号', shared: true });
    assert.equal(shared.status, 201, JSON.stringify(shared.body));
    assert.equal(shared.body.shared, true);
    assert.equal(shared.body.mine, false);
    assert.equal(shared.body.editable, true);
    assert.equal(shared.body.text, '{客户}您好，退货请寄到：上海市浦东新区 XX 路 1 号', 'variables are kept as typed; the console expands them');

    const own = await create(wang, { title: '  稍等  ', text: '请稍等，我帮您查一下~' });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    assert.equal(own.body.title, '稍等', 'trimmed');
    assert.deepEqual([own.body.shared, own.body.mine, own.body.editable], [false, true, true]);

    const seenByWang = await list(wang);
    assert.deepEqual(seenByWang.map((q) => q.title), ['退货地址', '稍等'], 'shared first');
    assert.deepEqual(seenByWang.map((q) => [q.shared, q.mine, q.editable]), [[true, false, false], [false, true, true]]);
    assert.deepEqual(await titles(li), ['退货地址'], "another agent never sees 小王's personal reply");
    assert.deepEqual(await titles(admin), ['退货地址'], "nor does an admin: personal means personal");
  });

  test('only admins add shared replies: an agent gets 403 and nothing is stored', async () => {
    const r = await create(li, { title: '发货时间', text: '48 小时内发货', shared: true });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'QUICK_REPLY.FORBIDDEN');
    assert.deepEqual(await titles(li), ['退货地址']);
    assert.deepEqual(await titles(admin), ['退货地址']);
  });

  test('a title is unique per owner and among the shared ones: a duplicate is 409 QUICK_REPLY.DUPLICATE', async () => {
    const again = await create(admin, { title: '退货地址', text: '另一个地址', shared: true });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'QUICK_REPLY.DUPLICATE');
    const mine = await create(wang, { title: '稍等', text: '再来一次' });
    assert.equal(mine.status, 409);
    assert.equal(mine.body.error.code, 'QUICK_REPLY.DUPLICATE');
    // Another owner's set is another namespace: li's own 稍等, and a personal 退货地址 next to the shared one.
    assert.equal((await create(li, { title: '稍等', text: '马上为您处理' })).status, 201);
    assert.equal((await create(li, { title: '退货地址', text: '我自己的版本' })).status, 201);
    assert.deepEqual(await titles(li), ['退货地址', '稍等', '退货地址']);
    assert.equal((await list(wang)).find((q) => q.title === '稍等').text, '请稍等，我帮您查一下~', "wang's reply is untouched");
  });

  test("an agent edits and deletes their own; someone else's personal reply is 404, a shared one 403", async () => {
    const wangs = (await list(wang)).find((q) => q.mine);
    const shared = (await list(wang)).find((q) => q.shared);

    const edited = await wang.api('PUT', `/api/quick-replies/${wangs.id}`, { text: '请稍等，马上为您查询~' });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.text, '请稍等，马上为您查询~');
    assert.equal(edited.body.title, '稍等');

    for (const [method, body] of [['PUT', { text: '偷改' }], ['DELETE', undefined]] as const) {
      const byOther = await li.api(method, `/api/quick-replies/${wangs.id}`, body);
      assert.equal(byOther.status, 404, `${method} by another agent`);
      assert.equal(byOther.body.error.code, 'QUICK_REPLY.NOT_FOUND');
      const byAdmin = await admin.api(method, `/api/quick-replies/${wangs.id}`, body);
      assert.equal(byAdmin.status, 404, `${method} by an admin`);
      const onShared = await wang.api(method, `/api/quick-replies/${shared.id}`, body);
      assert.equal(onShared.status, 403, `${method} of a shared reply by an agent`);
      assert.equal(onShared.body.error.code, 'QUICK_REPLY.FORBIDDEN');
    }
    assert.equal((await list(wang)).find((q) => q.id === wangs.id).text, '请稍等，马上为您查询~');
    assert.equal((await list(wang)).find((q) => q.id === shared.id).text, shared.text);

    const gone = await wang.api('DELETE', `/api/quick-replies/${wangs.id}`);
    assert.equal(gone.status, 204);
    assert.equal((await wang.api('DELETE', `/api/quick-replies/${wangs.id}`)).status, 404, 'already gone');
    assert.equal((await wang.api('PUT', `/api/quick-replies/${wangs.id}`, { text: 'x' })).status, 404);
    assert.deepEqual(await titles(wang), ['退货地址']);
  });

  test('an admin edits a shared reply; renaming onto a taken title is 409 and changes nothing', async () => {
    const other = await create(admin, { title: '发货时间', text: '付款后 48 小时内发货', shared: true });
    assert.equal(other.status, 201);
    const shared = (await list(admin)).find((q) => q.title === '退货地址');
    const clash = await admin.api('PUT', `/api/quick-replies/${other.body.id}`, { title: '退货地址' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, 'QUICK_REPLY.DUPLICATE');
    const renamed = await admin.api('PUT', `/api/quick-replies/${other.body.id}`, { title: '发货', text: '{客户}，付款后 48 小时内发货' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual(await titles(wang), ['发货', '退货地址']);
    assert.equal((await list(wang)).find((q) => q.id === shared.id).text, shared.text);
  });

  test('bad input is a 400 (or a 404 for an id that names nothing) and changes nothing', async () => {
    const before = await list(admin);
    const id = before[0].id;
    const bad: Array<[string, string, unknown]> = [
      ['POST', '/api/quick-replies', {}],
      ['POST', '/api/quick-replies', { title: '', text: '内容' }],
      ['POST', '/api/quick-replies', { title: '   ', text: '内容' }],
      ['POST', '/api/quick-replies', { title: '标'.repeat(41), text: '内容' }],
      ['POST', '/api/quick-replies', { title: '两行\n标题', text: '内容' }],
      ['POST', '/api/quick-replies', { title: '标题', text: '字'.repeat(2001) }],
      ['POST', '/api/quick-replies', { title: '标题', text: '内容', shared: 'yes' }],
      ['POST', '/api/quick-replies', { title: '标题', text: '内容', ownerId: 'u_someone' }],
      ['POST', '/api/quick-replies', '{"title": "标题", '],
      ['POST', '/api/quick-replies', [1, 2]],
      ['PUT', `/api/quick-replies/${id}`, {}],
      ['PUT', `/api/quick-replies/${id}`, { title: '' }],
      ['PUT', `/api/quick-replies/${id}`, { shared: false }],
      ['PUT', `/api/quick-replies/${id}`, { text: 42 }],
    ];
    for (const [method, path, body] of bad) {
      const r = await admin.api(method, path, body);
      assert.equal(r.status, 400, `${method} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    }
    assert.equal((await admin.api('PUT', '/api/quick-replies/abc', { text: 'x' })).status, 404);
    assert.equal((await admin.api('DELETE', '/api/quick-replies/99999999999999999999')).status, 404);
    assert.equal((await admin.api('POST', '/api/quick-replies', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' })).status, 400);
    assert.deepEqual(await list(admin), before);
  });

  test('signed-out callers get 401; a cookie session without its CSRF token cannot write', async () => {
    assert.equal((await fetch(`${svc.url}/api/quick-replies`)).status, 401);
    const noCsrf = await fetch(`${svc.url}/api/quick-replies`, { method: 'POST', headers: { cookie: wang.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ title: 't', text: 'x' }) });
    assert.equal(noCsrf.status, 403);
    assert.deepEqual(await titles(wang), ['发货', '退货地址']);
  });

  test('every change is audited with its title, who made it and whether it is shared', async () => {
    const rows = await audits();
    const byAction = (action: string) => rows.filter((a: any) => a.action === action);
    assert.equal(byAction('quick_reply.create').length, 5);
    assert.equal(byAction('quick_reply.update').length, 2);
    assert.equal(byAction('quick_reply.delete').length, 1);
    const created = byAction('quick_reply.create').find((a: any) => a.details.title === '退货地址' && a.details.shared);
    assert.equal(created.actorEmail, 'lead@shop.test');
    assert.match(created.target, /^quick_reply:\d+$/);
    const deleted = byAction('quick_reply.delete')[0];
    assert.deepEqual([deleted.actorEmail, deleted.details.title, deleted.details.shared], ['wang@shop.test', '稍等', false]);
    const renamed = byAction('quick_reply.update').find((a: any) => a.details.from === '发货时间');
    assert.deepEqual([renamed.details.to, renamed.details.title], ['发货', '发货']);
  });
});
