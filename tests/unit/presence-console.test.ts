import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditMessages } from '../../src/console/admin/audit-messages.js';
import { adminMessages } from '../../src/console/admin/i18n.js';
import { detailPhrases, sentence, type AuditNames, type Words } from '../../src/console/admin/audit-words.js';
import { buildCreateBody, buildPatchBody, emptyForm, formFromChannel } from '../../src/console/admin/channel-form-model.js';
import type { AuditItem, ChannelView } from '../../src/console/admin/types.js';
import { consoleMessages } from '../../src/console/messages.js';
import { presenceMessages } from '../../src/console/pages/presence-messages.js';

/** issue 14 item 4 in the console: the channel form's assignment setting and the audit rows in words. */
const stored: ChannelView = {
  id: 'ch_1', kind: 'webchat', name: '网页聊天', enabled: true, botEnabled: true, config: {},
  model: { name: null, threshold: 0.6, systemPrompt: 'p' },
  handoff: { keywords: [], holdingMessage: '稍候' },
  welcomeMessage: null, callbackUrl: null, createdAt: '', updatedAt: '',
};

describe('the channel form: new chats manual or automatic', () => {
  test('a channel stored before the setting existed reads as manual; an edit sends the choice', () => {
    const form = formFromChannel(stored, []);
    assert.equal(form.assignment, 'manual');
    assert.equal((buildPatchBody([], form, stored).body!.handoff as Record<string, unknown>).assignment, 'manual');
    const auto = { ...form, assignment: 'auto' as const };
    assert.equal((buildPatchBody([], auto, stored).body!.handoff as Record<string, unknown>).assignment, 'auto');
    assert.equal(formFromChannel({ ...stored, handoff: { ...stored.handoff, assignment: 'auto' } }, []).assignment, 'auto');
  });

  test('a new channel sends only the opt-in (manual is the default)', () => {
    const base = { ...emptyForm('webchat'), name: 'n' };
    assert.equal('assignment' in (buildCreateBody([], base).body!.handoff as Record<string, unknown>), false);
    assert.equal((buildCreateBody([], { ...base, assignment: 'auto' }).body!.handoff as Record<string, unknown>).assignment, 'auto');
  });
});

function words(lang: 'zh-CN' | 'en'): Words {
  const dict: Record<string, string> = { ...consoleMessages[lang], ...(adminMessages[lang]), ...auditMessages[lang], ...presenceMessages[lang] };
  return {
    t: (key, vars) => (dict[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole)),
    has: (key) => key in dict,
  };
}
const names: AuditNames = { channels: new Map(), users: new Map([['u_1', '张三'], ['u_2', '李四']]) };
const row = (actor: string, action: string, details: Record<string, unknown>): AuditItem => ({ id: '1', actor, actorEmail: null, action, target: 'conversation:123456', details, at: '2026-01-01T00:00:00Z' });

describe('auto-assignment and capacity in the audit log', () => {
  test('the system gave a chat to someone: said with their name, no raw flags', () => {
    const item = row('system', 'conversation.assigned', { auto: true, from: 'queued', to: 'u_2' });
    const zh = sentence(words('zh-CN'), item, names);
    assert.equal(`${zh.actor} ${zh.action}`, '系统 把会话 123456自动分配给 李四');
    const en = sentence(words('en'), item, names);
    assert.match(`${en.actor} ${en.action}`, /assigned .*123456 to 李四 automatically/);
    assert.deepEqual(detailPhrases(words('zh-CN'), item), ['原状态：排队中']);
  });

  test('a capacity change reads as from → to', () => {
    const item = { ...row('u_1', 'user.update', { fields: ['capacity'], sessionsEnded: 0, capacity: { from: 5, to: 8 } }), target: 'user:u_2' };
    assert.deepEqual(detailPhrases(words('zh-CN'), item), ['改了：接待上限', '接待上限从 5 改为 8']);
  });
});
