import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditMessages } from '../../src/console/admin/audit-messages.js';
import { detailPhrases, sentence, type AuditNames, type Words } from '../../src/console/admin/audit-words.js';
import { consoleMessages } from '../../src/console/messages.js';
import type { AuditItem } from '../../src/console/admin/types.js';

/** Issue 14 item 6: audit rows read as sentences, never as raw keys. */
/** The console's dictionaries, as src/console/i18n.ts merges them (that file needs a browser bundler). */
function words(lang: 'zh-CN' | 'en'): Words {
  const dict: Record<string, string> = { ...consoleMessages[lang], ...auditMessages[lang] };
  return {
    t: (key, vars) => (dict[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole)),
    has: (key) => key in dict,
  };
}
const zh = words('zh-CN');
const en = words('en');
const names: AuditNames = { channels: new Map([['ch_1', '网页聊天']]), users: new Map([['u_1', '张三']]) };
const row = (action: string, target: string, details: Record<string, unknown> | null = null): AuditItem => ({ id: '1', actor: 'u_1', actorEmail: 'zhang@shop.example', action, target, details, at: '2026-01-01T00:00:00Z' });
const say = (t: Words, item: AuditItem) => { const s = sentence(t, item, names); return `${s.actor} ${s.action}`; };

describe('the audit log in words', () => {
  test('turning a channel off and on says which way, when the row records it', () => {
    assert.equal(say(zh, row('channel.update', 'channel:ch_1', { fields: ['enabled'], enabled: false })), '张三 关闭了渠道 网页聊天');
    assert.equal(say(zh, row('channel.update', 'channel:ch_1', { fields: ['enabled'], enabled: true })), '张三 开启了渠道 网页聊天');
    assert.equal(say(en, row('channel.update', 'channel:ch_1', { fields: ['enabled'], enabled: false })), '张三 turned off channel 网页聊天');
    assert.deepEqual(detailPhrases(zh, row('channel.update', 'channel:ch_1', { fields: ['enabled'], enabled: false })), []);
  });

  test('field names, test results and statuses are words', () => {
    assert.deepEqual(detailPhrases(zh, row('channel.update', 'channel:ch_1', { fields: ['name', 'config'] })), ['改了：名称、平台配置']);
    assert.deepEqual(detailPhrases(zh, row('channel.test', 'channel:ch_1', { ok: true })), ['连接成功']);
    assert.deepEqual(detailPhrases(zh, row('channel.test', 'channel:ch_1', { ok: false, code: 'WECOM.40013' })), ['连接失败（WECOM.40013）']);
    const handBack = row('conversation.bot', 'conversation:cv_0123456789abcdef', { from: 'assigned' });
    assert.equal(say(zh, handBack), '张三 把会话 abcdef交还给机器人');
    assert.deepEqual(detailPhrases(zh, handBack), ['原状态：人工处理中']);
  });

  test('an unknown channel or action still reads, with the id as its name', () => {
    assert.equal(say(zh, row('channel.delete', 'channel:ch_gone')), '张三 删除了渠道 ch_gone');
    assert.match(say(zh, row('something.new', 'thing:x')), /^张三 执行了操作「something\.new」：x$/);
  });
});
