/**
 * issue 16 item 2: infra/compose.yaml, checked for what can be checked without Docker (none runs
 * here): it parses (through kubectl's YAML reader, anchors and merge keys included), every
 * kefu-bridge service's environment, interpolated as `docker compose` would, loads with
 * src/config.ts and has what several processes on one database need, every role runs somewhere,
 * and no secret has a default. Planted compose objects show each check can fail.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { readPlainYaml, requireKubectl, type Doc } from './k8s-typed/kubectl-yaml.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE = join(root, 'infra/compose.yaml');

/** Names that hold secrets: they must be required (`${X:?…}`) or default to nothing. */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|(^|_)KEY$/;
/** Several processes on one database must share these (src/main.ts; infra/compose.yaml's header). */
const SHARED = ['MASTER_KEY', 'ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL'];
const ROLES = ['web', 'worker', 'connector'];

const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

interface Reference {
  name: string;
  /** '', ':-', '-', ':?', '?', ':+', '+' */
  op: string;
  arg: string;
}

/** Every `${…}` / `$NAME` in a string (compose's interpolation syntax); `$$` is a literal `$`. */
function referencesIn(value: string): Reference[] {
  return [...value.matchAll(REFERENCE)].filter((m) => m[0] !== '$$').map((m) => ({ name: m[1] ?? m[4], op: m[2] ?? '', arg: m[3] ?? '' }));
}

/** What `docker compose` makes of a value, given the operator's variables (the .env file). */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(REFERENCE, (whole, braced?: string, op = '', arg = '', bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const set = name in vars;
    const nonEmpty = set && vars[name] !== '';
    switch (op) {
      case '':
        return vars[name] ?? '';
      case ':-':
        return nonEmpty ? vars[name] : arg;
      case '-':
        return set ? vars[name] : arg;
      case ':?':
        if (!nonEmpty) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return vars[name];
      case '?':
        if (!set) throw new Error(`required variable ${name} is missing: ${arg}`);
        return vars[name];
      case ':+':
        return nonEmpty ? arg : '';
      case '+':
        return set ? arg : '';
      default:
        throw new Error(`unknown interpolation ${whole}`);
    }
  });
}

function stringsIn(node: unknown, at = ''): { at: string; value: string }[] {
  if (typeof node === 'string') return [{ at, value: node }];
  if (Array.isArray(node)) return node.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => stringsIn(v, at ? `${at}.${k}` : k));
  return [];
}

/** A service's environment as a map (compose allows a map or a list of NAME=value). */
function environmentOf(service: Doc): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const isKefu = (service: Doc) => String(service.image ?? '').startsWith('kefu-bridge') || String(service.build?.dockerfile ?? '').endsWith('infra/Dockerfile');

/** The variables compose refuses to start without, each given a value of the right shape. */
function requiredVariables(compose: Doc): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const { value } of stringsIn(compose)) {
    for (const r of referencesIn(value)) {
      if (r.op !== ':?' && r.op !== '?') continue;
      vars[r.name] = r.name.endsWith('_URL') ? `https://${r.name.toLowerCase().replace(/_/g, '-')}.example.com` : `placeholder-${r.name.toLowerCase()}-0123456789`;
    }
  }
  return vars;
}

/** "No secret has a default": a secret variable is required or defaults to empty; no secret is written in the file. */
function secretDefaults(compose: Doc): string[] {
  const problems: string[] = [];
  for (const { at, value } of stringsIn(compose)) {
    for (const r of referencesIn(value)) {
      if (SECRET_NAME.test(r.name) && (r.op === ':-' || r.op === '-') && r.arg.trim() !== '') problems.push(`${at}: ${r.name} defaults to "${r.arg}"`);
    }
  }
  for (const [name, service] of Object.entries<Doc>(compose.services ?? {})) {
    const env = environmentOf(service);
    for (const [key, value] of Object.entries(env)) {
      if (SECRET_NAME.test(key) && value !== '' && referencesIn(value).length === 0) problems.push(`services.${name}.environment.${key}: a literal secret`);
      // A password inside a URL comes from a variable too.
      if (/_URL$/.test(key) && /^[a-z]+:\/\//.test(value)) {
        const marked = interpolate(value, Object.fromEntries(referencesIn(value).map((r) => [r.name, `VAR${r.name}VAR`])));
        const password = decodeURIComponent(new URL(marked).password);
        if (password !== '' && !/^VAR[A-Z0-9_]+VAR$/.test(password)) problems.push(`services.${name}.environment.${key}: a literal password in the URL`);
      }
    }
  }
  return problems;
}

/** Each kefu-bridge service, interpolated with `vars`, checked against src/config.ts and the multi-process needs. */
function environmentProblems(compose: Doc, vars: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries<Doc>(compose.services ?? {})) {
    if (!isKefu(service)) continue;
    const env = Object.fromEntries(Object.entries(environmentOf(service)).map(([k, v]) => [k, interpolate(v, vars)]));
    try {
      const config = loadConfig(env);
      if (config.ROLE === 'all') problems.push(`${name}: no ROLE (every process would run every role)`);
      if (config.DEMO) problems.push(`${name}: DEMO must be false with several processes on one database`);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
    for (const key of [...SHARED, 'PUBLIC_URL']) if (!env[key]) problems.push(`${name}: ${key} is not set`);
    for (const key of ['DATABASE_URL', 'REDIS_URL']) {
      if (!env[key]) continue;
      const host = new URL(env[key]).hostname;
      if (!compose.services[host]) problems.push(`${name}: ${key} names host ${host}, which is no service`);
      else if (!(service.depends_on && host in service.depends_on)) problems.push(`${name}: does not wait for ${host} (depends_on)`);
    }
  }
  return problems;
}

