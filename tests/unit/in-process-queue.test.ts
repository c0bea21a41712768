import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.js';
import { deferred, type Deferred } from '../support/deferred.js';
import { FakeLog } from '../support/fake-ports.js';

/** Lets queued microtasks and immediates (handler starts, finally blocks) run. */
async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await tick();
}

/** Resolves with each job's data as its handler runs; `waitFor(n)` resolves once n jobs ran. */
function recorder() {
  const seen: Record<string, string>[] = [];
  const waiters: { n: number; resolve(): void }[] = [];
  return {
    seen,
    handler: async (data: Record<string, string>) => {
      seen.push(data);
      waiters.filter((w) => seen.length >= w.n).forEach((w) => w.resolve());
    },
    waitFor: (n: number) => new Promise<void>((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe('createInProcessQueue', () => {
  test('jobs enqueued before process() run once a handler is registered', async () => {
    const queue = createInProcessQueue(new FakeLog());
    await queue.enqueue('turn', { conversationId: 'c1' }, { jobId: 'turn-c1' });
    await queue.enqueue('turn', { conversationId: 'c2' }, { jobId: 'turn-c2' });
    await settle();
    assert.equal(await queue.depth(), 2);
    const r = recorder();
    queue.process('turn', r.handler, 1);
    await r.waitFor(2);
    assert.deepEqual(r.seen, [{ conversationId: 'c1' }, { conversationId: 'c2' }]);
    assert.equal(await queue.depth(), 0);
    await queue.close();
  });

  test('a job id already waiting is not added twice', async () => {
    const queue = createInProcessQueue(new FakeLog());
    await queue.enqueue('send', { outboxId: 'o1', copy: 'first' }, { jobId: 'send-o1-1' });
    await queue.enqueue('send', { outboxId: 'o1', copy: 'second' }, { jobId: 'send-o1-1' });
    await queue.enqueue('send', { outboxId: 'o1', copy: 'other id' }, { jobId: 'send-o1-2' });
    assert.equal(await queue.depth(), 2);
    const r = recorder();
    queue.process('send', r.handler, 4);
    await r.waitFor(2);
    await settle();
    assert.deepEqual(r.seen.map((d) => d.copy), ['first', 'other id']);
    await queue.close();
  });

  test('a delayed job with the same id is not added twice either', async () => {
    const queue = createInProcessQueue(new FakeLog());
    const r = recorder();
    queue.process('turn', r.handler, 1);
    await queue.enqueue('turn', { n: '1' }, { jobId: 'turn-x', delayMs: 5 });
    await queue.enqueue('turn', { n: '2' }, { jobId: 'turn-x' });
    await r.waitFor(1);
    await settle();
    assert.deepEqual(r.seen, [{ n: '1' }]);
    await queue.close();
  });

  test('an id is accepted again once its job has finished', async () => {
    const queue = createInProcessQueue(new FakeLog());
    const r = recorder();
    queue.process('turn', r.handler, 1);
    await queue.enqueue('turn', { n: '1' }, { jobId: 'same' });
    await r.waitFor(1);
    await settle();
    await queue.enqueue('turn', { n: '2' }, { jobId: 'same' });
    await r.waitFor(2);
    assert.deepEqual(r.seen, [{ n: '1' }, { n: '2' }]);
    await queue.close();
  });

  test('a delayed job waits for its delay, then runs', async () => {
    const queue = createInProcessQueue(new FakeLog());
    const r = recorder();
    queue.process('send', r.handler, 1);
    await queue.enqueue('send', { which: 'delayed' }, { jobId: 'd', delayMs: 30 });
    await settle();
    assert.equal(r.seen.length, 0, 'ran before its delay');
    assert.equal(await queue.depth(), 1, 'a delayed job counts in depth');
    await queue.enqueue('send', { which: 'now' }, { jobId: 'n' });
    await r.waitFor(2);
    assert.deepEqual(r.seen.map((d) => d.which), ['now', 'delayed']);
    await queue.close();
  });

  test('never runs more handlers of one name at once than its concurrency', async () => {
    const queue = createInProcessQueue(new FakeLog());
    let active = 0;
    let maxActive = 0;
    const gates: Deferred[] = [];
    let done = 0;
    queue.process(
      'turn',
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        active--;
        done++;
      },
      2,
    );
    for (let i = 0; i < 5; i++) await queue.enqueue('turn', { i: String(i) }, { jobId: `j${i}` });
    await settle();
    assert.equal(active, 2);
    assert.equal(gates.length, 2);
    for (let round = 0; done < 5 && round < 20; round++) {
      gates.forEach((g) => g.resolve());
      await settle();
    }
    assert.equal(done, 5);
    assert.equal(maxActive, 2);
    assert.equal(gates.length, 5);
    await queue.close();
  });

  test('names have separate lanes: a busy turn lane does not hold up sends', async () => {
    const queue = createInProcessQueue(new FakeLog());
    const gate = deferred();
    queue.process('turn', () => gate.promise, 1);
    const sends = recorder();
    queue.process('send', sends.handler, 1);
    await queue.enqueue('turn', {}, { jobId: 't' });
    await queue.enqueue('send', { outboxId: 'o' }, { jobId: 's' });
    await sends.waitFor(1);
    gate.resolve();
    await queue.close();
  });

  test('a failing handler is logged and later jobs still run', async () => {
    const log = new FakeLog();
    const queue = createInProcessQueue(log);
    const ran: string[] = [];
    const r = recorder();
    queue.process(
      'send',
      async (data) => {
        ran.push(data.n);
        if (data.n === '1') throw new Error('platform down');
        await r.handler(data);
      },
      1,
    );
    await queue.enqueue('send', { n: '1' }, { jobId: 'a' });
    await queue.enqueue('send', { n: '2' }, { jobId: 'b' });
    await queue.enqueue('send', { n: '3' }, { jobId: 'c' });
    await r.waitFor(2);
    assert.deepEqual(ran, ['1', '2', '3']);
    const warnings = log.at('warn');
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0].obj, { err: 'platform down', job: 'a' });
    await queue.close();
  });

  test('close() waits for running jobs, starts no waiting ones and refuses new jobs', async () => {
    const queue = createInProcessQueue(new FakeLog());
    const gate = deferred();
    const started: string[] = [];
    let finished = 0;
    queue.process(
      'turn',
      async (data) => {
        started.push(data.n);
        await gate.promise;
        finished++;
      },
      1,
    );
    await queue.enqueue('turn', { n: 'running' }, { jobId: 'r' });
    await queue.enqueue('turn', { n: 'waiting' }, { jobId: 'w' });
    await queue.enqueue('turn', { n: 'delayed' }, { jobId: 'd', delayMs: 5 });
    await settle();
    assert.deepEqual(started, ['running']);

    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await settle();
    assert.equal(closed, false, 'close() resolved while a job was still running');
    await assert.rejects(queue.enqueue('turn', { n: 'late' }, { jobId: 'late' }), /queue is closed/);

    gate.resolve();
    await closing;
    assert.equal(finished, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await settle();
    assert.deepEqual(started, ['running'], 'a waiting or delayed job started after close()');
  });

  test('close() with nothing running resolves at once', async () => {
    const queue = createInProcessQueue(new FakeLog());
    await queue.close();
    await assert.rejects(queue.enqueue('send', {}, { jobId: 'x' }), /queue is closed/);
  });

  test(
    'two close() calls both resolve once the running job ends',
    {},
    async () => {
      const queue = createInProcessQueue(new FakeLog());
      const gate = deferred();
      queue.process('turn', () => gate.promise, 1);
      await queue.enqueue('turn', {}, { jobId: 't' });
      await settle();
      const both = Promise.all([queue.close(), queue.close()]).then(() => 'closed');
      gate.resolve();
      const outcome = await Promise.race([both, new Promise((resolve) => setTimeout(() => resolve('first close() still pending'), 100))]);
      assert.equal(outcome, 'closed');
    },
  );
});
