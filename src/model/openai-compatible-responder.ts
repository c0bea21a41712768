import type { Logger } from 'pino';
import { request } from 'undici';
import { z } from 'zod';
import { confidenceFromLogprobs } from '../domain/confidence.js';
import { ModelUnavailableError } from '../domain/errors.js';
import type { Responder, ResponderAnswer, ResponderInput } from '../ports/responder.js';
import { createModelCircuit, type BreakerSettings, type BreakerState } from './model-circuit.js';
import { buildChatMessages } from './prompt.js';

export type { BreakerSettings, BreakerState } from './model-circuit.js';

/**
 * A reply cut off by max_tokens ends mid-sentence and may miss the part that answers the question,
 * however sure the model was of the tokens it did write: its confidence is capped below any sensible
 * handoff threshold (the default is 0.6) so such a reply goes to a human.
 */
export const TRUNCATED_CONFIDENCE_CAP = 0.3;
/** Low enough to keep the shop's voice stable, not 0 so that tuned phrasing still varies a little. */
const TEMPERATURE = 0.3;
const MAX_TOKENS = 512;

export interface OpenAiCompatibleResponderOptions {
  /** e.g. http://gpu-node:8000/v1 (vLLM). */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  logger?: Pick<Logger, 'warn'>;
  breaker?: BreakerSettings;
}

export interface OpenAiCompatibleResponder extends Responder {
  /** True while calls fail fast without reaching the model node (for metrics and readiness). */
  isOpen(): boolean;
  /** A function property, not a method: main.ts hands it to the metrics detached. */
  state: () => BreakerState;
  /** Stops the breaker's timers; later calls fail with ModelUnavailableError. */
  close(): void;
}

/**
 * Half-open 4 s after opening (issue 11: at 30 s, chats went to humans for up to 30 s after a model
 * blip ended). A probe every 4 s while the node is down costs one 1-token completion.
 */
const DEFAULT_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, resetTimeoutMs: 4_000, volumeThreshold: 5 };
/** The trial call while half-open: the smallest completion that proves the node answers. */
const PROBE_QUESTION = 'ping';

// Only the fields we use; vLLM and OpenAI send more (protocols/inference.md §2.2).
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        // One entry per generated token (hundreds in a long reply): checked by tokenLogprobs() in one
        // loop, as zod's per-element object parse cost ~4 µs a token on this machine (issue #2 bench).
        logprobs: z.object({ content: z.array(z.unknown()).nullable() }).nullable().optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

/** What a probe needs to see: the node produced a completion. */
const probeSchema = z.object({ choices: z.array(z.unknown()).min(1) });

function tokenLogprobs(content: unknown[] | null | undefined): { logprob: number }[] | null {
  if (!content) return null;
  for (const token of content) {
    if (typeof (token as { logprob?: unknown } | null)?.logprob !== 'number') {
      throw new ModelUnavailableError('model response is not a chat completion: a token without a numeric logprob');
    }
  }
  return content as { logprob: number }[];
}

function toAnswer(json: unknown): ResponderAnswer {
  const parsed = completionSchema.safeParse(json);
  if (!parsed.success) throw new ModelUnavailableError('model response is not a chat completion', parsed.error);
  const choice = parsed.data.choices[0];
  const text = (choice.message.content ?? '').trim();
  if (text.length === 0) throw new ModelUnavailableError('model returned an empty reply');
  const tokens = tokenLogprobs(choice.logprobs?.content);
  // We asked for logprobs; a server that drops them (e.g. some compatibility layers) cannot be trusted to answer alone.
  if (!tokens || tokens.length === 0) throw new ModelUnavailableError('model response carries no logprobs');
  const confidence = confidenceFromLogprobs(tokens);
  return {
    text,
    confidence: choice.finish_reason === 'length' ? Math.min(confidence, TRUNCATED_CONFIDENCE_CAP) : confidence,
  };
}

function describe(err: unknown, timeoutMs: number): ModelUnavailableError {
  if (err instanceof ModelUnavailableError) return err;
  const e = err as { code?: string; name?: string; message?: string };
  if (e.code === 'EOPENBREAKER') return new ModelUnavailableError('model circuit is open', err);
  if (e.code === 'ETIMEDOUT' || e.name === 'TimeoutError') return new ModelUnavailableError(`model call timed out after ${timeoutMs} ms`, err);
  if (e.code === 'ESHUTDOWN') return new ModelUnavailableError('model client is closed', err);
  if (e.name === 'AbortError') return new ModelUnavailableError('model call was cancelled', err);
  return new ModelUnavailableError(`model call failed: ${e.message ?? String(err)}`, err);
}

export function createOpenAiCompatibleResponder(opts: OpenAiCompatibleResponderOptions): OpenAiCompatibleResponder {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  /** Aborts a probe in flight when the responder closes. */
  const lifetime = new AbortController();
  let lastModelName: string | null = null;

  /** One chat completion request; resolves with the parsed JSON body of a 2xx answer. */
  async function post(body: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    // undici's request(), not fetch: ~73 µs of CPU per call against ~540 µs (bench, issue #2). It rejects
    // with the signal's reason (TimeoutError / AbortError) as fetch did; it follows no redirects (vLLM sends none).
    const res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      // An unread undici body keeps its socket busy; not awaited, so a body that never ends cannot delay the error.
      void res.body.dump().catch(() => undefined);
      throw new ModelUnavailableError(`model node answered HTTP ${res.statusCode}`);
    }
    return res.body.json().catch((err: unknown) => {
      if (signal.aborted) throw err;
      throw new ModelUnavailableError('model response is not JSON', err);
    });
  }

  async function callModel(input: ResponderInput): Promise<ResponderAnswer> {
    // One signal per call, not opossum's `abortController` option: opossum aborts that single shared
    // controller on any timeout and renews it only when the circuit changes state
    // (opossum lib/circuit.js, _renewAbortControllerIfNeeded), so while the circuit stays closed every
    // later call would start out aborted. A per-call timeout stops exactly the call that ran too long.
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = input.signal ? AbortSignal.any([timeout, input.signal]) : timeout;
    const messages = buildChatMessages(input);
    return toAnswer(await post({ model: input.modelName, messages, logprobs: true, temperature: TEMPERATURE, max_tokens: MAX_TOKENS }, signal));
  }

  /** The half-open trial (issue 11): one token from the adapter the last turn used; any completion will do. */
  async function probeModel(modelName: string): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), lifetime.signal]);
    const body = { model: modelName, messages: [{ role: 'user', content: PROBE_QUESTION }], logprobs: true, temperature: 0, max_tokens: 1 };
    if (!probeSchema.safeParse(await post(body, signal)).success) throw new ModelUnavailableError('model probe answer is not a chat completion');
  }

  const circuit = createModelCircuit(opts.breaker ?? DEFAULT_BREAKER, opts.timeoutMs, () => {
    const modelName = lastModelName;
    return modelName ? () => probeModel(modelName) : null;
  });

  return {
    async answer(input: ResponderInput): Promise<ResponderAnswer> {
      lastModelName = input.modelName;
      try {
        return await circuit.run(() => callModel(input), input.signal);
      } catch (err) {
        const unavailable = describe(err, opts.timeoutMs);
        opts.logger?.warn({ err: unavailable.message, model: input.modelName, circuit: circuit.state() }, 'model call failed');
        throw unavailable;
      }
    },
    health: circuit.health,
    isOpen: () => circuit.state() === 'open',
    state: circuit.state,
    close() {
      lifetime.abort();
      circuit.shutdown();
    },
  };
}
