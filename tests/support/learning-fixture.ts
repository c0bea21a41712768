/** Shared steps of the issue 12 learning tests: a web chat channel, a customer asking, an agent answering. */
import { randomBytes } from 'node:crypto';
import { waitFor, type TestService } from './harness.js';

export async function createWebchatChannel(svc: TestService, model: Record<string, unknown> = {}): Promise<string> {
  const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: `learning-${randomBytes(3).toString('hex')}`, config: {}, model });
  if (created.status !== 201) throw new Error(`channel not created: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

export async function addEntry(svc: TestService, channelId: string | null, instruction: string, output: string): Promise<string> {
  const r = await svc.api('POST', '/api/knowledge', { channelId, instruction, input: '', output });
  if (r.status !== 201) throw new Error(`entry not created: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

export const newVisitor = () => `visitor-${randomBytes(8).toString('hex')}`;

/** A customer writes on the web chat; returns once the message is stored. */
export async function customerSays(svc: TestService, channelId: string, visitorId: string, text: string): Promise<void> {
  const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitorId, text, clientMessageId: randomBytes(6).toString('hex') }),
  });
  if (res.status !== 202) throw new Error(`web chat refused the message: ${res.status} ${await res.text()}`);
}

export async function conversationOf(svc: TestService, channelId: string, visitorId: string): Promise<any> {
  const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=500`);
  const summary = list.body.items.find((c: any) => c.contact.externalId === visitorId);
  return summary ? (await svc.api('GET', `/api/conversations/${summary.id}`)).body : null;
}

/** Waits until the bot answered or handed off the visitor's latest message; returns the conversation. */
export async function afterBotTurn(svc: TestService, channelId: string, visitorId: string, bots = 1): Promise<any> {
  return waitFor(`the bot's turn for ${visitorId}`, async () => {
    const c = await conversationOf(svc, channelId, visitorId);
    return c && c.messages.filter((m: any) => m.sender === 'bot').length >= bots && c.messages.every((m: any) => m.status !== 'pending' || m.sender !== 'customer') ? c : null;
  });
}
