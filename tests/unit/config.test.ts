import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';

/** Runs loadConfig and returns the message it threw with, failing if it did not throw. */
function failure(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults (DESIGN.md §4.1)', () => {
  const config = loadConfig({});

  test('listener, role and data dir', () => {
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.ROLE, 'all');
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.LOG_LEVEL, 'info');
  });

  test('embedded database and in-process queue when no URLs are given', () => {
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.REDIS_URL, undefined);
  });

  test('built-in responder and the default model', () => {
    assert.equal(config.MODEL_BASE_URL, undefined);
    assert.equal(config.MODEL_API_KEY, undefined);
    assert.equal(config.MODEL_NAME, 'qwen2.5-7b-instruct');
    assert.equal(config.MODEL_TIMEOUT_MS, 20000);
  });

  test('platform API bases', () => {
    assert.equal(config.WECOM_API_BASE, 'https://qyapi.weixin.qq.com');
    assert.equal(config.DINGTALK_API_BASE, 'https://api.dingtalk.com');
    assert.equal(config.DINGTALK_OAPI_BASE, 'https://oapi.dingtalk.com');
  });

  test('no secret has a default', () => {
    assert.equal(config.MASTER_KEY, undefined);
    assert.equal(config.ADMIN_TOKEN, undefined);
    assert.equal(config.ADMIN_EMAIL, undefined);
    assert.equal(config.ADMIN_PASSWORD, undefined);
  });

  test('webhook skew 300 s, burst window 1.5 s, demo on', () => {
    assert.equal(config.WEBHOOK_MAX_SKEW_S, 300);
    assert.equal(config.TURN_COALESCE_MS, 1500);
    assert.equal(config.DEMO, true);
  });

  test('publicUrl is http://localhost:${PORT}', () => {
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080');
  });

  test('runs every role', () => {
    assert.deepEqual([config.runsWeb, config.runsWorker, config.runsConnector], [true, true, true]);
  });

  test('is frozen', () => {
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { PORT: number }).PORT = 1;
    }, TypeError);
  });

  test('ignores variables it does not know (it is given all of process.env)', () => {
    const withNoise = loadConfig({ PATH: '/usr/bin', HOME: '/root', PORT: '4000' });
    assert.equal(withNoise.PORT, 4000);
    assert.equal('PATH' in withNoise, false);
  });
});

describe('loadConfig values', () => {
  test('TRUST_PROXY is off unless said; MODEL_HANDBACK_S must stay below MAX_ANSWER_AGE_S (issue 11)', () => {
    assert.equal(loadConfig({}).TRUST_PROXY, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'no' }).TRUST_PROXY, false);
    assert.equal(loadConfig({ MODEL_HANDBACK_S: '0', MAX_ANSWER_AGE_S: '60' }).MODEL_HANDBACK_S, 0);
    assert.throws(() => loadConfig({ MODEL_HANDBACK_S: '600', MAX_ANSWER_AGE_S: '600' }), /MODEL_HANDBACK_S \(600\) must be below MAX_ANSWER_AGE_S/);
  });

  test('reads numbers from strings', () => {
    const c = loadConfig({ PORT: '8080', MODEL_TIMEOUT_MS: '5000', WEBHOOK_MAX_SKEW_S: '0', WORKER_CONCURRENCY: '2' });
    assert.equal(c.PORT, 8080);
    assert.equal(c.MODEL_TIMEOUT_MS, 5000);
    assert.equal(c.WEBHOOK_MAX_SKEW_S, 0);
    assert.equal(c.WORKER_CONCURRENCY, 2);
  });

  for (const [role, flags] of [
    ['web', [true, false, false]],
    ['worker', [false, true, false]],
    ['connector', [false, false, true]],
    ['all', [true, true, true]],
  ] as const) {
    test(`ROLE=${role} sets the role flags`, () => {
      const c = loadConfig({ ROLE: role, DATABASE_URL: 'postgres://db/kefu', REDIS_URL: 'redis://redis:6379' });
      assert.equal(c.ROLE, role);
      assert.deepEqual([c.runsWeb, c.runsWorker, c.runsConnector], flags);
    });
  }

  test('a split role without a shared database and Redis is refused', () => {
    assert.match(failure({ ROLE: 'worker' }), /ROLE=worker needs DATABASE_URL and REDIS_URL/);
    assert.match(failure({ ROLE: 'web', DATABASE_URL: 'postgres://db/kefu' }), /REDIS_URL/);
  });

  test('an unknown ROLE is refused', () => {
    assert.match(failure({ ROLE: 'everything' }), /ROLE/);
  });

  for (const port of ['abc', '70000', '-1', '3.5']) {
    test(`PORT=${port} is refused with a message naming PORT`, () => {
      const message = failure({ PORT: port });
      assert.match(message, /^invalid configuration: /);
      assert.match(message, /PORT: /);
    });
  }

  test('an unknown LOG_LEVEL is refused with a message naming it and the choices', () => {
    const message = failure({ LOG_LEVEL: 'verbose' });
    assert.match(message, /^invalid configuration: LOG_LEVEL: /);
    assert.match(message, /'debug'/);
    assert.match(message, /'verbose'/);
  });

  test('reports every bad variable at once', () => {
    const message = failure({ PORT: 'x', LOG_LEVEL: 'loud' });
    assert.match(message, /PORT: /);
    assert.match(message, /LOG_LEVEL: /);
  });

  test('a malformed MODEL_BASE_URL or PUBLIC_URL is refused', () => {
    assert.match(failure({ MODEL_BASE_URL: '//gpu-node:8000/v1' }), /MODEL_BASE_URL/);
    assert.match(failure({ PUBLIC_URL: 'not a url' }), /PUBLIC_URL/);
  });

  test('PUBLIC_URL is used without its trailing slash', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://kefu.example.com/' }).publicUrl, 'https://kefu.example.com');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://kefu.example.com/bridge/' }).publicUrl, 'https://kefu.example.com/bridge');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://kefu.example.com', PORT: '9000' }).publicUrl, 'https://kefu.example.com');
  });

  for (const off of ['false', 'FALSE', '0', 'no']) {
    test(`DEMO=${off} turns the demo off`, () => {
      assert.equal(loadConfig({ DEMO: off }).DEMO, false);
    });
  }

  test('DEMO=true and DEMO=1 keep it on', () => {
    assert.equal(loadConfig({ DEMO: 'true' }).DEMO, true);
    assert.equal(loadConfig({ DEMO: '1' }).DEMO, true);
  });
});

