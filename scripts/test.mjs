// `npm test`: every suite. Unit and contract tests need nothing; integration tests run against
// real PostgreSQL + Redis when they answer (DATABASE_URL / REDIS_URL, else 127.0.0.1 defaults),
// and in embedded mode (PGlite, in-process queue). Under CI=true the real services are required
// and both modes run (DESIGN.md §7). End-to-end tests drive Debian's Chromium against the built
// console and widget, once: on PostgreSQL + Redis when they answer, else embedded.
// The fault suite (tests/faults/) starts PostgreSQL and Redis of its own on spare ports and kills,
// hangs and restarts them: it runs under CI=true, or alone with `node scripts/test.mjs faults`.
// `node scripts/test.mjs unit|integration|e2e|faults` runs one suite.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true';
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function answers(url, probe) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => {
      socket.write(probe);
    });
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false); });
    socket.on('data', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

const files = (dir) => (existsSync(join(root, 'tests', dir)) ? readdirSync(join(root, 'tests', dir)) : []).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('tests', dir, f));

function run(label, list, env, flags = []) {
  if (list.length === 0) return 0;
  console.log(`\n=== ${label} (${list.length} files) ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...list], {
    cwd: root, stdio: 'inherit', env: { ...process.env, ...env },
  });
  return r.status ?? 1;
}

// An SSL request packet: Postgres answers it with one byte ('N' or 'S').
const pgUp = await answers(databaseUrl, Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]));
const redisUp = await answers(redisUrl, 'PING\r\n');
const real = pgUp && redisUp;
console.log(`PostgreSQL at ${new URL(databaseUrl).host}: ${pgUp ? 'answers' : 'not reachable'}; Redis at ${new URL(redisUrl).host}: ${redisUp ? 'answers' : 'not reachable'}`);
if (ci && !real) {
  console.error('CI=true requires PostgreSQL and Redis (.ci/run starts them).');
  process.exit(1);
}

/** The browser tests need the built console and widget, and a Chromium; without one they skip, except under CI. */
function e2e() {
  const list = files('e2e');
  if (list.length === 0) return 0;
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    if (ci) {
      console.error(`\nCI=true requires Chromium for the e2e tests: none at ${chromium} (.ci/run installs Debian's chromium).`);
      return 1;
    }
    console.log(`\n=== e2e: SKIPPED, no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH) ===`);
    return 0;
  }
  const build = existsSync(join(root, 'scripts', 'build-console.mjs'))
    ? [join(root, 'scripts', 'build-console.mjs')]
    : [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', join(root, 'src', 'console', 'widget', 'vite.config.ts')];
  console.log('\n=== e2e: building the console and widget ===');
  if (spawnSync(process.execPath, build, { cwd: root, stdio: 'inherit' }).status !== 0) {
    console.error('e2e: the console build failed');
    return 1;
  }
  const env = real
    ? { KEFU_TEST_MODE: 'real', KEFU_TEST_DATABASE_URL: databaseUrl, KEFU_TEST_REDIS_URL: redisUrl, CHROMIUM_PATH: chromium }
    : { KEFU_TEST_MODE: 'embedded', CHROMIUM_PATH: chromium };
  // One browser at a time: each file starts a service and a Chromium of its own.
  return run(`e2e in Chromium (${real ? 'PostgreSQL + Redis' : 'embedded'})`, list, env, ['--test-concurrency=1']);
}

/** The fine-tuning recipe's data and packing logic (infra/finetune/): standard-library Python, no GPU. */
function finetuneUnit() {
  console.log('\n=== infra/finetune unit tests (python3) ===');
  const r = spawnSync('python3', ['-B', '-m', 'unittest', 'discover', '-s', join(root, 'infra', 'finetune'), '-p', 'test_*.py'], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

const only = process.argv[2];
if (only && !['unit', 'integration', 'e2e', 'faults'].includes(only)) {
  console.error(`unknown suite "${only}": use unit, integration, e2e or faults`);
  process.exit(2);
}
let failed = 0;
if (!only || only === 'unit') failed += run('unit + contract', [...files('unit'), ...files('contract')], {}) + finetuneUnit();
if (!only || only === 'integration') {
  if (real) {
    console.log('integration mode: real PostgreSQL + Redis (BullMQ)');
    failed += run('integration on PostgreSQL + Redis', files('integration'), { KEFU_TEST_MODE: 'real', KEFU_TEST_DATABASE_URL: databaseUrl, KEFU_TEST_REDIS_URL: redisUrl });
  }
  if (ci || !real) {
    console.log('integration mode: embedded (PGlite, in-process queue)');
    failed += run('integration on embedded PGlite', files('integration'), { KEFU_TEST_MODE: 'embedded' });
  }
}
if (!only || only === 'e2e') failed += e2e();
// One scenario at a time: each starts its own databases and service processes.
if ((!only && ci) || only === 'faults') failed += run('fault suite (own PostgreSQL and Redis, killed and restarted)', files('faults'), {}, ['--test-concurrency=1']);
console.log(failed === 0 ? '\nall suites passed' : '\nsome suites failed');
process.exit(failed === 0 ? 0 : 1);
