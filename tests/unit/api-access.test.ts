import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accessFor } from '../../src/http/middleware/api-access.js';

describe('who may call which /api path', () => {
  test('only login is public', () => {
    assert.equal(accessFor('/api/auth/login'), 'public');
    assert.equal(accessFor('/api/auth/logout'), 'agent');
    assert.equal(accessFor('/api/auth/me'), 'agent');
    assert.equal(accessFor('/api/auth/login-as-admin'), 'admin', 'a prefix matches whole segments only');
  });

  test('agents: conversations, events, directory', () => {
    for (const p of ['/api/conversations', '/api/conversations/12/messages', '/api/events', '/api/directory', '/api/messages/1/feedback']) assert.equal(accessFor(p), 'agent', p);
  });

  test('admins: channels, channel kinds, knowledge, users, audit, export, stats', () => {
    for (const p of ['/api/channels', '/api/channels/ch_1/test', '/api/channel-kinds', '/api/knowledge/import', '/api/users/u_1', '/api/audit', '/api/export/training.jsonl', '/api/stats']) {
      assert.equal(accessFor(p), 'admin', p);
    }
  });

  test('case and repeated slashes do not change the answer (the router ignores case)', () => {
    assert.equal(accessFor('/API/Users'), 'admin');
    assert.equal(accessFor('//api//users'), 'admin');
    assert.equal(accessFor('/Api/Conversations'), 'agent');
  });

  test('an /api path no rule names needs an admin; other paths are not API paths', () => {
    assert.equal(accessFor('/api'), 'admin');
    assert.equal(accessFor('/api/new-thing'), 'admin');
    assert.equal(accessFor('/apix'), null);
    assert.equal(accessFor('/console/'), null);
    assert.equal(accessFor('/webhooks/wecom/ch_1'), null);
  });
});
