import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, login, mode, startTestService, type Storage, type TestService } from '../support/harness.js';
import { createWebchatChannel } from '../support/learning-fixture.js';

/**
 * issue 12 item 4 on a labelled fixture of 40 turns (labels stored through the service's own
 * label store), every expected figure worked out by hand:
 *
 *   confidence  good  bad
 *   0.92         10    0
 *   0.72         10    2
 *   0.52          3    5
 *   0.32          4    6      (27 good, 13 bad)
 *
 * answered(t) / wrongRate(t), wrong counted of all 40:
 *   t ≤ 0.30: 40/40, 13/40   0.35–0.50: 30/40, 7/40   0.55–0.70: 22/40, 2/40   0.75–0.90: 10/40, 0   ≥ 0.95: 0, 0
 * AUROC: pairs 27·13 = 351; 0.92: 10·13 = 130; 0.72: 10·(11 + 2/2) = 120; 0.52: 3·(6 + 5/2) = 25.5;
 *   0.32: 4·(6/2) = 12 → 287.5 / 351.
 * Isotonic: 0.32 → 4/10 and 0.52 → 3/8 violate the order and pool to 7/18; 0.72 → 10/12; 0.92 → 1.
 */
const FIXTURE: [confidence: number, good: number, bad: number][] = [[0.92, 10, 0], [0.72, 10, 2], [0.52, 3, 5], [0.32, 4, 6]];
const EXPECTED: Record<string, [answered: number, wrongRate: number]> = {};
for (let i = 0; i <= 20; i++) {
  const t = Math.round(i * 5) / 100;
  EXPECTED[t.toFixed(2)] = t <= 0.3 ? [1, 13 / 40] : t <= 0.5 ? [30 / 40, 7 / 40] : t <= 0.7 ? [22 / 40, 2 / 40] : t <= 0.9 ? [10 / 40, 0] : [0, 0];
}
const near = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-6;

describe(`channel calibration (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let sparseChannelId: string;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    channelId = await createWebchatChannel(svc);
    sparseChannelId = await createWebchatChannel(svc);
    const labels = svc.service.core.answerLabels;
    for (const [confidence, good, bad] of FIXTURE) {
      for (let i = 0; i < good + bad; i++) {
        await labels.add({ channelId, conversationId: null, messageId: null, question: `q${confidence}-${i}`, confidence, verdict: i < good ? 'good' : 'bad', source: 'agent_feedback', correction: null, actor: 'fixture' });
      }
    }
    for (let i = 0; i < 5; i++) {
      await labels.add({ channelId: sparseChannelId, conversationId: null, messageId: null, question: 'q', confidence: 0.9, verdict: 'good', source: 'agent_answer', correction: null, actor: 'fixture' });
    }
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('the curve, AUROC and recommendation match the hand computation', async () => {
    const r = await svc.api('GET', `/api/channels/${channelId}/calibration`);
    assert.equal(r.status, 200);
    const c = r.body;
    assert.deepEqual([c.labelled, c.good, c.bad, c.minLabels, c.enoughLabels, c.currentThreshold, c.targetWrongRate], [40, 27, 13, 30, true, 0.6, 0.01]);
    assert.ok(near(c.auroc, 287.5 / 351), `auroc ${c.auroc}`);
    assert.equal(c.curve.length, 21);
    for (const p of c.curve) {
      const [answered, wrongRate] = EXPECTED[p.threshold.toFixed(2)];
      assert.ok(near(p.answered, answered) && near(p.wrongRate, wrongRate), `at ${p.threshold}: ${p.answered}/${p.wrongRate}, expected ${answered}/${wrongRate}`);
    }
    // Lowest threshold with wrongRate ≤ 1 %: 0.75 (0.70 still answers 2 wrong of 40 = 5 %).
    assert.equal(c.recommendedThreshold, 0.75);
  });

  test('the calibrated probability per curve point (isotonic fit, linear between block ends)', async () => {
    const { curve } = (await svc.api('GET', `/api/channels/${channelId}/calibration`)).body;
    const at = (t: number) => curve.find((p: any) => p.threshold === t).probability;
    assert.ok(near(at(0), 7 / 18), 'below the lowest label: clipped to the pooled block');
    assert.ok(near(at(0.4), 7 / 18), 'inside the pooled block 0.32–0.52');
    // Between (0.52, 7/18) and (0.72, 10/12): 7/18 + 0.4 · (10/12 − 7/18).
    assert.ok(near(at(0.6), 7 / 18 + 0.4 * (10 / 12 - 7 / 18)), `0.6 → ${at(0.6)}`);
    // Between (0.72, 10/12) and (0.92, 1): 10/12 + 0.4 · (1 − 10/12).
    assert.ok(near(at(0.8), 10 / 12 + 0.4 * (1 - 10 / 12)), `0.8 → ${at(0.8)}`);
    assert.ok(near(at(1), 1));
  });

  test('a looser target recommends a lower threshold; applying it is audited and changes the channel', async () => {
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { model: { targetWrongRate: 0.05 } })).status, 200);
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { model: { targetWrongRate: 0.6 } })).status, 400, 'target above 0.5');
    const before = (await svc.api('GET', `/api/channels/${channelId}/calibration`)).body;
    assert.deepEqual([before.targetWrongRate, before.recommendedThreshold, before.currentThreshold], [0.05, 0.55, 0.6]);

    const applied = await svc.api('POST', `/api/channels/${channelId}/calibration/apply`, {});
    assert.equal(applied.status, 200);
    assert.deepEqual({ ...applied.body, currentThreshold: undefined }, { ...before, currentThreshold: undefined });
    assert.equal(applied.body.currentThreshold, 0.55);
    const channel = (await svc.api('GET', `/api/channels/${channelId}`)).body;
    assert.deepEqual([channel.model.threshold, channel.model.targetWrongRate], [0.55, 0.05]);
    const audit = (await svc.api('GET', '/api/audit?limit=50')).body.items.find((a: any) => a.action === 'channel.threshold');
    assert.deepEqual([audit.target, audit.details], [`channel:${channelId}`, { from: 0.6, to: 0.55 }]);
  });

  test('with too few labels nothing is recommended and the configured threshold stays', async () => {
    const c = (await svc.api('GET', `/api/channels/${sparseChannelId}/calibration`)).body;
    assert.deepEqual([c.labelled, c.enoughLabels, c.recommendedThreshold, c.auroc], [5, false, null, null]);
    const r = await svc.api('POST', `/api/channels/${sparseChannelId}/calibration/apply`, {});
    assert.deepEqual([r.status, r.body.error.code], [409, 'CALIBRATION.TOO_FEW_LABELS']);
    assert.equal((await svc.api('GET', `/api/channels/${sparseChannelId}`)).body.model.threshold, 0.6);
  });

  test('unknown channels are 404; agents may not calibrate', async () => {
    assert.equal((await svc.api('GET', '/api/channels/ch_nope/calibration')).status, 404);
    assert.equal((await svc.api('POST', '/api/channels/ch_nope/calibration/apply', {})).status, 404);
    assert.equal((await svc.api('POST', `/api/channels/${channelId}/calibration/apply`, { threshold: 0.1 })).status, 400);
    await svc.api('POST', '/api/users', { email: 'cal-agent@shop.test', role: 'agent', password: 'agent-password-1' });
    const agent = await login(svc.url, 'cal-agent@shop.test', 'agent-password-1');
    assert.equal((await agent.api('GET', `/api/channels/${channelId}/calibration`)).status, 403);
  });
});
