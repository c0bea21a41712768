/**
 * The dependency rule of the layout (issue 16 item 4) is checked by dependency-cruiser with our
 * own .dependency-cruiser.cjs. This proves the check can fail (planted violations under
 * tests/fixtures/dependency-rule/ are each reported, and the legal edges there are not) and
 * that the real tree passes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const FIXTURE = 'tests/fixtures/dependency-rule';

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: { name: string }[];
}

/** The JSON report (its exit status is 0 even with violations; `npm run lint` uses the `err` output, which fails). */
function cruise(...paths: string[]): Violation[] {
  const r = spawnSync(process.execPath, [cli, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...paths], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(r.stdout, `dependency-cruiser wrote nothing: ${r.stderr}`);
  const result = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

const brief = (v: Violation) => `${v.rule.name}: ${v.from.replace(`${FIXTURE}/`, '')} → ${v.to.replace(`${FIXTURE}/`, '')}`;

describe('the dependency rule', () => {
  test('reports each planted violation in the fixture, and only those', () => {
    assert.deepEqual(cruise(FIXTURE).map(brief).sort(), [
      'adapters-implement-ports: adapters/beta/send.ts → adapters/alpha/api-client.ts',
      'domain-imports-nothing: src/domain/conversation.ts → src/usecases/close-conversation.ts',
      'no-circular: adapters/alpha/api-client.ts → adapters/alpha/token-cache.ts',
    ]);
  });

  test('finds no violation in src/, adapters/ and scripts/', () => {
    assert.deepEqual(cruise('src', 'adapters', 'scripts').map(brief), []);
  });
});
