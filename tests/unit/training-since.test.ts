import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoDate } from '../../src/domain/training/since.js';

/** issue 13 item 1: the export's since is ISO 8601 or nothing (`?since=0` was 2000-01-01, `-1` 2001-01-01). */
describe('training export: since', () => {
  test('ISO 8601 dates and date-times are read; without an offset they are UTC', () => {
    const cases: [string, string][] = [
      ['2025-01-01', '2025-01-01T00:00:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2025-01-01T08:00', '2025-01-01T08:00:00.000Z'],
      ['2025-01-01T08:00:30', '2025-01-01T08:00:30.000Z'],
      ['2025-01-01T08:00:00.123Z', '2025-01-01T08:00:00.123Z'],
      ['2025-01-01T08:00:00+08:00', '2025-01-01T00:00:00.000Z'],
      ['2025-01-01T08:00-05:30', '2025-01-01T13:30:00.000Z'],
      ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ];
    for (const [text, iso] of cases) assert.equal(parseIsoDate(text)?.toISOString(), iso, text);
  });

  test('anything else is refused: numbers, other formats, impossible dates, years outside 1–9999', () => {
    for (const text of [
      '0', '-1', '1', '2026', '20250101', '2025-1-1', '2025/01/01', '2025-01-01 08:00', 'yesterday', '', ' 2025-01-01', '2025-01-01T08',
      '2025-02-30', '2025-13-01', '2025-00-10', '2025-01-01T24:00', '2025-01-01T08:60', '2025-01-01T08:00:00+24:00', '0000-01-01',
      '+002025-01-01', '-271821-04-20T00:00:00Z', 'Wed, 01 Jan 2025 00:00:00 GMT',
    ]) {
      assert.equal(parseIsoDate(text), null, text);
    }
  });
});
