import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import type { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { RedisInstance } from '../support/redis-instance.js';
import { freePort, startChildService } from '../support/child-service.js';
import { ADMIN_TOKEN, createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/** Issue 11: what a bad day for Redis or PostgreSQL did to readiness, shutdown and start-up. */

/** /readyz with a client deadline: a hang is a failure, not a slow pass. */
async function readyz(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json() };
}

describe('Redis hung (SIGSTOP) or down', { skip: mode !== 'real' && 'needs a Redis of its own' }, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let model: FakeModelServer;
  let redis: RedisInstance;

  before(async () => {
    redis = await RedisInstance.create();
    fake = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
  });
  after(async () => {
    await redis?.dispose();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('/readyz answers 503 at once while Redis is hung, messages are still answered once, and readiness returns with it', async () => {
    const svc: TestService = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, REDIS_URL: redis.url });
    try {
      const channelId = await createWecomChannel(svc, app);
      assert.equal((await readyz(svc.url)).status, 200);
      redis.pause();
      const during = await readyz(svc.url);
      assert.equal(during.status, 503);
      assert.equal(during.body.checks.redis, false);
      assert.equal(during.body.checks.database, true);
      assert.equal((await postText(svc, channelId, app, { from: 'h1', content: '包邮吗', msgId: '820001' })).status, 200);
      await waitFor('a reply while Redis is hung', () => fake.sent.some((m) => m.touser === 'h1'), 20000);
      redis.resume();
      await waitFor('readiness after SIGCONT', async () => (await readyz(svc.url)).status === 200, 20000);
      await sleep(1500);
      assert.equal(fake.sent.filter((m) => m.touser === 'h1').length, 1);
    } finally {
      redis.resume();
      await svc.close();
    }
  });

  test('SIGTERM while Redis is down drains and exits 0 (not the forced exit 1)', async () => {
    const child = await startChildService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, REDIS_URL: redis.url });
    await redis.kill9();
    await sleep(500);
    const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
    child.process.kill('SIGTERM');
    assert.equal(await exited, 0, child.output().slice(-2000));
    await redis.start();
  });
});

describe('PostgreSQL not there yet at start-up', { skip: mode !== 'real' && 'needs PostgreSQL' }, () => {
  let storage: Storage;
  let proxy: net.Server | null = null;

  before(async () => {
    storage = await createStorage();
  });
  after(async () => {
    proxy?.close();
    await storage?.dispose();
  });

  test('the service waits with backoff, says why, and starts when the database answers', async (t) => {
    // The database is reached through a port nothing listens on yet; a TCP relay opens it later.
    const port = await freePort();
    const target = new URL(storage.env.DATABASE_URL);
    const viaRelay = new URL(storage.env.DATABASE_URL);
    viaRelay.port = String(port);
    // The relay opens once the service has said it is waiting (not after a fixed sleep, which a
    // loaded machine outruns); startChildService resolves once /healthz answers, which it cannot
    // before the database does.
    let sawWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => (sawWaiting = resolve));
    const starting = startChildService(storage, { DATABASE_URL: viaRelay.toString() }, {
      onOutput: (output) => /PostgreSQL is not reachable yet; waiting/.test(output) && sawWaiting(),
    });
    // A child left running would keep this file from ever finishing: stop it whatever happens.
    t.after(async () => (await starting.catch(() => null))?.stop());
    await Promise.race([waiting, starting.then(() => assert.fail('started before the database answered'))]);
    proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
    });
    await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));
    const child = await starting;
    assert.match(child.output(), /PostgreSQL is not reachable yet; waiting/);
    assert.equal((await fetch(`${child.url}/readyz`)).status, 200);
  });
});

describe(`a master key that does not open the stored secrets (${mode})`, () => {
  let storage: Storage;
  before(async () => {
    storage = await createStorage();
  });
  after(async () => {
    await storage?.dispose();
  });

  test('start-up fails with a message naming MASTER_KEY, not a bare decryption error', async () => {
    const svc = await startTestService(storage);
    await createWecomChannel(svc, newWecomApp());
    await svc.close();
    await assert.rejects(startTestService(storage, { MASTER_KEY: randomBytes(32).toString('base64') }), (err: Error) => {
      assert.match(err.message, /MASTER_KEY/);
      assert.match(err.message, /cannot decrypt the channel secrets/);
      return true;
    });
    // The right key still starts it.
    const again = await startTestService(storage);
    await again.close();
  });
});

describe(`a request body sent a byte at a time (${mode})`, { skip: mode !== 'real' && 'one mode is enough: the HTTP server is the same' }, () => {
  test('the server cuts the request instead of holding the connection', async () => {
    const storage = await createStorage();
    const svc = await startTestService(storage);
    try {
      const { port } = new URL(svc.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      // A route that reads its body: the knowledge import, as the admin.
      socket.write(`POST /api/knowledge/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n`);
      let sent = 0;
      const dribble = setInterval(() => {
        if (socket.destroyed || sent >= 99) return clearInterval(dribble);
        socket.write('{');
        sent++;
      }, 1000);
      await closed;
      clearInterval(dribble);
      // 100 bytes at one a second would take 100 s: the server closed it long before the body was whole.
      assert.ok(sent < 60, `server kept the connection for ${sent} bytes`);
      assert.match(answer, /^HTTP\/1\.1 408/);
    } finally {
      await svc.close();
      await storage.dispose();
    }
  });
});
