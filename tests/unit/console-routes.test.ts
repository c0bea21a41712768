import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import type { HttpDeps } from '../../src/http/deps.js';
import { consoleRoutes, resolveInside } from '../../src/http/routes/console-routes.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw request: fetch() would fold `..` in the path before it is sent, hiding what we test. */
function get(server: Server, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function serve(dir: string): Promise<Server> {
  const app = new Koa();
  const router = consoleRoutes({} as HttpDeps, dir);
  app.use(router.routes()).use(router.allowedMethods());
  return new Promise((resolvePromise) => {
    const server = app.listen(0, '127.0.0.1', () => resolvePromise(server));
  });
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

describe('console static serving', () => {
  const base = mkdtempSync(join(tmpdir(), 'console-routes-'));
  const dir = join(base, 'console');
  let server: Server;

  before(async () => {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'widget.js'), '/* widget */');
    // Beside the served folder: must never be reachable.
    writeFileSync(join(base, 'secret.txt'), 'top secret');
    server = await serve(dir);
  });
  after(async () => {
    await close(server);
    rmSync(base, { recursive: true, force: true });
  });

  test('/console/ and /console answer index.html, never cached, with the CSP', async () => {
    for (const path of ['/console/', '/console']) {
      const r = await get(server, path);
      assert.equal(r.status, 200, path);
      assert.match(String(r.headers['content-type']), /^text\/html/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.match(r.body, /<title>console<\/title>/);
      const csp = String(r.headers['content-security-policy']);
      for (const part of ["default-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "style-src 'self' 'unsafe-inline'"]) {
        assert.ok(csp.includes(part), `${part} in ${csp}`);
      }
    }
  });

  test('SPA fallback: a path without a file answers index.html', async () => {
    for (const path of ['/console/inbox', '/console/admin/channels', '/console/c/42?x=1']) {
      const r = await get(server, path);
      assert.equal(r.status, 200, path);
      assert.match(r.body, /<title>console<\/title>/, path);
    }
  });

  test('hashed assets: their own content type and a long cache; a missing one is a 404, not HTML', async () => {
    const js = await get(server, '/console/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log(1)');
    const css = await get(server, '/console/assets/index-abc123.css');
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const missing = await get(server, '/console/assets/index-gone.js');
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.body, /<title>/);
  });

  test('path traversal is refused, raw or percent-encoded', async () => {
    for (const path of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt', '/console/assets/..%2f..%2fsecret.txt', '/console/%2e%2e%2f%2e%2e%2fsecret.txt', '/console/%00', '/console/%E0%A4%A']) {
      const r = await get(server, path);
      assert.notEqual(r.body, 'top secret', path);
      assert.equal(r.status, 400, path);
    }
    assert.equal(resolveInside(dir, '../secret.txt'), null);
    assert.equal(resolveInside(dir, '..%2fsecret.txt'), null);
    assert.equal(resolveInside(dir, 'a/../../secret.txt'), null);
    assert.equal(resolveInside(dir, '/etc/passwd'), join(dir, 'etc', 'passwd'));
    assert.equal(resolveInside(dir, 'assets/x.js'), join(dir, 'assets', 'x.js'));
  });

  test('a browser with a current copy gets 304; HEAD gets headers only', async () => {
    const first = await get(server, '/console/assets/index-abc123.js');
    const again = await get(server, '/console/assets/index-abc123.js', 'GET', { 'If-None-Match': String(first.headers.etag) });
    assert.equal(again.status, 304);
    const head = await get(server, '/console/', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(Number(head.headers['content-length']), '<!doctype html><title>console</title>'.length);
  });

  test('/widget.js is served from the same folder', async () => {
    const r = await get(server, '/widget.js');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /javascript/);
    assert.equal(r.body, '/* widget */');
  });

  test('unsafe methods are not served', async () => {
    const r = await get(server, '/console/', 'POST');
    assert.equal(r.status, 405);
  });
});

describe('console not built', () => {
  const base = mkdtempSync(join(tmpdir(), 'console-routes-missing-'));
  let server: Server;
  before(async () => {
    server = await serve(join(base, 'nothing-here'));
  });
  after(async () => {
    await close(server);
    rmSync(base, { recursive: true, force: true });
  });

  test('/console/ answers 503 saying how to build it', async () => {
    for (const path of ['/console/', '/console/inbox', '/console']) {
      const r = await get(server, path);
      assert.equal(r.status, 503, path);
      assert.match(r.body, /build-console/);
    }
  });

  test('/widget.js is a 404 until the widget is built', async () => {
    const r = await get(server, '/widget.js');
    assert.equal(r.status, 404);
  });
});
