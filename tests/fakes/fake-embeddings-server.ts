/**
 * An OpenAI-compatible embeddings server (`POST /v1/embeddings`, as vLLM serves it) on a real socket
 * on 127.0.0.1, for issue 12's dense retrieval. Its model is a bag of characters: every Han
 * character and every ASCII word is hashed into one of DIMENSIONS buckets and the counts are
 * L2-normalized. That proves the fusion path, not retrieval quality. `sameMeaning` lets a test say
 * that two texts mean the same (a real model's job), so a match the lexical search cannot see exists.
 * It counts how often each text was embedded, so tests can see "embedded once".
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { deferred, type Deferred } from '../support/deferred.js';
import { closeServer, listenOnLoopback, loopbackUrl, readBody, replyJson } from './http-json.js';

export const DIMENSIONS = 256;

export interface EmbeddingsRequestBody {
  model: string;
  input: string | string[];
  encoding_format?: string;
  [key: string]: unknown;
}

/** FNV-1a, 32 bits: a stable bucket for a token. */
function bucket(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % DIMENSIONS;
}

/** Han characters one by one, ASCII words (letters and digits) whole; everything else is ignored. */
export function bagOfCharactersTokens(text: string): string[] {
  return text.toLowerCase().match(/\p{Script=Han}|[a-z0-9]+/gu) ?? [];
}

/** The fake's model: hashed token counts, L2-normalized (all zeros for a text with no tokens). */
export function bagOfCharactersVector(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  for (const token of bagOfCharactersTokens(text)) v[bucket(token)] += 1;
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

export class FakeEmbeddingsServer {
  /** Every embeddings request body, in arrival order. */
  readonly requests: EmbeddingsRequestBody[] = [];
  readonly requestHeaders: IncomingHttpHeaders[] = [];
  /** How many times each text was embedded. */
  readonly embedded = new Map<string, number>();
  /** Answer with this HTTP status and an OpenAI-style error body; null = answer normally. */
  failStatus: number | null = null;
  /** Destroy the socket instead of answering. */
  dropConnection = false;
  /** Replace the answer (a malformed one for contract tests): a string is sent as an HTML page, anything else as JSON; null = the real answer. */
  rawAnswer: ((body: EmbeddingsRequestBody) => unknown) | null = null;
  /** Texts embedded as if they were another text: what a real model would see as the same meaning. */
  private readonly meanings = new Map<string, string>();
  private server: Server | null = null;
  private gate: Deferred | null = null;
  private holdOnly: ((body: EmbeddingsRequestBody) => boolean) | null = null;

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.handle(req, res));
    return this;
  }

  /** Base URL including /v1, as EMBEDDING_BASE_URL would be. */
  get url(): string {
    return loopbackUrl(this.server, '/v1', 'fake embeddings server');
  }

  /** From now on `text` is embedded as `like` is. */
  sameMeaning(text: string, like: string): void {
    this.meanings.set(text, like);
  }

  /** How many times `text` was embedded (0 if never). */
  timesEmbedded(text: string): number {
    return this.embedded.get(text) ?? 0;
  }

  /** Texts embedded so far, counting repeats: the number of vectors computed. */
  get totalEmbedded(): number {
    let n = 0;
    for (const count of this.embedded.values()) n += count;
    return n;
  }

  /**
   * Holds every request from now on (recorded, unanswered), or only those `only` picks, until the
   * returned release is called: a request in flight for as long as a test needs, with no timing.
   */
  hold(only: ((body: EmbeddingsRequestBody) => boolean) | null = null): () => void {
    const gate = deferred();
    this.gate = gate;
    this.holdOnly = only;
    return () => {
      if (this.gate === gate) this.gate = null;
      gate.resolve();
    };
  }

  reset(): void {
    this.requests.length = 0;
    this.requestHeaders.length = 0;
    this.embedded.clear();
    this.failStatus = null;
    this.dropConnection = false;
    this.rawAnswer = null;
    this.gate?.resolve();
    this.gate = null;
  }

  async close(): Promise<void> {
    this.gate?.resolve();
    const server = this.server;
    this.server = null;
    await closeServer(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/health') return void res.writeHead(200).end();
    if (req.method !== 'POST' || path !== '/v1/embeddings') {
      return replyJson(res, 404, { error: { message: 'Not Found', type: 'NotFoundError', code: 404 } });
    }
    const body = JSON.parse(await readBody(req)) as EmbeddingsRequestBody;
    this.requests.push(body);
    this.requestHeaders.push(req.headers);
    if (this.gate && (this.holdOnly === null || this.holdOnly(body))) {
      await this.gate.promise;
      if (res.destroyed) return;
    }
    if (this.dropConnection) return void req.socket.destroy();
    if (this.failStatus !== null) {
      return replyJson(res, this.failStatus, { error: { message: 'scripted failure', type: 'InternalServerError', code: this.failStatus } });
    }
    if (this.rawAnswer) {
      const answer = this.rawAnswer(body);
      if (typeof answer === 'string') return void res.writeHead(200, { 'content-type': 'text/html' }).end(answer);
      return replyJson(res, 200, answer);
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    // As vLLM does: an empty input list is a client error.
    if (!Array.isArray(inputs) || inputs.length === 0) {
      return replyJson(res, 400, { error: { message: 'input must be a non-empty list', type: 'BadRequestError', code: 400 } });
    }
    const data = inputs.map((text, index) => {
      this.embedded.set(text, this.timesEmbedded(text) + 1);
      return { object: 'embedding', index, embedding: bagOfCharactersVector(this.meanings.get(text) ?? text) };
    });
    const tokens = inputs.reduce((n, t) => n + bagOfCharactersTokens(t).length, 0);
    replyJson(res, 200, { id: `embd-fake-${this.requests.length}`, object: 'list', created: Math.floor(Date.now() / 1000), model: body.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }
}
