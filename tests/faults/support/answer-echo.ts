/**
 * The fake model's answer quotes every customer line it answers, one per line, so a delivery
 * seen by the fake WeCom API names the messages it answers, even when a long answer reaches the
 * customer split into several WeCom messages (split at newlines, adapters/wecom/send.ts).
 */
import type { ChatRequestBody, FakeReply } from '../../fakes/fake-model-server.js';

const MARK = '答:';

/** The fake model's reply: a confident answer to each line of the turn's question. */
export function echoReply(body: ChatRequestBody): FakeReply {
  const question = body.messages.at(-1)?.content ?? '';
  return { content: question.split('\n').map((line) => `${MARK}${line}`).join('\n'), logprobs: -0.01 };
}

/** The customer lines a delivered text answers; empty for anything else (a holding message). */
export function answeredLines(delivered: string): string[] {
  return delivered.split('\n').filter((line) => line.startsWith(MARK)).map((line) => line.slice(MARK.length));
}
