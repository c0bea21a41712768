import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createTurnSlots } from '../../src/jobs/turn-slots.js';
import { deferred } from '../support/deferred.js';

test('no more than `size` turns run at once; the next starts when one ends', async () => {
  const slots = createTurnSlots(2);
  const gates = [deferred(), deferred(), deferred()];
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const turns = gates.map((g, i) => slots.run(async () => {
    started.push(i);
    running += 1;
    most = Math.max(most, running);
    await g.promise;
    running -= 1;
    return i;
  }));
  await tick();
  assert.deepEqual(started, [0, 1]);
  gates[1].resolve();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  gates[0].resolve();
  gates[2].resolve();
  assert.deepEqual(await Promise.all(turns), [0, 1, 2]);
  assert.equal(most, 2);
});

test('a turn waiting outside frees its slot, and takes one again before it goes on', async () => {
  const slots = createTurnSlots(1);
  const model = deferred();
  const order: string[] = [];
  const first = slots.run(async () => {
    const answer = await slots.outside(async () => {
      order.push('model called');
      await model.promise;
      return 'ok';
    });
    order.push('first resumes');
    return answer;
  });
  const second = deferred();
  const other = slots.run(async () => {
    order.push('second runs');
    await second.promise;
    order.push('second ends');
  });
  await tick();
  assert.deepEqual(order, ['model called', 'second runs'], 'the second turn ran while the first waited for the model');
  model.resolve();
  await tick();
  assert.deepEqual(order, ['model called', 'second runs'], 'the first turn waits for a slot after the model answered');
  second.resolve();
  assert.equal(await first, 'ok');
  await other;
  assert.deepEqual(order, ['model called', 'second runs', 'second ends', 'first resumes']);
});

test('a failing turn or wait gives its slot back', async () => {
  const slots = createTurnSlots(1);
  await assert.rejects(slots.run(async () => { throw new Error('turn failed'); }), /turn failed/);
  await assert.rejects(slots.run(() => slots.outside(async () => { throw new Error('model down'); })), /model down/);
  assert.equal(await slots.run(async () => 'still usable'), 'still usable');
});
