import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answersAgree, shadowStats, type ShadowRow } from '../../src/domain/shadow-stats.js';

const at = new Date('2026-12-05T01:00:00Z');
const row = (r: Partial<ShadowRow>): ShadowRow => ({
  question: 'q', liveOutcome: 'answer', liveText: null, shadowText: null, shadowConfidence: null, ok: true, agentText: null, createdAt: at, ...r,
});

test('agreement ignores the particles and punctuation agents and adapters vary', () => {
  assert.equal(answersAgree('亲，满299元包邮哦', '亲，满299元包邮哦~'), true);
  assert.equal(answersAgree('满299元包邮', '三天内发货'), false);
});

test('stats: live agreement over answers, agent agreement over answered handoffs, failures counted apart', () => {
  const rows = [
    row({ liveText: '满299元包邮', shadowText: '满299元包邮哦', shadowConfidence: 0.95 }),
    row({ liveText: '满299元包邮', shadowText: '不包邮', shadowConfidence: 0.42 }),
    row({ liveOutcome: 'handoff', agentText: '退款请在订单页申请', shadowText: '退款请在订单页申请哦', shadowConfidence: 1 }),
    row({ liveOutcome: 'handoff', agentText: null, shadowText: '不知道', shadowConfidence: 0.05 }),
    row({ ok: false }),
  ];
  const s = shadowStats('support-v2', at, rows);
  assert.deepEqual([s.adapter, s.since, s.turns, s.failed], ['support-v2', at.toISOString(), 5, 1]);
  assert.deepEqual([s.agreeWithLive, s.agentAnswered, s.agreeWithAgent], [0.5, 1, 1]);
  assert.ok(Math.abs(s.meanConfidence! - (0.95 + 0.42 + 1 + 0.05) / 4) < 1e-9);
  assert.deepEqual(s.confidenceBuckets.map((b) => b.count), [1, 0, 0, 0, 1, 0, 0, 0, 0, 2], '1.0 falls in the last bucket');
  assert.deepEqual([s.confidenceBuckets[0].from, s.confidenceBuckets[9].to], [0, 1]);
  assert.deepEqual(s.recent.map((r) => r.agreed), [true, false, true, null]);
  assert.equal(s.recent[2].live, '退款请在订单页申请', 'a handoff shows what the agent wrote');
});

test('no rows: nulls, not zeros', () => {
  const s = shadowStats('support-v2', at, []);
  assert.deepEqual([s.turns, s.failed, s.agreeWithLive, s.agreeWithAgent, s.meanConfidence, s.recent.length], [0, 0, null, null, null, 0]);
});
