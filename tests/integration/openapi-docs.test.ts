import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROUTE_DOCS } from '../../src/http/openapi.js';
import { isJsonBody, type RouteDoc } from '../../src/http/openapi-route.js';
import { ADMIN_TOKEN, createStorage, mode, startTestService, type Storage, type TestService } from '../support/harness.js';

/**
 * issue 16 item 3: the service serves its OpenAPI document and the docs page to anyone, the page's
 * files come from the service itself, and each documented request example gets through the running
 * route's own validation (while a body no schema takes does not).
 */
describe(`OpenAPI document and docs page (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let webchatId: string;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: 'docs test', enabled: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    webchatId = created.body.id;
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('GET /api/openapi.json: 200 JSON, OpenAPI 3.1, without signing in', async () => {
    const res = await fetch(`${svc.url}/api/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const document = await res.json();
    assert.match(document.openapi, /^3\.1\.\d+$/);
    assert.ok(document.paths['/api/conversations/{id}/messages'].post.requestBody);
  });

  test('GET /api/docs: HTML under a CSP with no inline script, whose script and style files the service serves', async () => {
    const res = await fetch(`${svc.url}/api/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    assert.equal(scriptSrc, "script-src 'self'");
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
    const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(scripts, ['/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']);
    assert.deepEqual(styles, ['/api/docs/swagger-ui.css']);
    for (const [url, type] of [...scripts.map((u) => [u, /javascript/] as const), ...styles.map((u) => [u, /^text\/css/] as const)]) {
      assert.ok(url.startsWith('/'), `${url} is served by the service itself, not a CDN`);
      const asset = await fetch(svc.url + url);
      assert.equal(asset.status, 200, url);
      assert.match(asset.headers.get('content-type') ?? '', type, url);
      assert.ok((await asset.text()).length > 0, url);
    }
    const init = await (await fetch(`${svc.url}/api/docs/init.js`)).text();
    assert.match(init, /\/api\/openapi\.json/, 'the page renders this service\'s document');
  });

  test('only the listed files are served under /api/docs/', async () => {
    for (const name of ['package.json', 'index.html', 'constructor', '..%2Fpackage.json']) {
      const res = await fetch(`${svc.url}/api/docs/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal((await res.json()).error.code, 'ROUTE.NOT_FOUND', name);
    }
  });

  /** A concrete URL for a documented path: ids that name nothing, except the web chat's channel. */
  const urlOf = (route: RouteDoc) =>
    route.path
      .replace(':channelId', webchatId)
      .replace(/^\/api\/channels\/:id/, `/api/channels/${webchatId}`)
      .replace(':name', 'kefu-lora-v3')
      .replace(/:[A-Za-z]+/g, '999999999');

  const send = (route: RouteDoc, body: string, query = '') =>
    fetch(`${svc.url}${urlOf(route)}${query}`, {
      method: route.method.toUpperCase(),
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
    }).then(async (res) => ({ status: res.status, body: await res.text() }));

  /** The codes parseBody and readJson answer with (http/body.ts): the request itself was refused. */
  const refusedAsRequest = (answer: { status: number; body: string }) => answer.status === 400 && /"code":"REQUEST\./.test(answer.body);

  test('each JSON body example gets past the route\'s validation; a body that is no object does not', async () => {
    let checked = 0;
    for (const route of ROUTE_DOCS) {
      if (!isJsonBody(route.body)) continue;
      const where = `${route.method} ${route.path}`;
      const good = await send(route, JSON.stringify(route.body.example));
      assert.ok(!refusedAsRequest(good), `${where}: the example was refused: ${good.status} ${good.body}`);
      const bad = await send(route, '"not an object"');
      assert.ok(refusedAsRequest(bad), `${where}: a string body was not refused by validation: ${bad.status} ${bad.body}`);
      checked++;
    }
    assert.ok(checked >= 25, `${checked} routes checked`);
  });

  test('each query example gets past the route\'s validation', async () => {
    let checked = 0;
    for (const route of ROUTE_DOCS) {
      // A stream would stay open; its query is checked against its schema in tests/unit/openapi.test.ts.
      if (!route.query?.example || route.answer?.type === 'text/event-stream' || route.method !== 'get') continue;
      const answer = await send(route, undefined as unknown as string, `?${new URLSearchParams(route.query.example)}`);
      assert.ok(!refusedAsRequest(answer) && answer.status < 500, `${route.method} ${route.path}: ${answer.status} ${answer.body}`);
      checked++;
    }
    assert.ok(checked >= 6, `${checked} routes checked`);
  });
});
