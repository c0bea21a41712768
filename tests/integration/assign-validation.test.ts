import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, createStorage, login, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';

/** Issue 11 item 7: `{"assigneeId":"ghost-user-123"}` answered 200 and the chat vanished from every agent's view. */
describe(`assignment only to existing, active agents and admins (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let visitorSeq = 0;

  const createAgent = async (email: string) => {
    const res = await svc.api('POST', '/api/users', { email, name: email.split('@')[0], role: 'agent', password: 'agent-password-1' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };

  /** A conversation handed to humans (queued), with its bot turn over. */
  const queuedConversation = async (): Promise<string> => {
    const visitorId = `assign-visitor-${String(++visitorSeq).padStart(6, '0')}`;
    const post = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId, text: '转人工' }),
    });
    assert.equal(post.status, 202);
    return waitFor('the handoff', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&status=queued`);
      return list.body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === visitorId)?.id as string | undefined;
    });
  };
  const assign = (conversationId: string, body: unknown) => svc.api('POST', `/api/conversations/${conversationId}/assign`, body);

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: '官网客服', config: {} });
    assert.equal(created.status, 201);
    channelId = created.body.id;
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('a user who does not exist, a disabled user or a non-id: 400 with a clear code, and nothing changes', async () => {
    const conversationId = await queuedConversation();
    const leaver = await createAgent('leaver@example.com');
    assert.equal((await svc.api('PATCH', `/api/users/${leaver}`, { disabled: true })).status, 200);

    const ghost = await assign(conversationId, { assigneeId: 'ghost-user-123' });
    assert.equal(ghost.status, 400, JSON.stringify(ghost.body));
    assert.equal(ghost.body.error.code, 'ASSIGNEE.NOT_FOUND');
    const disabled = await assign(conversationId, { assigneeId: leaver });
    assert.equal(disabled.status, 400);
    assert.equal(disabled.body.error.code, 'ASSIGNEE.DISABLED');
    for (const assigneeId of ['../users/u_1', 'u_\u0000x', 'x'.repeat(201), 42, '']) {
      const res = await assign(conversationId, { assigneeId });
      assert.equal(res.status, 400, `${JSON.stringify(assigneeId)} → ${res.status}`);
    }

    const after = await svc.api('GET', `/api/conversations/${conversationId}`);
    assert.equal(after.body.status, 'queued');
    assert.equal(after.body.assigneeId, null);
  });

  test('an active agent can be given the conversation, and then sees it as theirs', async () => {
    const conversationId = await queuedConversation();
    const agentId = await createAgent('worker@example.com');
    const res = await assign(conversationId, { assigneeId: agentId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.assigneeId, agentId);
    const agent = await login(svc.url, 'worker@example.com', 'agent-password-1');
    const mine = await agent.api('GET', '/api/conversations?assignee=me');
    assert.deepEqual(mine.body.items.map((c: { id: string }) => c.id), [conversationId]);
  });

  test('an agent cannot hand a chat to someone else (403 ASSIGNEE.NOT_SELF, nothing changes); a 405 on an /api path is JSON', async () => {
    const pusherId = await createAgent('pusher@example.com');
    const targetId = await createAgent('target@example.com');
    const pusher = await login(svc.url, 'pusher@example.com', 'agent-password-1');
    const conversationId = await queuedConversation();
    const pushed = await pusher.api('POST', `/api/conversations/${conversationId}/assign`, { assigneeId: targetId });
    assert.equal(pushed.status, 403, JSON.stringify(pushed.body));
    assert.equal(pushed.body.error.code, 'ASSIGNEE.NOT_SELF');
    const after = await svc.api('GET', `/api/conversations/${conversationId}`);
    assert.equal(after.body.status, 'queued');
    assert.equal(after.body.assigneeId, null);
    // Naming oneself is taking it.
    const self = await pusher.api('POST', `/api/conversations/${conversationId}/assign`, { assigneeId: pusherId });
    assert.equal(self.status, 200, JSON.stringify(self.body));

    const wrongMethod = await fetch(`${svc.url}/api/conversations/${conversationId}/assign`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(wrongMethod.status, 405);
    assert.equal(((await wrongMethod.json()) as { error: { code: string } }).error.code, 'ROUTE.METHOD_NOT_ALLOWED');
    assert.match(wrongMethod.headers.get('allow') ?? '', /POST/);
    const unknownMethod = await fetch(`${svc.url}/api/conversations/${conversationId}/assign`, { method: 'PROPFIND', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(unknownMethod.status, 501);
    assert.equal(((await unknownMethod.json()) as { error: { code: string } }).error.code, 'ROUTE.METHOD_NOT_IMPLEMENTED');
  });

  test('taking a conversation oneself needs no assigneeId, for a signed-in agent as for the ADMIN_TOKEN', async () => {
    await createAgent('self@example.com');
    const agent = await login(svc.url, 'self@example.com', 'agent-password-1');
    const forAgent = await queuedConversation();
    const taken = await agent.api('POST', `/api/conversations/${forAgent}/assign`);
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    assert.equal(taken.body.assigneeId, agent.user.id);
    const forToken = await queuedConversation();
    assert.equal((await svc.api('POST', `/api/conversations/${forToken}/assign`)).body.assigneeId, 'admin-token');
  });
});
