/**
 * Dense retrieval next to the lexical search (issue 12, item 3) on the real database of a test
 * service (PostgreSQL or PGlite, migrations included) and a fake OpenAI-compatible embeddings server
 * on a real socket: entries are embedded once and stored, an edit re-embeds only that entry, another
 * EMBEDDING_MODEL re-embeds everything, a dead or hanging node leaves the lexical results, and the
 * fusion brings in a match the lexical search cannot see without changing any lexical score.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { createKnowledgeEmbeddingStore } from '../../src/db/knowledge-embedding-store.js';
import { createLogger } from '../../src/logger.js';
import { entryEmbeddingText, FusedKnowledgeSearch, type FusedKnowledgeSearchOptions } from '../../src/model/fused-knowledge-search.js';
import { createOpenAiEmbeddingsClient } from '../../src/model/openai-embeddings-client.js';
import type { EmbeddingStore } from '../../src/ports/embeddings.js';
import type { KnowledgeRecord, KnowledgeRepository } from '../../src/ports/knowledge-repository.js';
import type { KnowledgeSearch } from '../../src/ports/responder.js';
import { FakeEmbeddingsServer } from '../fakes/fake-embeddings-server.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { readKnowledgeJsonl } from '../support/memory-knowledge-repository.js';

const DEMO_KB = fileURLToPath(new URL('../../src/demo/demo-kb.jsonl', import.meta.url));

describe(`dense retrieval on a real database (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let repository: KnowledgeRepository;
  let lexical: KnowledgeSearch;
  let store: EmbeddingStore;
  let entries: KnowledgeRecord[];
  const fake = new FakeEmbeddingsServer();
  const logLines: { level: number; msg: string }[] = [];
  const logger = createLogger('info', new Writable({ write(chunk, _enc, done) { logLines.push(JSON.parse(String(chunk))); done(); } }));

  const fused = (model = 'bge-m3', opts: FusedKnowledgeSearchOptions = {}, timeoutMs = 5_000) =>
    new FusedKnowledgeSearch(lexical, repository, createOpenAiEmbeddingsClient({ baseUrl: fake.url, model, timeoutMs }), store, {
      versionCheckIntervalMs: 0,
      retryAfterMs: 0,
      logger,
      ...opts,
    });
  const storedRows = async (model: string) =>
    (await svc.service.db.query<{ entry_id: string; content_hash: string; n: number }>(
      'SELECT entry_id::text AS entry_id, content_hash, cardinality(vector) AS n FROM knowledge_embeddings WHERE model = $1 ORDER BY entry_id',
      [model],
    )).rows;
  const entryTexts = () => entries.map(entryEmbeddingText);

  before(async () => {
    await fake.start();
    storage = await createStorage();
    svc = await startTestService(storage, { SWEEP_INTERVAL_MS: '600000' });
    repository = svc.service.core.knowledge;
    // The lexical search the service runs (whatever implements it), asked through its interface only.
    lexical = svc.service.core.search;
    store = createKnowledgeEmbeddingStore(svc.service.db);
    await repository.insertMany(readKnowledgeJsonl(DEMO_KB).slice(0, 12));
    entries = await repository.listFor(null);
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
    await fake.close();
  });
  afterEach(() => {
    fake.reset();
    logLines.length = 0;
  });

  test('each entry is embedded once, stored, and not embedded again by a second search or a second process', async () => {
    const search = fused();
    await search.search('ch_a', '包邮吗', 3);
    await search.search('ch_b', '从哪里发货', 3);
    await search.search('ch_a', '能用PayPal吗', 3);
    for (const text of entryTexts()) assert.equal(fake.timesEmbedded(text), 1, `embedded once: ${text}`);
    assert.equal(fake.totalEmbedded, entries.length + 3, 'the entries once, and each question');

    const rows = await storedRows('bge-m3');
    assert.deepEqual(rows.map((r) => r.entry_id).sort(), entries.map((e) => e.id).sort());
    assert.ok(rows.every((r) => Number(r.n) === 256), 'full vectors stored as real[]');

    // Another process (a fresh instance) finds the stored vectors: only its question is embedded.
    fake.reset();
    const restarted = fused();
    const hits = await restarted.search('ch_a', '包邮吗', 3);
    assert.equal(hits[0].entry.instruction, '客户问是否包邮');
    assert.deepEqual([...fake.embedded.keys()], ['包邮吗']);
  });

  test('editing an entry re-embeds that entry only, and its stored row follows', async () => {
    const search = fused();
    await search.search('ch_a', '包邮吗', 3);
    const before = await storedRows('bge-m3');
    fake.reset();

    const edited = entries[1];
    await repository.update(edited.id, { instruction: edited.instruction, input: '你们在哪发货 / 从国内发吗', output: edited.output });
    await search.search('ch_a', '包邮吗', 3);

    assert.deepEqual([...fake.embedded.keys()].sort(), [`${edited.instruction}\n你们在哪发货 / 从国内发吗\n${edited.output}`, '包邮吗'].sort());
    const afterEdit = await storedRows('bge-m3');
    const changed = afterEdit.filter((r) => before.find((b) => b.entry_id === r.entry_id)?.content_hash !== r.content_hash);
    assert.deepEqual(changed.map((r) => r.entry_id), [edited.id]);
    entries = await repository.listFor(null);
  });

  test('another EMBEDDING_MODEL embeds every entry again, and keeps its vectors apart', async () => {
    await fused('bge-m3').search('ch_a', '包邮吗', 3);
    fake.reset();
    // Two channels' indexes built at once share the global entries' embedding.
    const search = fused('qwen3-embedding-0.6b');
    await Promise.all([search.search('ch_a', '包邮吗', 3), search.search('ch_b', '发票', 3)]);
    for (const text of entryTexts()) assert.equal(fake.timesEmbedded(text), 1, `re-embedded once for the new model: ${text}`);
    assert.ok(fake.requests.every((r) => r.model === 'qwen3-embedding-0.6b'));
    assert.equal((await storedRows('qwen3-embedding-0.6b')).length, entries.length);
    assert.equal((await storedRows('bge-m3')).length, entries.length, 'the old model\'s rows are left for processes still on it');
  });

  test('a match only the embeddings see is fused into the results, with lexical score 0; lexical scores stay as they were', async () => {
    const shipping = entries.find((e) => e.instruction === '客户问是否包邮')!;
    // A real model would see these as the same question; the lexical search shares no word with it.
    const question = 'zzq vvk?';
    fake.sameMeaning(question, entryEmbeddingText(shipping));
    const lexicalOnly = await lexical.search('ch_a', question, 50);
    assert.ok(!lexicalOnly.some((h) => h.entry.id === shipping.id), 'precondition: lexical search cannot find it');

    const hits = await fused().search('ch_a', question, 3);
    const found = hits.find((h) => h.entry.id === shipping.id);
    assert.ok(found, `dense-only match in the results: ${JSON.stringify(hits.map((h) => h.entry.instruction))}`);
    assert.equal(found.score, 0, 'no calibrated score for a dense-only match');

    // For a question the lexical search does find, every hit keeps its lexical score.
    const lexicalHits = new Map((await lexical.search('ch_a', '退货运费谁出', 50)).map((h) => [h.entry.id, h.score]));
    const fusedHits = await fused().search('ch_a', '退货运费谁出', 5);
    assert.equal(fusedHits.length, 5);
    for (const hit of fusedHits) assert.equal(hit.score, lexicalHits.get(hit.entry.id) ?? 0, `score of ${hit.entry.instruction}`);
  });

  test('embeddings node answering errors: lexical results, logged once for the outage, and once more when it is back', async () => {
    const search = fused();
    await search.search('ch_a', '包邮吗', 3); // index built while the node is up
    fake.failStatus = 503;
    for (const question of ['包邮吗', '从哪里发货', '能用PayPal吗']) {
      const expected = await lexical.search('ch_a', question, 3);
      assert.deepEqual(await search.search('ch_a', question, 3), expected, `lexical results for ${question}`);
    }
    assert.equal(fake.requests.length, 4, 'each search still asked the node (retryAfterMs 0)');
    const warnings = logLines.filter((l) => /dense knowledge search unavailable/.test(l.msg));
    assert.equal(warnings.length, 1, 'one warning for the whole outage');

    fake.failStatus = null;
    await search.search('ch_a', '包邮吗', 3);
    assert.equal(logLines.filter((l) => /available again/.test(l.msg)).length, 1);
  });

  test('embeddings node down from the start (no index can be built): lexical results, one warning', async () => {
    const search = fused('never-embedded-model');
    await fake.close();
    try {
      for (const question of ['包邮吗', '从哪里发货']) {
        assert.deepEqual(await search.search('ch_a', question, 3), await lexical.search('ch_a', question, 3));
      }
      assert.equal(logLines.filter((l) => /dense knowledge search unavailable/.test(l.msg)).length, 1);
    } finally {
      await fake.start();
    }
    assert.equal((await storedRows('never-embedded-model')).length, 0);
  });

  test('after a failure the node is left alone for retryAfterMs: no call per turn while it is down', async () => {
    fake.failStatus = 503;
    const search = fused('bge-m3', { retryAfterMs: 600_000 });
    await search.search('ch_a', '包邮吗', 3);
    const asked = fake.requests.length;
    assert.ok(asked > 0);
    assert.deepEqual(await search.search('ch_a', '从哪里发货', 3), await lexical.search('ch_a', '从哪里发货', 3));
    assert.equal(fake.requests.length, asked, 'not asked again within the window');
  });

  test('a hanging embeddings node: the search returns the lexical results once the query embedding times out', async () => {
    const search = fused('bge-m3', {}, 300);
    await search.search('ch_a', '包邮吗', 3);
    const release = fake.hold();
    try {
      const expected = await lexical.search('ch_a', '从哪里发货', 3);
      assert.deepEqual(await search.search('ch_a', '从哪里发货', 3), expected);
      assert.match(logLines.find((l) => /unavailable/.test(l.msg))?.msg ?? '', /lexically only/);
    } finally {
      release();
    }
  });

  test('a slow first index build does not hold the turn: lexical results now, fused ones once it is built', { timeout: 30_000 }, async () => {
    const shipping = entries.find((e) => e.instruction === '客户问是否包邮')!;
    const question = 'qqx jjw?';
    fake.sameMeaning(question, entryEmbeddingText(shipping));
    // Hold the entries' batch (several texts), not the question's embedding.
    const release = fake.hold((body) => Array.isArray(body.input) && body.input.length > 1);
    const search = fused('slow-model', { indexWaitMs: 100 });
    try {
      assert.deepEqual(await search.search('ch_a', question, 3), await lexical.search('ch_a', question, 3));
      assert.equal(logLines.filter((l) => /unavailable/.test(l.msg)).length, 0, 'still building is no outage');
    } finally {
      release();
    }
    await waitFor('the index built and stored', async () => (await storedRows('slow-model')).length === entries.length);
    const hits = await search.search('ch_a', question, 3);
    assert.ok(hits.some((h) => h.entry.id === shipping.id), 'fused once built');
  });

  test('a long message is embedded by its last 2,000 characters', async () => {
    const search = fused();
    const story = '我上个月买了一件外套，'.repeat(300) + '请问包邮吗';
    await search.search('ch_a', story, 3);
    const sent = fake.requests.map((r) => r.input as string[]).find((input) => input.length === 1 && input[0].endsWith('请问包邮吗'));
    assert.ok(sent);
    assert.equal(Array.from(sent[0]).length, 2000);
  });

  test('deleting an entry deletes its vectors (ON DELETE CASCADE)', async () => {
    await fused().search('ch_a', '包邮吗', 3);
    const gone = entries[entries.length - 1];
    assert.ok((await storedRows('bge-m3')).some((r) => r.entry_id === gone.id));
    await repository.delete(gone.id);
    assert.ok(!(await storedRows('bge-m3')).some((r) => r.entry_id === gone.id));
    // A vector saved for an entry deleted meanwhile is skipped, not an error.
    await store.save('bge-m3', [{ entryId: gone.id, contentHash: 'x', vector: [1, 0] }]);
    assert.ok(!(await storedRows('bge-m3')).some((r) => r.entry_id === gone.id));
    entries = await repository.listFor(null);
  });
});
