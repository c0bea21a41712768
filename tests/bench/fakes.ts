/**
 * Zero-latency, instrumented fakes for the end-to-end overhead: an OpenAI-compatible model server
 * (chat completions with logprobs, protocols/inference.md) that echoes the question's token into
 * its answer, and a WeCom API (gettoken + message/send, protocols/wecom.md §5.2–§5.3). Each notes
 * performance.now() per token: model request in, model answer written, send request in.
 * Own fakes rather than tests/fakes/*, which keep no timestamps; they share its body and JSON helpers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readBody, replyJson } from '../fakes/http-json.js';

/** Question tokens look like `tk-abcdefg`: letters only (see stats.letters). */
const TOKEN = /tk-[a-z]{7}/g;
export const tokensIn = (text: string): string[] => text.match(TOKEN) ?? [];

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
  const server = createServer((req, res) => void handler(req, res).catch(() => res.destroy()));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

export class BenchFakes {
  modelRequests = 0;
  sendRequests = 0;
  gettokenCalls = 0;
  /** token → when the chat request carrying it arrived / its answer was written / the send carrying it arrived. */
  readonly modelIn = new Map<string, number>();
  readonly answerOut = new Map<string, number>();
  readonly sendIn = new Map<string, number>();
  private model!: Server;
  private wecom!: Server;

  async start(): Promise<void> {
    this.model = await listen((req, res) => this.chat(req, res));
    this.wecom = await listen((req, res) => this.platform(req, res));
  }

  get modelUrl(): string { return `http://127.0.0.1:${portOf(this.model)}/v1`; }
  get wecomUrl(): string { return `http://127.0.0.1:${portOf(this.wecom)}`; }

  /** Forget the per-token timestamps (between phases). */
  reset(): void {
    this.modelIn.clear();
    this.answerOut.clear();
    this.sendIn.clear();
  }

  async close(): Promise<void> {
    for (const s of [this.model, this.wecom]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  private async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) return replyJson(res, 404, { error: { message: 'Not Found' } });
    const body = JSON.parse(await readBody(req)) as { model: string; messages: { role: string; content: string }[] };
    this.modelRequests += 1;
    const question = body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    const tokens = tokensIn(question);
    for (const t of tokens) if (!this.modelIn.has(t)) this.modelIn.set(t, arrived);
    const content = `亲，收到您的问题 ${tokens.join(' ')}`;
    const logprobs = Array.from(content, (token) => ({ token, logprob: -0.01, bytes: [...Buffer.from(token)], top_logprobs: [] }));
    replyJson(res, 200, {
      id: `chatcmpl-bench-${this.modelRequests}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: { content: logprobs }, finish_reason: 'stop', stop_reason: null }],
      usage: { prompt_tokens: question.length, completion_tokens: logprobs.length, total_tokens: question.length + logprobs.length },
    });
    const written = performance.now();
    for (const t of tokens) if (!this.answerOut.has(t)) this.answerOut.set(t, written);
  }

  private async platform(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/cgi-bin/gettoken') {
      this.gettokenCalls += 1;
      return replyJson(res, 200, { errcode: 0, errmsg: 'ok', access_token: 'bench-access-token', expires_in: 7200 });
    }
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/message/send') return replyJson(res, 404, { errcode: 404, errmsg: 'not found' });
    if (url.searchParams.get('access_token') !== 'bench-access-token') return replyJson(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
    this.sendRequests += 1;
    const body = JSON.parse(raw) as { msgtype?: string; text?: { content?: string } };
    if (body.msgtype !== 'text' || typeof body.text?.content !== 'string') return replyJson(res, 200, { errcode: 40008, errmsg: 'invalid message type' });
    for (const t of tokensIn(body.text.content)) if (!this.sendIn.has(t)) this.sendIn.set(t, arrived);
    replyJson(res, 200, { errcode: 0, errmsg: 'ok', msgid: `bench-msgid-${this.sendRequests}` });
  }
}
