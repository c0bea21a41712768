/**
 * An OpenAI-compatible model server (the part of vLLM's API we use, protocols/inference.md §1.3,
 * §1.4, §2.2) on a real socket, scriptable per test: reply text and per-token logprobs, HTTP errors
 * (all or per request), delays, held requests, dropped connections. It records every chat request
 * body and header set.
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { deferred, type Deferred } from '../support/deferred.js';
import { closeServer, listenOnLoopback, loopbackUrl } from './http-json.js';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  logprobs?: boolean;
  top_logprobs?: number;
  temperature?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface FakeReply {
  content: string;
  /** One logprob for every token, or one per token (the last one repeats). Default -0.01. */
  logprobs?: number | number[];
  /** Tokens of the reply; default one per character, as a Chinese reply roughly is. */
  tokens?: string[];
  finishReason?: 'stop' | 'length';
  /** Leave `logprobs` out of the choice, as a server that ignores the request field would. */
  omitLogprobs?: boolean;
}

export type ReplyScript = FakeReply | ((body: ChatRequestBody) => FakeReply);

export class FakeModelServer {
  /** Every chat completion request body, in arrival order. */
  readonly requests: ChatRequestBody[] = [];
  readonly requestHeaders: IncomingHttpHeaders[] = [];
  /** The headers of every GET /v1/models (the model catalog, issue 13 item 4). */
  readonly modelListHeaders: IncomingHttpHeaders[] = [];
  /** Requests whose client went away before the answer was written (timeouts, aborts). */
  abortedRequests = 0;
  reply: ReplyScript = { content: '亲，订单满299元包邮哦~' };
  /** Answer chat requests with this HTTP status and an OpenAI-style error body; null = answer normally. */
  failStatus: number | null = null;
  /** Wait this long before answering a chat request. */
  delayMs = 0;
  /** Destroy the socket instead of answering a chat request. */
  dropConnection = false;
  /** Per request: an HTTP status to fail it with, or null to answer (after `failStatus`); e.g. one customer's question only. */
  failWhen: ((body: ChatRequestBody) => number | null) | null = null;
  models = ['qwen2.5-7b-instruct', 'support-v1'];

  private server: Server | null = null;
  private gate: Deferred | null = null;
  /** Gates that hold only the requests they match (e.g. one adapter's). */
  private gates: { matches: (body: ChatRequestBody) => boolean; gate: Deferred }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private abortWaiters: { count: number; resolve: () => void }[] = [];

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.handle(req, res));
    return this;
  }

  /** Base URL including /v1, as MODEL_BASE_URL would be. */
  get url(): string {
    return loopbackUrl(this.server, '/v1', 'fake model server');
  }

  /**
   * Holds every chat request that arrives from now on (recorded, unanswered) until the returned
   * release is called: a request in flight for as long as a test needs, with no timing.
   */
  hold(): () => void {
    const gate = deferred();
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = null;
      gate.resolve();
    };
  }

  /**
   * Like hold(), for the chat requests `matches` picks only (e.g. `(b) => b.model === 'support-v2'`):
   * one adapter's calls stay in flight while the others are answered.
   */
  holdWhen(matches: (body: ChatRequestBody) => boolean): () => void {
    const held = { matches, gate: deferred() };
    this.gates.push(held);
    return () => {
      this.gates = this.gates.filter((g) => g !== held);
      held.gate.resolve();
    };
  }

  /** Resolves once `count` requests in total have been aborted by their client. */
  waitForAbort(count = 1): Promise<void> {
    if (this.abortedRequests >= count) return Promise.resolve();
    return new Promise((resolve) => this.abortWaiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.gate?.resolve();
    for (const g of this.gates) g.gate.resolve();
    this.gates = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    await closeServer(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/health') return void res.writeHead(200).end();
    if (req.method === 'GET' && path === '/v1/models') {
      this.modelListHeaders.push(req.headers);
      return this.json(res, 200, this.modelList());
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return this.json(res, 404, { error: { message: 'Not Found', type: 'NotFoundError', code: 404 } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
    this.requests.push(body);
    this.requestHeaders.push(req.headers);
    res.on('close', () => {
      if (!res.writableFinished) this.noteAbort();
    });
    if (this.gate) {
      await this.gate.promise;
      if (res.destroyed) return;
    }
    for (const held of this.gates.filter((g) => g.matches(body))) {
      await held.gate.promise;
      if (res.destroyed) return;
    }
    if (this.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, this.delayMs);
        this.timers.add(t);
      });
      if (res.destroyed) return;
    }
    if (this.dropConnection) return void req.socket.destroy();
    const failStatus = this.failStatus ?? this.failWhen?.(body) ?? null;
    if (failStatus !== null) {
      return this.json(res, failStatus, { error: { message: 'scripted failure', type: 'InternalServerError', code: failStatus } });
    }
    const script = typeof this.reply === 'function' ? this.reply(body) : this.reply;
    this.json(res, 200, completion(body, script));
  }

  private noteAbort(): void {
    this.abortedRequests += 1;
    const due = this.abortWaiters.filter((w) => w.count <= this.abortedRequests);
    this.abortWaiters = this.abortWaiters.filter((w) => w.count > this.abortedRequests);
    for (const w of due) w.resolve();
  }

  private modelList(): unknown {
    const [base] = this.models;
    return {
      object: 'list',
      data: this.models.map((id) => ({ id, object: 'model', created: 1715644056, owned_by: 'vllm', root: id, parent: id === base ? null : base })),
    };
  }

  private json(res: ServerResponse, status: number, payload: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }
}

function completion(body: ChatRequestBody, reply: FakeReply): unknown {
  const tokens = reply.tokens ?? Array.from(reply.content);
  const lps = reply.logprobs ?? -0.01;
  const logprobAt = (i: number) => (typeof lps === 'number' ? lps : lps[Math.min(i, lps.length - 1)] ?? -0.01);
  const content = tokens.map((token, i) => ({
    token,
    logprob: logprobAt(i),
    bytes: [...Buffer.from(token, 'utf8')],
    top_logprobs: [],
  }));
  const promptTokens = body.messages.reduce((n, m) => n + Array.from(m.content).length, 0);
  return {
    id: `chatcmpl-fake-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.content },
        ...(reply.omitLogprobs ? {} : { logprobs: { content } }),
        finish_reason: reply.finishReason ?? 'stop',
        stop_reason: null,
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length },
  };
}
