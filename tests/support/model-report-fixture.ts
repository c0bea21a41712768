/**
 * An adapter evaluation report as `npm run eval -- --model NAME --report FILE` writes it
 * (tests/eval/model-report.ts), for the tests that upload one (issue 13 item 4).
 */
export function evaluationReport(model: string, overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    model,
    baseModel: 'qwen2.5-7b-instruct',
    data: 'heldout.jsonl',
    createdAt: '2026-12-05T01:00:00.000Z',
    threshold: 0.6,
    counts: { total: 120, answerable: 90, outOfScope: 30 },
    rates: { answeredCorrectly: 0.71, wrong: 0.02, handedOff: 0.35, outOfScopeHandedOff: 0.93 },
    auroc: 0.88,
    ece: 0.05,
    thresholdForWrongUnder1pct: 0.72,
    disagreements: [{ question: '发什么快递', expected: '默认发中通快递', got: '默认发顺丰', confidence: 0.81 }],
    ...overrides,
  };
}
