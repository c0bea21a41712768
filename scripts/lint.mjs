// `npm run lint` (issue 16 item 4): ESLint with typescript-eslint's type-checked rules
// (eslint.config.mjs), then the dependency rule of the layout (.dependency-cruiser.cjs).
// Both run even when the first fails, so one run shows everything; the exit status is non-zero
// when either found a problem. Extra arguments go to ESLint (e.g. `npm run lint -- --fix`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (path) => join(root, 'node_modules', path);

function step(label, args) {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

const eslint = step('ESLint', [
  bin('eslint/bin/eslint.js'), '--max-warnings', '0',
  'src', 'adapters', 'scripts', 'tests', 'eslint.config.mjs', '.dependency-cruiser.cjs',
  ...process.argv.slice(2),
]);
// The `err` output exits non-zero on any error-severity violation.
const cruiser = step('dependency rule', [
  bin('dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'err',
  'src', 'adapters', 'scripts',
]);
if (cruiser === 0) console.log('no dependency violations');
process.exit(eslint === 0 && cruiser === 0 ? 0 : 1);