describe('loadConfig treats empty strings as unset', () => {
  test('optional URLs and secrets', () => {
    const c = loadConfig({
      DATABASE_URL: '',
      REDIS_URL: ' ',
      MODEL_BASE_URL: '',
      MODEL_API_KEY: '',
      MASTER_KEY: '',
      ADMIN_TOKEN: '',
      ADMIN_EMAIL: '',
      ADMIN_PASSWORD: '',
      PUBLIC_URL: '',
    });
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'MODEL_BASE_URL', 'MODEL_API_KEY', 'MASTER_KEY', 'ADMIN_TOKEN', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'PUBLIC_URL'] as const) {
      assert.equal(c[key], undefined, key);
    }
    assert.equal(c.publicUrl, 'http://localhost:3000');
  });

  test('an empty DEMO keeps the default (on)', () => {
    assert.equal(loadConfig({ DEMO: '' }).DEMO, true);
  });

  test('an empty PORT listens on 3000', () => {
    const c = loadConfig({ PORT: '' });
    assert.equal(c.PORT, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
  });

  test(
    'an empty WEBHOOK_MAX_SKEW_S keeps the 300 s timestamp check',
    {},
    () => {
      assert.equal(loadConfig({ WEBHOOK_MAX_SKEW_S: '' }).WEBHOOK_MAX_SKEW_S, 300);
    },
  );

  test(
    'every other defaulted variable falls back to its default when empty',
    {},
    () => {
      const defaults = loadConfig({});
      const keys = [
        'HOST', 'ROLE', 'DATA_DIR', 'QUEUE_PREFIX', 'MODEL_NAME', 'MODEL_TIMEOUT_MS', 'WECOM_API_BASE', 'DINGTALK_API_BASE',
        'DINGTALK_OAPI_BASE', 'LOG_LEVEL', 'TURN_COALESCE_MS', 'SWEEP_INTERVAL_MS', 'WORKER_CONCURRENCY', 'DB_POOL_SIZE',
      ] as const;
      const wrong: string[] = [];
      for (const key of keys) {
        try {
          const value = loadConfig({ [key]: '' })[key];
          if (value !== defaults[key]) wrong.push(`${key}=${JSON.stringify(value)}`);
        } catch (err) {
          wrong.push(`${key} throws (${(err as Error).message})`);
        }
      }
      assert.deepEqual(wrong, []);
    },
  );
});
