import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contactLabel, shortExternalId } from '../../src/console/contact-label.js';
import { snippetOf } from '../../src/console/search-snippet.js';
import { containsPattern } from '../../src/db/like-pattern.js';
import { contactMessages } from '../../src/console/pages/contact-messages.js';

/** issue 14 item 1: what the console calls a customer, and the search's pieces. */
/** The console's t over this feature's dictionary (i18n.ts itself needs a browser bundler). */
const tOf = (dict: Record<string, string>) => (key: string, vars: Record<string, string | number> = {}) =>
  (dict[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
const zh = tOf(contactMessages['zh-CN']);
const en = tOf(contactMessages.en);

describe('contactLabel', () => {
  test('a name wins, trimmed', () => {
    assert.equal(contactLabel({ id: '7', externalId: 'zhangsan', name: ' 张三 ', channelKind: 'wecom_app' }, zh), '张三');
    assert.equal(contactLabel({ id: '7', externalId: 'v-123', name: 'Jane', channelKind: 'webchat' }, zh), 'Jane');
  });

  test('a nameless web chat visitor is 访客 n, n the contact id, in either language', () => {
    assert.equal(contactLabel({ id: '12', externalId: 'Sms0X80VE_-F6HKGc6JjAYgp', name: null, channelKind: 'webchat' }, zh), '访客 12');
    assert.equal(contactLabel({ id: '12', externalId: 'Sms0X80VE_-F6HKGc6JjAYgp', name: '  ', channelKind: 'webchat' }, en), 'Visitor 12');
  });

  test('anyone else nameless is their platform id, shortened when long', () => {
    assert.equal(contactLabel({ id: '3', externalId: 'zhangsan', name: null, channelKind: 'wecom_app' }, zh), 'zhangsan');
    assert.equal(contactLabel({ id: '3', externalId: 'wmAbCdEfGhIjKlMnOpQrStUvWx', name: null, channelKind: 'wecom_kf' }, zh), 'wmAbCd…StUvWx');
    // A server before issue 14 sends no channel kind: the id, as before.
    assert.equal(contactLabel({ id: '3', externalId: 'short-id', name: null }, zh), 'short-id');
  });

  test('shortExternalId keeps short ids and never splits a character', () => {
    assert.equal(shortExternalId('0123456789abcdef'), '0123456789abcdef');
    assert.equal(shortExternalId('0123456789abcdefg'), '012345…bcdefg');
    assert.equal(shortExternalId('🙂'.repeat(20)), `${'🙂'.repeat(6)}…${'🙂'.repeat(6)}`);
  });
});

describe('snippetOf', () => {
  test('the hit with a little context each side, case-insensitive', () => {
    const s = snippetOf('Hello, is FREE shipping available to Europe and to the rest of the world?', 'free', 8);
    assert.deepEqual(s, { before: '…llo, is ', hit: 'FREE', after: ' shipping availa…' });
  });

  test('short texts are shown whole; whitespace is flattened', () => {
    assert.deepEqual(snippetOf('满100%\n包邮吗', '100%'), { before: '满', hit: '100%', after: ' 包邮吗' });
  });

  test('no visible hit: the start of the text', () => {
    assert.deepEqual(snippetOf('abc', 'zzz'), { before: 'abc', hit: '', after: '' });
  });
});

describe('containsPattern', () => {
  test('% _ and \\ are literal', () => {
    assert.equal(containsPattern('100%'), '%100\\%%');
    assert.equal(containsPattern('A_1'), '%A\\_1%');
    assert.equal(containsPattern('a\\b'), '%a\\\\b%');
    assert.equal(containsPattern('张三'), '%张三%');
  });
});
