import { request } from 'undici';
import { ModelUnavailableError } from '../domain/errors.js';
import type { Embedder } from '../ports/embeddings.js';

/**
 * Texts per request. vLLM batches whatever arrives; 64 short phrasings keep one request well under a
 * second on a GPU node and the JSON answer (64 × 1024 floats ≈ 1.3 MB) small enough to parse at once.
 */
const DEFAULT_EMBEDDING_BATCH = 64;

export interface OpenAiEmbeddingsClientOptions {
  /** EMBEDDING_BASE_URL: like MODEL_BASE_URL, e.g. http://gpu-node:8001/v1 (a base without /v1 gets it). */
  baseUrl: string;
  apiKey?: string;
  /** EMBEDDING_MODEL, sent as `model`. */
  model: string;
  /** Per request: a batch that takes longer fails with ModelUnavailableError. */
  timeoutMs: number;
  batchSize?: number;
}

/** The endpoint for a base URL with or without the /v1 suffix (issue 12: MODEL_BASE_URL carries /v1). */
export function embeddingsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/embeddings` : `${base}/v1/embeddings`;
}

function notEmbeddings(why: string): ModelUnavailableError {
  return new ModelUnavailableError(`embeddings response is not usable: ${why}`);
}

/**
 * The vectors of one answer, in input order. Checked by hand in one loop rather than by zod: a batch
 * holds ~65,000 numbers and a per-element schema parse costs milliseconds (cf. the chat client's logprobs).
 */
function vectorsFromResponse(json: unknown, expected: number): number[][] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw notEmbeddings('no `data` array');
  if (data.length !== expected) throw notEmbeddings(`${data.length} embeddings for ${expected} inputs`);
  const vectors = new Array<number[]>(expected);
  let dimensions = -1;
  for (const item of data as unknown[]) {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index] !== undefined) {
      throw notEmbeddings(`bad or repeated index ${String(index)}`);
    }
    // A string here is encoding_format=base64, which we never ask for.
    if (!Array.isArray(embedding) || embedding.length === 0) throw notEmbeddings(`embedding ${index} is not an array of numbers`);
    if (dimensions === -1) dimensions = embedding.length;
    if (embedding.length !== dimensions) throw notEmbeddings(`embeddings of ${dimensions} and ${embedding.length} dimensions in one answer`);
    for (const x of embedding) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw notEmbeddings(`embedding ${index} holds a non-number`);
    }
    vectors[index] = embedding as number[];
  }
  return vectors;
}

function describe(err: unknown, timeoutMs: number): ModelUnavailableError {
  if (err instanceof ModelUnavailableError) return err;
  const e = err as { code?: string; name?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return new ModelUnavailableError(`embeddings call timed out after ${timeoutMs} ms`, err);
  if (e.name === 'AbortError') return new ModelUnavailableError('embeddings call was cancelled', err);
  return new ModelUnavailableError(`embeddings call failed: ${e.message ?? String(err)}`, err);
}

/** An Embedder over an OpenAI-compatible `POST /v1/embeddings` (vLLM, TEI, OpenAI). */
export function createOpenAiEmbeddingsClient(opts: OpenAiEmbeddingsClientOptions): Embedder {
  const url = embeddingsUrl(opts.baseUrl);
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_EMBEDDING_BATCH);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;

  async function embedBatch(input: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    try {
      // undici's request() as in the chat client (openai-compatible-responder.ts): less CPU than fetch.
      const res = await request(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: opts.model, input, encoding_format: 'float' }),
        signal: combined,
      });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        void res.body.dump().catch(() => undefined);
        throw new ModelUnavailableError(`embeddings node answered HTTP ${res.statusCode}`);
      }
      const json = await res.body.json().catch((err: unknown) => {
        if (combined.aborted) throw err;
        throw notEmbeddings('not JSON');
      });
      return vectorsFromResponse(json, input.length);
    } catch (err) {
      throw describe(err, opts.timeoutMs);
    }
  }

  return {
    model: opts.model,
    async embed(texts, signal) {
      const vectors: number[][] = [];
      // One batch after the other: building an index never floods the node that also answers queries.
      for (let i = 0; i < texts.length; i += batchSize) {
        vectors.push(...(await embedBatch(texts.slice(i, i + batchSize), signal)));
      }
      return vectors;
    },
  };
}
