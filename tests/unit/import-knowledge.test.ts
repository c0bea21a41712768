import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../src/domain/errors.js';
import { importKnowledge } from '../../src/usecases/import-knowledge.js';
import { FakeAuditLog, FakeChannelRepository, FakeKnowledgeRepository, fakeDeps, makeChannel } from '../support/fake-ports.js';

const admin = { id: 'user-admin', role: 'admin' as const };
const line = (row: unknown) => JSON.stringify(row);

function setup() {
  const knowledge = new FakeKnowledgeRepository();
  const audit = new FakeAuditLog();
  const channelRepository = new FakeChannelRepository([makeChannel({ id: 'shop-1' })]);
  return { deps: fakeDeps({ knowledge, audit, channelRepository }), knowledge, audit };
}

describe('importKnowledge', () => {
  test('imports good lines as global entries, trimmed, with a missing input as ""', async () => {
    const { deps, knowledge } = setup();
    const jsonl = [
      line({ instruction: '几点发货', input: '', output: '下午四点前下单当天发货' }),
      line({ instruction: ' 包邮吗 ', output: ' 满99包邮 ' }),
    ].join('\n');
    assert.deepEqual(await importKnowledge(deps, admin, jsonl, null), { imported: 2, skipped: 0, errors: [] });
    assert.deepEqual(knowledge.batches, [
      [
        { channelId: null, instruction: '几点发货', input: '', output: '下午四点前下单当天发货' },
        { channelId: null, instruction: '包邮吗', input: '', output: '满99包邮' },
      ],
    ]);
  });

  test('keeps good lines and reports each bad one by 1-based line number with a reason', async () => {
    const { deps, knowledge } = setup();
    const jsonl = [
      line({ instruction: 'a', output: 'A' }),
      '{"instruction": "broken", ',
      line({ instruction: 'no answer' }),
      line({ instruction: 'b', input: 42, output: 'B' }),
      line({ instruction: 'c', input: '补充', output: 'C' }),
      '[1,2,3]',
      line({ instruction: '', output: 'D' }),
      line({ instruction: 'e', output: '   ' }),
    ].join('\n');
    const result = await importKnowledge(deps, admin, jsonl, null);
    assert.equal(result.imported, 2);
    assert.equal(result.skipped, 6);
    assert.deepEqual(result.errors, [
      { line: 2, error: 'not valid JSON' },
      { line: 3, error: '"output" must be a non-empty string' },
      { line: 4, error: '"input" must be a string' },
      { line: 6, error: 'not a JSON object' },
      { line: 7, error: '"instruction" must be a non-empty string' },
      { line: 8, error: '"output" must be a non-empty string' },
    ]);
    assert.deepEqual(knowledge.batches[0].map((e) => e.instruction), ['a', 'c']);
    assert.equal(knowledge.batches[0][1].input, '补充');
  });

  test('blank lines are ignored but still counted in line numbers, CRLF included', async () => {
    const { deps } = setup();
    const jsonl = ['', line({ instruction: 'a', output: 'A' }), '   ', 'oops', '', ''].join('\r\n');
    const result = await importKnowledge(deps, admin, jsonl, null);
    assert.deepEqual(result, { imported: 1, skipped: 1, errors: [{ line: 4, error: 'not valid JSON' }] });
  });

  test('null, numbers and strings are not entries', async () => {
    const { deps } = setup();
    const result = await importKnowledge(deps, admin, ['null', '7', '"text"'].join('\n'), null);
    assert.deepEqual(result.errors.map((e) => e.error), ['not a JSON object', 'not a JSON object', 'not a JSON object']);
    assert.equal(result.imported, 0);
  });

  test('entries imported for a channel carry its id', async () => {
    const { deps, knowledge } = setup();
    await importKnowledge(deps, admin, line({ instruction: 'a', output: 'A' }), 'shop-1');
    assert.equal(knowledge.batches[0][0].channelId, 'shop-1');
  });

  test('an unknown channelId is NotFoundError and imports nothing', async () => {
    const { deps, knowledge, audit } = setup();
    await assert.rejects(importKnowledge(deps, admin, line({ instruction: 'a', output: 'A' }), 'no-such-channel'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, 'CHANNEL.NOT_FOUND');
      assert.equal(err.httpStatus, 404);
      return true;
    });
    assert.deepEqual(knowledge.batches, []);
    assert.deepEqual(audit.records, []);
  });

  test('records who imported how much into what', async () => {
    const { deps, audit } = setup();
    await importKnowledge(deps, admin, [line({ instruction: 'a', output: 'A' }), 'bad'].join('\n'), 'shop-1');
    await importKnowledge(deps, admin, line({ instruction: 'b', output: 'B' }), null);
    assert.deepEqual(
      audit.records.map(({ actor, action, target, details }) => ({ actor, action, target, details })),
      [
        { actor: 'user-admin', action: 'knowledge.import', target: 'channel:shop-1', details: { imported: 1, skipped: 1 } },
        { actor: 'user-admin', action: 'knowledge.import', target: 'knowledge', details: { imported: 1, skipped: 0 } },
      ],
    );
  });

  test('reports what the repository says it imported', async () => {
    const { deps, knowledge } = setup();
    knowledge.insertMany = async () => 0;
    const result = await importKnowledge(deps, admin, line({ instruction: 'a', output: 'A' }), null);
    assert.equal(result.imported, 0);
  });

  test(
    'a UTF-8 byte-order mark before the first line does not make that line bad',
    {},
    async () => {
      const { deps } = setup();
      const jsonl = '\uFEFF' + [line({ instruction: 'a', output: 'A' }), line({ instruction: 'b', output: 'B' })].join('\n');
      assert.deepEqual(await importKnowledge(deps, admin, jsonl, null), { imported: 2, skipped: 0, errors: [] });
    },
  );

  test('an empty body imports nothing and reports nothing', async () => {
    const { deps } = setup();
    assert.deepEqual(await importKnowledge(deps, admin, '\n\n', null), { imported: 0, skipped: 0, errors: [] });
  });
});