function rolesRun(compose: Doc): string[] {
  return Object.values<Doc>(compose.services ?? {}).filter(isKefu).map((s) => environmentOf(s).ROLE ?? 'all').flatMap((r) => (r === 'all' ? ROLES : [r]));
}

const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

describe('infra/compose.yaml', () => {
  requireKubectl();
  const compose = readPlainYaml(COMPOSE);
  const vars = requiredVariables(compose);

  test('parses, with PostgreSQL, Redis and the kefu-bridge services', () => {
    const services = Object.keys(compose.services ?? {});
    assert.ok(services.includes('postgres') && services.includes('redis'), services.join(', '));
    assert.ok(Object.values<Doc>(compose.services).filter(isKefu).length >= 2);
  });

  test('every kefu-bridge service environment loads with src/config.ts and has what several processes need', () => {
    assert.deepEqual(environmentProblems(compose, vars), []);
  });

  test('every role runs: web, worker and connector', () => {
    assert.deepEqual([...new Set(rolesRun(compose))].sort(), [...ROLES].sort());
  });

  test('without the operator\'s secrets compose refuses to start (they are required, not defaulted)', () => {
    for (const name of ['MASTER_KEY', 'ADMIN_TOKEN', 'POSTGRES_PASSWORD']) {
      assert.ok(name in vars, `${name} is not required`);
      const { [name]: _, ...missing } = vars;
      assert.throws(() => environmentProblems(compose, missing), new RegExp(`required variable ${name}`));
    }
  });

  test('no secret has a default, and none is written in the file', () => {
    assert.deepEqual(secretDefaults(compose), []);
  });

  test('infra/.env.example lists every variable the operator must give, each secret left empty', () => {
    const example = Object.fromEntries(
      readFileSync(join(root, 'infra/.env.example'), 'utf8').split('\n').filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of Object.keys(vars)) assert.ok(name in example, `${name} (required by compose.yaml) is not in infra/.env.example`);
    for (const [name, value] of Object.entries(example)) if (SECRET_NAME.test(name)) assert.equal(value, '', `${name} has a value in infra/.env.example`);
  });

  test('Redis keeps jobs (AOF, noeviction); each process gets more than its 30 s drain to stop', () => {
    const command = (compose.services.redis.command ?? []).join(' ');
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--maxmemory-policy noeviction/);
    for (const [name, s] of Object.entries<Doc>(compose.services)) if (isKefu(s)) assert.ok(seconds(s.stop_grace_period) >= 35, `${name}: stop_grace_period`);
  });
});

describe('the compose checks can fail (planted services)', () => {
  const base = {
    postgres: { image: 'postgres:16' },
    redis: { image: 'redis:7' },
  };
  const env = {
    DATABASE_URL: 'postgres://kefu:${POSTGRES_PASSWORD:?}@postgres:5432/kefu',
    REDIS_URL: 'redis://redis:6379',
    MASTER_KEY: '${MASTER_KEY:?}',
    ADMIN_TOKEN: '${ADMIN_TOKEN:?}',
    PUBLIC_URL: '${PUBLIC_URL:?}',
    DEMO: 'false',
  };
  const kefu = (environment: Record<string, string>) => ({ image: 'kefu-bridge:latest', depends_on: { postgres: {}, redis: {} }, environment });
  const vars = { POSTGRES_PASSWORD: 'p', MASTER_KEY: 'k', ADMIN_TOKEN: 't', PUBLIC_URL: 'https://kefu.example.com' };

  test('interpolation follows compose: defaults, required, $$', () => {
    assert.equal(interpolate('a${X:-d}b${Y-e}$$c$Z', { Y: '', Z: 'z' }), 'adb$cz');
    assert.throws(() => interpolate('${X:?set X}', { X: '' }), /required variable X is missing a value: set X/);
  });

  test('a secret with a default, a literal secret, a literal password in a URL', () => {
    const planted = {
      services: {
        ...base,
        web: kefu({ ...env, ROLE: 'web', MASTER_KEY: '${MASTER_KEY:-changeme}', ADMIN_TOKEN: 'hunter2hunter2', DATABASE_URL: 'postgres://kefu:pw@postgres:5432/kefu' }),
      },
    };
    assert.deepEqual(secretDefaults(planted).sort(), [
      'services.web.environment.ADMIN_TOKEN: a literal secret',
      'services.web.environment.DATABASE_URL: a literal password in the URL',
      'services.web.environment.MASTER_KEY: MASTER_KEY defaults to "changeme"',
    ]);
  });

  test('a worker without REDIS_URL, a web with the demo on, a missing connector', () => {
    const { REDIS_URL: _, ...noRedis } = env;
    const planted = { services: { ...base, web: kefu({ ...env, ROLE: 'web', DEMO: 'true' }), worker: kefu({ ...noRedis, ROLE: 'worker' }) } };
    const problems = environmentProblems(planted, vars);
    assert.ok(problems.some((p) => /^web: DEMO must be false/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^worker: invalid configuration: ROLE=worker needs DATABASE_URL and REDIS_URL/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => p === 'worker: REDIS_URL is not set'), problems.join('\n'));
    assert.deepEqual([...new Set(rolesRun(planted))].sort(), ['web', 'worker']);
  });
});
