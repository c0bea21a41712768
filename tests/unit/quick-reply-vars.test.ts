import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { customerAddress, expandQuickReply, filterQuickReplies, insertQuickReply, slashSearchAt } from '../../src/console/quick-reply-vars.js';

/** issue 14 item 3: quick replies in the reply box, expanded in the console before the agent sends. */
const context = { customer: '张三', agent: '小王', channel: '官网客服' };

describe('quick reply variables', () => {
  test('Chinese and English names expand to the customer, agent and channel', () => {
    assert.equal(expandQuickReply('{客户}您好，我是{客服}，欢迎来到{渠道}', context), '张三您好，我是小王，欢迎来到官网客服');
    assert.equal(expandQuickReply('Hi {customer}, this is {agent} at {channel}.', context), 'Hi 张三, this is 小王 at 官网客服.');
    assert.equal(expandQuickReply('{Customer} {AGENT}', context), '张三 小王', 'English names in any case');
    assert.equal(expandQuickReply('{客户}{客户}', context), '张三张三', 'every occurrence');
  });

  test('unknown or malformed variables, and ones without a value, are left as typed', () => {
    assert.equal(expandQuickReply('订单号 {订单号}，{ 客户 }，{}，{客户', context), '订单号 {订单号}，{ 客户 }，{}，{客户');
    assert.equal(expandQuickReply('{{客户}}', context), '{张三}');
    assert.equal(expandQuickReply('{客服}为您服务', { ...context, agent: '  ' }), '{客服}为您服务');
    assert.equal(expandQuickReply('没有变量', context), '没有变量');
  });

  test('a value that looks like a variable is not expanded again', () => {
    assert.equal(expandQuickReply('{客户}，{客服}', { ...context, customer: '{客服}' }), '{客服}，小王');
  });
});

describe('{客户} for a customer without a name (issue 14 review)', () => {
  test('a real name is used as is; no name gives the polite address, never the console label 访客 n', () => {
    assert.equal(customerAddress('  张三 ', '亲'), '张三');
    assert.equal(customerAddress(null, '亲'), '亲');
    assert.equal(customerAddress(undefined, 'there'), 'there');
    assert.equal(customerAddress('   ', '亲'), '亲', 'a blank name is no name');
  });

  test('the polite address reads well in both languages', () => {
    const zh = { ...context, customer: customerAddress(null, '亲') };
    assert.equal(expandQuickReply('{客户}您好，退货请寄到上海', zh), '亲您好，退货请寄到上海');
    const en = { ...context, customer: customerAddress(null, 'there') };
    assert.equal(expandQuickReply('Hi {customer}, this is {agent}.', en), 'Hi there, this is 小王.');
  });
});

describe('the / search', () => {
  test('opens at the start of the box or after whitespace, up to the caret', () => {
    assert.deepEqual(slashSearchAt('/退', 2), { start: 0, query: '退' });
    assert.deepEqual(slashSearchAt('/', 1), { start: 0, query: '' });
    assert.deepEqual(slashSearchAt('好的 /ret', 7), { start: 3, query: 'ret' });
    assert.deepEqual(slashSearchAt('第一行\n/地址', 7), { start: 4, query: '地址' });
    assert.deepEqual(slashSearchAt('/退货 后面的字', 3), { start: 0, query: '退货' }, 'only what is before the caret');
  });

  test('stays closed inside words, links, and after a space following the query', () => {
    assert.equal(slashSearchAt('1/2', 3), null);
    assert.equal(slashSearchAt('https://shop.example/a', 22), null);
    assert.equal(slashSearchAt('/退 货', 4), null);
    assert.equal(slashSearchAt('', 0), null);
  });

  test('matches titles and texts, case-insensitively; title matches first', () => {
    const replies = [
      { title: '发货时间', text: '48 小时内发货，退货请联系客服' },
      { title: '退货地址', text: '上海市…' },
      { title: 'Refund', text: 'We refund within 3 days' },
    ];
    assert.deepEqual(filterQuickReplies(replies, '退').map((r) => r.title), ['退货地址', '发货时间']);
    assert.deepEqual(filterQuickReplies(replies, 'REF').map((r) => r.title), ['Refund']);
    assert.deepEqual(filterQuickReplies(replies, 'days').map((r) => r.title), ['Refund']);
    assert.deepEqual(filterQuickReplies(replies, '').map((r) => r.title), ['发货时间', '退货地址', 'Refund']);
    assert.deepEqual(filterQuickReplies(replies, '没有'), []);
  });

  test('inserting replaces the /query and puts the caret after the text', () => {
    assert.deepEqual(insertQuickReply('/退', { start: 0, query: '退' }, 2, '张三您好'), { text: '张三您好', caret: 4 });
    assert.deepEqual(insertQuickReply('好的 /地址 谢谢', { start: 3, query: '地址' }, 6, '上海市'), { text: '好的 上海市 谢谢', caret: 6 });
  });
});
