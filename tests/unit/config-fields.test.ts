import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { describeConfigFields } from '../../src/domain/config-fields.js';
import { statsWindow } from '../../src/usecases/get-dashboard-stats.js';

test('config fields come from the schema: types, options, required-ness; texts from the map', () => {
  const schema = z.object({
    id: z.string().trim().min(1),
    count: z.union([z.number(), z.string().transform(Number)]).pipe(z.number().int()),
    secret: z.string(),
    ids: z.array(z.string()).optional(),
    mode: z.enum(['a', 'b']).default('a'),
    note: z.string().nullable().optional(),
  }).transform((c) => c);
  const fields = describeConfigFields(schema, ['secret'], {
    id: { label: 'ID' }, count: { label: '数量', help: 'a number' }, secret: { label: '密钥' }, ids: { label: 'IDs' }, mode: { label: '模式' }, note: { label: '备注' },
  });
  assert.deepEqual(fields, [
    { name: 'id', label: 'ID', type: 'string', required: true },
    { name: 'count', label: '数量', type: 'number', required: true, help: 'a number' },
    { name: 'secret', label: '密钥', type: 'secret', required: true },
    { name: 'ids', label: 'IDs', type: 'list', required: false },
    { name: 'mode', label: '模式', type: 'enum', required: false, options: ['a', 'b'] },
    { name: 'note', label: '备注', type: 'string', required: false },
  ]);
});

test('dashboard windows are whole UTC buckets ending with the current one', () => {
  const now = new Date('2024-05-06T10:42:13Z');
  assert.deepEqual(statsWindow('24h', now), { since: new Date('2024-05-05T11:00:00Z'), bucket: 'hour', buckets: 24 });
  assert.deepEqual(statsWindow('7d', now), { since: new Date('2024-04-30T00:00:00Z'), bucket: 'day', buckets: 7 });
});

test('with a UTC offset, days start at the viewer\'s midnight and hours on their wall clock', () => {
  // 2024-05-06 00:30 in Shanghai (UTC+8) is 2024-05-05 16:30 UTC: "today" began 30 minutes ago.
  const shanghaiJustAfterMidnight = new Date('2024-05-05T16:30:00Z');
  assert.deepEqual(statsWindow('7d', shanghaiJustAfterMidnight, 480), { since: new Date('2024-04-29T16:00:00Z'), bucket: 'day', buckets: 7 });
  assert.deepEqual(statsWindow('7d', shanghaiJustAfterMidnight), { since: new Date('2024-04-29T00:00:00Z'), bucket: 'day', buckets: 7 }, 'UTC days when no offset is given');
  // India (UTC+5:30): hours start at :30 UTC. West of UTC works the same way.
  assert.deepEqual(statsWindow('24h', new Date('2024-05-06T10:42:13Z'), 330), { since: new Date('2024-05-05T11:30:00Z'), bucket: 'hour', buckets: 24 });
  assert.deepEqual(statsWindow('7d', new Date('2024-05-06T03:00:00Z'), -300), { since: new Date('2024-04-29T05:00:00Z'), bucket: 'day', buckets: 7 });
});
