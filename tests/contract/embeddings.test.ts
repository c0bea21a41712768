/**
 * The OpenAI-compatible embeddings client (issue 12, item 3) against a fake /v1/embeddings server on
 * a real socket: request shape, batching, the bearer key, and every way the node can fail turning
 * into ModelUnavailableError (the dense search then falls back to lexical).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ModelUnavailableError } from '../../src/domain/errors.js';
import { createOpenAiEmbeddingsClient, embeddingsUrl, type OpenAiEmbeddingsClientOptions } from '../../src/model/openai-embeddings-client.js';
import { bagOfCharactersVector, DIMENSIONS, FakeEmbeddingsServer } from '../fakes/fake-embeddings-server.js';

describe('OpenAI-compatible embeddings client against a fake server', () => {
  const fake = new FakeEmbeddingsServer();
  const client = (overrides: Partial<OpenAiEmbeddingsClientOptions> = {}) =>
    createOpenAiEmbeddingsClient({ baseUrl: fake.url, model: 'bge-m3', timeoutMs: 5_000, ...overrides });

  before(() => fake.start());
  after(() => fake.close());
  afterEach(() => fake.reset());

  test('sends model, input and encoding_format and returns one vector per text, in order', async () => {
    const vectors = await client().embed(['包邮吗', '从哪里发货', 'free shipping?']);
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(fake.requests[0], { model: 'bge-m3', input: ['包邮吗', '从哪里发货', 'free shipping?'], encoding_format: 'float' });
    assert.equal(vectors.length, 3);
    assert.deepEqual(vectors[1], bagOfCharactersVector('从哪里发货'));
    assert.equal(vectors[0].length, DIMENSIONS);
  });

  test('answers given out of order are put back in input order by their index', async () => {
    fake.rawAnswer = (body) => ({
      data: (body.input as string[]).map((text, index) => ({ index, embedding: bagOfCharactersVector(text) })).reverse(),
    });
    const vectors = await client().embed(['包邮', '发票']);
    assert.deepEqual(vectors, [bagOfCharactersVector('包邮'), bagOfCharactersVector('发票')]);
  });

  test('splits the texts into batches of batchSize, one request after the other', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `问题${i}`);
    const vectors = await client({ batchSize: 4 }).embed(texts);
    assert.deepEqual(fake.requests.map((r) => (r.input as string[]).length), [4, 4, 2]);
    assert.deepEqual(fake.requests.flatMap((r) => r.input), texts);
    assert.deepEqual(vectors, texts.map(bagOfCharactersVector));
  });

  test('sends the API key as a bearer token, and no authorization header without one', async () => {
    await client({ apiKey: 'sk-embed-123' }).embed(['包邮吗']);
    await client().embed(['包邮吗']);
    assert.equal(fake.requestHeaders[0].authorization, 'Bearer sk-embed-123');
    assert.equal(fake.requestHeaders[1].authorization, undefined);
  });

  test('accepts a base URL with or without /v1, as MODEL_BASE_URL is written', async () => {
    assert.equal(embeddingsUrl('http://gpu:8001/v1'), 'http://gpu:8001/v1/embeddings');
    assert.equal(embeddingsUrl('http://gpu:8001/v1/'), 'http://gpu:8001/v1/embeddings');
    assert.equal(embeddingsUrl('http://gpu:8001'), 'http://gpu:8001/v1/embeddings');
    const withoutV1 = fake.url.replace(/\/v1$/, '');
    assert.equal((await client({ baseUrl: withoutV1 }).embed(['发票'])).length, 1);
  });

  test('an HTTP error is ModelUnavailableError naming the status', async () => {
    fake.failStatus = 503;
    await assert.rejects(client().embed(['包邮吗']), (err: unknown) => err instanceof ModelUnavailableError && /HTTP 503/.test(err.message));
  });

  test('a request that outlasts the timeout fails with a timeout error', async () => {
    const release = fake.hold();
    try {
      await assert.rejects(client({ timeoutMs: 150 }).embed(['包邮吗']), (err: unknown) => err instanceof ModelUnavailableError && /timed out after 150 ms/.test(err.message));
    } finally {
      release();
    }
  });

  test('a caller signal cancels the call', async () => {
    const release = fake.hold();
    const controller = new AbortController();
    try {
      const call = client().embed(['包邮吗'], controller.signal);
      controller.abort();
      await assert.rejects(call, (err: unknown) => err instanceof ModelUnavailableError && /cancelled/.test(err.message));
    } finally {
      release();
    }
  });

  test('a dropped connection and a refused one are ModelUnavailableError', async () => {
    fake.dropConnection = true;
    await assert.rejects(client().embed(['包邮吗']), ModelUnavailableError);
    const down = new FakeEmbeddingsServer();
    await down.start();
    const url = down.url;
    await down.close();
    await assert.rejects(client({ baseUrl: url }).embed(['包邮吗']), (err: unknown) => err instanceof ModelUnavailableError && /embeddings call failed/.test(err.message));
  });

  const badAnswers: [string, (body: { input: string | string[] }) => unknown, RegExp][] = [
    ['not a list', () => ({ object: 'error' }), /no `data` array/],
    ['too few embeddings', () => ({ data: [{ index: 0, embedding: [0.1, 0.2] }] }), /1 embeddings for 2 inputs/],
    ['a repeated index', () => ({ data: [{ index: 0, embedding: [1, 0] }, { index: 0, embedding: [0, 1] }] }), /repeated index 0/],
    ['an index out of range', () => ({ data: [{ index: 0, embedding: [1, 0] }, { index: 2, embedding: [0, 1] }] }), /index 2/],
    ['base64 instead of floats', () => ({ data: [{ index: 0, embedding: 'AAAA' }, { index: 1, embedding: 'AAAA' }] }), /not an array of numbers/],
    ['an empty vector', () => ({ data: [{ index: 0, embedding: [] }, { index: 1, embedding: [] }] }), /not an array of numbers/],
    ['mixed dimensions', () => ({ data: [{ index: 0, embedding: [1, 0] }, { index: 1, embedding: [1, 0, 0] }] }), /2 and 3 dimensions/],
    ['a non-number', () => ({ data: [{ index: 0, embedding: [1, null] }, { index: 1, embedding: [1, 0] }] }), /non-number/],
  ];
  for (const [what, answer, message] of badAnswers) {
    test(`an answer with ${what} is a clear ModelUnavailableError`, async () => {
      fake.rawAnswer = answer;
      await assert.rejects(client().embed(['包邮吗', '发票']), (err: unknown) => err instanceof ModelUnavailableError && message.test(err.message));
    });
  }

  test('an answer that is not JSON (a proxy\'s error page with a 200) is a clear ModelUnavailableError', async () => {
    fake.rawAnswer = () => '<html><body>502 Bad Gateway</body></html>';
    await assert.rejects(client().embed(['包邮吗']), (err: unknown) => err instanceof ModelUnavailableError && /not usable: not JSON/.test(err.message));
  });
});
