import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannelRepository } from '../../src/db/channel-repository.js';
import { openPglite, openPostgres, type Database } from '../../src/db/database.js';
import { stageNewKeyFile } from '../../src/db/master-key-file-rotation.js';
import { createSecretCipher, masterKeyId, parseMasterKey } from '../../src/db/secret-cipher.js';
import { createLogger } from '../../src/logger.js';
import { projectRoot } from '../../src/paths.js';
import { startChildService } from '../support/child-service.js';
import { createStorage, mode, startTestService, testEnv, waitFor, type Storage } from '../support/harness.js';
import { createWecomChannel, newWecomApp } from '../support/wecom-channel.js';

/** issue 16 item 6: `npm run rotate-master-key`, run as a user runs it, against channels made through the API. */
const CHANNELS = 4;
const FILE_KEY = { MASTER_KEY: '' }; // '' is "unset" to the config: the key comes from DATA_DIR/master.key
/** With DATABASE_URL the key-file rotation runs only once the operator confirms no process uses the database. */
const STOPPED = mode === 'real' ? ['--service-stopped'] : [];
const b64 = (key: Buffer) => key.toString('base64');

interface Run { code: number; stdout: string; stderr: string }

function rotate(storage: Storage, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/rotate-master-key.ts', ...args], { cwd: projectRoot, env: { ...process.env, ...testEnv(storage, env) } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

/** The database as the service sees it; in embedded mode only while no service has it open. */
async function withDb<T>(storage: Storage, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = storage.env.DATABASE_URL ? openPostgres(storage.env.DATABASE_URL, 3, createLogger('silent')) : await openPglite(join(storage.dataDir, 'pg'));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Channel ids in the order the command re-seals them. */
const channelIds = (db: Database) => db.query<{ id: string }>('SELECT id FROM channels ORDER BY created_at, id').then((r) => r.rows.map((row) => row.id));

/** What a process holding only `key` does when it saves the channel: seal it again under that key. */
async function saveWithOnly(db: Database, key: Buffer, id: string, opener: Buffer[]): Promise<void> {
  const { rows } = await db.query<{ secrets: string }>('SELECT secrets FROM channels WHERE id = $1', [id]);
  const plain = createSecretCipher(opener[0], ...opener.slice(1)).open(rows[0].secrets, id);
  await db.query('UPDATE channels SET secrets = $2 WHERE id = $1', [id, createSecretCipher(key).seal(plain, id)]);
}

/**
 * Runs the command while this test holds the last channel's row, and calls `meanwhile` once the
 * command waits for it: every other row has been re-sealed by then, so what `meanwhile` writes
 * lands after the command passed those rows and before its final check.
 */
async function rotateAroundHeldRow(storage: Storage, env: Record<string, string>, args: string[], meanwhile: (db: Database, ids: string[]) => Promise<void>): Promise<Run> {
  return withDb(storage, async (db) => {
    const ids = await channelIds(db);
    let run: Promise<Run> | undefined;
    await db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM channels WHERE id = $1 FOR UPDATE', [ids[ids.length - 1]]);
      run = rotate(storage, env, args);
      await waitFor('the command to wait for the held row', async () =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n > 0, 30000);
      await meanwhile(db, ids);
    });
    return run!;
  });
}

const rawSecrets = (storage: Storage) =>
  withDb(storage, async (db) => (await db.query<{ id: string; secrets: string }>('SELECT id, secrets FROM channels ORDER BY id')).rows);

/** Each channel's WeCom secret, opened through the repository with only the keys given. */
const secretsWith = (storage: Storage, ...keys: Buffer[]) =>
  withDb(storage, async (db) => {
    const channels = await createChannelRepository(db, createSecretCipher(keys[0], ...keys.slice(1))).list();
    return Object.fromEntries(channels.map((c) => [c.id, String(c.config.secret)]));
  });

/** Channels with secrets, created through POST /api/channels under the storage's current key. */
async function createChannels(storage: Storage, overrides: Record<string, string>): Promise<Record<string, string>> {
  const svc = await startTestService(storage, overrides);
  const expected: Record<string, string> = {};
  try {
    for (let i = 0; i < CHANNELS; i++) {
      const app = newWecomApp();
      expected[await createWecomChannel(svc, app)] = app.secret;
    }
  } finally {
    await svc.close();
  }
  return expected;
}

/** In a process of its own: a start refused in this one would leave the embedded database open here. */
async function assertRefusedAtStart(storage: Storage, overrides: Record<string, string>, source: RegExp): Promise<void> {
  await assert.rejects(startChildService(storage, overrides), (err: Error) => {
    assert.match(err.message, /cannot decrypt the channel secrets/);
    assert.match(err.message, source);
    return true;
  });
}

describe(`rotating MASTER_KEY given in the environment (${mode})`, () => {
  let storage: Storage;
  let expected: Record<string, string>;
  const newKey = randomBytes(32);
  let oldKey: Buffer;
  const both = () => ({ MASTER_KEY: b64(newKey), MASTER_KEY_PREVIOUS: b64(oldKey) });

  before(async () => {
    storage = await createStorage();
    oldKey = parseMasterKey(storage.env.MASTER_KEY, 'MASTER_KEY');
    expected = await createChannels(storage, {});
  });
  after(async () => {
    await storage?.dispose();
  });

  test('(v) a bad key, or a new key without the old one, is a clear error and changes nothing', async () => {
    const before = await rawSecrets(storage);
    for (const [env, message] of [
      [{ MASTER_KEY: 'not base64!', MASTER_KEY_PREVIOUS: b64(oldKey) }, /MASTER_KEY must be 32 random bytes encoded in base64/],
      [{ MASTER_KEY: b64(randomBytes(16)), MASTER_KEY_PREVIOUS: b64(oldKey) }, /MASTER_KEY must be 32 random bytes/],
      [{ MASTER_KEY: b64(newKey), MASTER_KEY_PREVIOUS: b64(oldKey).slice(0, 40) }, /MASTER_KEY_PREVIOUS must be 32 random bytes/],
      [{ MASTER_KEY: b64(newKey) }, new RegExp(`${CHANNELS} channel\\(s\\) cannot be opened with the keys given.*nothing was changed`)],
    ] as const) {
      const run = await rotate(storage, env);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, message);
    }
    assert.deepEqual(await rawSecrets(storage), before);
  });

  test('(iii) a replica holding old and new reads every row throughout; an admin edit saved mid-rotation is kept', { skip: mode !== 'real' && 'the embedded database opens in one process: the command runs with the service stopped' }, async () => {
    const replica = await startTestService(storage, both());
    // The command re-seals in creation order: holding the last channel leaves the others under the new key meanwhile.
    const held = await withDb(storage, async (db) => (await db.query<{ id: string }>('SELECT id FROM channels ORDER BY created_at DESC, id DESC LIMIT 1')).rows[0].id);
    const newKid = `v2:${masterKeyId(newKey)}:`;
    let reads = 0;
    let running = true;
    const reading = (async () => {
      while (running) {
        const list = await replica.api('GET', '/api/channels');
        assert.equal(list.status, 200, JSON.stringify(list.body));
        assert.equal(list.body.items.length, CHANNELS);
        reads++;
      }
    })();
    try {
      await withDb(storage, async (db) => {
        const edited = { ...(await secretsWith(storage, oldKey)), [held]: 'edited-during-rotation' };
        let run: Promise<Run> | undefined;
        await db.transaction(async (tx) => {
          // An admin's save of one channel holds its row while the command runs.
          await tx.query('SELECT 1 FROM channels WHERE id = $1 FOR UPDATE', [held]);
          run = rotate(storage, both());
          await waitFor('the command to wait for the held row', async () =>
            (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n > 0, 30000);
          const underNew = (await db.query<{ secrets: string }>('SELECT secrets FROM channels')).rows.filter((r) => r.secrets.startsWith(newKid));
          assert.equal(underNew.length, CHANNELS - 1, 'every other channel is under the new key while this one is held');
          const readsBefore = reads;
          await waitFor('the replica to read the channels while the rows are under two keys', () => reads > readsBefore + 2);
          const { rows } = await tx.query<{ secrets: string }>('SELECT secrets FROM channels WHERE id = $1', [held]);
          const config = JSON.parse(createSecretCipher(oldKey).open(rows[0].secrets, held)) as Record<string, unknown>;
          await tx.query('UPDATE channels SET secrets = $2 WHERE id = $1', [held, createSecretCipher(newKey, oldKey).seal(JSON.stringify({ ...config, secret: edited[held] }), held)]);
        });
        const result = await run!;
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`re-sealed: ${CHANNELS - 1}  already under the new key: 1`));
        assert.deepEqual(await secretsWith(storage, newKey), edited, 'the edit saved during the rotation survived it');
        expected = edited;
      });
    } finally {
      running = false;
      await reading;
      await replica.close();
    }
  });

  test('(vi) a channel a replica with only the old key saves after the command passed it: exit 1 naming it, nothing lost, a re-run finishes', { skip: mode !== 'real' && 'the embedded database opens in one process: no replica runs beside the command' }, async () => {
    const newKid = `v2:${masterKeyId(newKey)}:`;
    let first = '';
    await withDb(storage, async (db) => {
      first = (await channelIds(db))[0];
      await saveWithOnly(db, oldKey, first, [newKey, oldKey]); // so that the command re-seals it first
    });
    const run = await rotateAroundHeldRow(storage, both(), [], async (db) => {
      const { rows } = await db.query<{ secrets: string }>('SELECT secrets FROM channels WHERE id = $1', [first]);
      assert.ok(rows[0].secrets.startsWith(newKid), 'the command re-sealed the first channel before reaching the held one');
      await saveWithOnly(db, oldKey, first, [newKey]);
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`1 channel\\(s\\): ${first} were saved under the old key while the command ran`));
    assert.match(run.stderr, /MASTER_KEY=new and MASTER_KEY_PREVIOUS=old.*run the command again/);
    assert.deepEqual(await secretsWith(storage, newKey, oldKey), expected, 'both keys still open everything');
    const again = await rotate(storage, both());
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /re-sealed: 1 {2}/);
  });

  test('(i) after the command the new key alone opens every secret; (ii) the old key alone is refused at start', async () => {
    const run = await rotate(storage, both());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`key id ${masterKeyId(newKey)}`));
    assert.ok((await rawSecrets(storage)).every((r) => r.secrets.startsWith(`v2:${masterKeyId(newKey)}:`)));
    assert.deepEqual(await secretsWith(storage, newKey), expected);
    const svc = await startTestService(storage, { MASTER_KEY: b64(newKey) });
    assert.equal((await svc.api('GET', '/api/channels')).status, 200);
    await svc.close();
    await assertRefusedAtStart(storage, { MASTER_KEY: b64(oldKey) }, /MASTER_KEY/);
  });

  test('(iv) running it again changes nothing', async () => {
    const before = await rawSecrets(storage);
    for (const env of [both(), { MASTER_KEY: b64(newKey) }]) {
      const run = await rotate(storage, env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`re-sealed: 0  already under the new key: ${CHANNELS}`));
    }
    assert.deepEqual(await rawSecrets(storage), before);
  });
});

describe(`rotating the key kept in DATA_DIR/master.key (${mode})`, () => {
  let storage: Storage;
  let expected: Record<string, string>;
  let keyFile: string;
  let oldKey: Buffer;
  const newKey = randomBytes(32);
  const scratch = mkdtempSync(join(tmpdir(), 'kefu-keys-'));
  const keyOnDisk = () => parseMasterKey(readFileSync(keyFile, 'utf8'), 'master.key');

  before(async () => {
    storage = await createStorage();
    expected = await createChannels(storage, FILE_KEY);
    keyFile = join(storage.dataDir, 'master.key');
    oldKey = keyOnDisk();
  });
  after(async () => {
    await storage?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('(v) a bad --new-key-file is a clear error and changes nothing', async () => {
    const before = await rawSecrets(storage);
    const cases: [string, RegExp][] = [
      ['not base64!!', /--new-key-file .* must be 32 random bytes encoded in base64/],
      [b64(randomBytes(31)), /must be 32 random bytes/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(scratch, 'bad.key'), content + '\n');
      const run = await rotate(storage, FILE_KEY, ['--new-key-file', join(scratch, 'bad.key'), ...STOPPED]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, message);
    }
    const missing = await rotate(storage, FILE_KEY, ['--new-key-file', join(scratch, 'absent.key'), ...STOPPED]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read --new-key-file/);
    assert.deepEqual(keyOnDisk(), oldKey);
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await rawSecrets(storage), before);
  });

  test('(i) it rotates to the key given; the new key file alone opens everything; (ii) the old key is refused at start', async () => {
    writeFileSync(join(scratch, 'new.key'), b64(newKey) + '\n', { mode: 0o600 });
    const run = await rotate(storage, FILE_KEY, ['--new-key-file', join(scratch, 'new.key'), ...STOPPED]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`re-sealed: ${CHANNELS}  already under the new key: 0`));
    assert.deepEqual(keyOnDisk(), newKey);
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await secretsWith(storage, newKey), expected);
    const svc = await startTestService(storage, FILE_KEY);
    await svc.close();
    writeFileSync(keyFile, b64(oldKey) + '\n');
    await assertRefusedAtStart(storage, FILE_KEY, /master\.key/);
    writeFileSync(keyFile, b64(newKey) + '\n');
  });

  test('(iv) running it again with the same key file changes nothing', async () => {
    const before = await rawSecrets(storage);
    const run = await rotate(storage, FILE_KEY, ['--new-key-file', join(scratch, 'new.key'), ...STOPPED]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`re-sealed: 0  already under the new key: ${CHANNELS}`));
    assert.deepEqual(keyOnDisk(), newKey);
    assert.deepEqual(await rawSecrets(storage), before);
  });

  test('(iii) stopped after writing the new key, every secret stays readable and the next run finishes with that key', async () => {
    // What a crash right after the key files were written leaves: master.key new, master.key.previous old.
    const staged = stageNewKeyFile(storage.dataDir, null, createLogger('silent'));
    assert.deepEqual(readFileSync(`${keyFile}.previous`, 'utf8').trim(), b64(newKey));
    const svc = await startTestService(storage, FILE_KEY);
    const app = newWecomApp();
    expected[await createWecomChannel(svc, app)] = app.secret; // sealed under the staged key: rows now under two keys
    assert.equal((await svc.api('GET', '/api/channels')).body.items.length, CHANNELS + 1);
    await svc.close();
    const refused = await rotate(storage, FILE_KEY, ['--new-key-file', join(scratch, 'new.key'), ...STOPPED]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unfinished rotation/);
    const run = await rotate(storage, FILE_KEY, STOPPED);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /finishing the rotation/);
    assert.match(run.stdout, new RegExp(`re-sealed: ${CHANNELS}  already under the new key: 1`));
    assert.deepEqual(keyOnDisk(), staged.current, 'the key staged before the crash, not a third one');
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await secretsWith(storage, staged.current), expected);
    await assertRefusedAtStart(storage, { MASTER_KEY: b64(newKey) }, /MASTER_KEY/);
  });

  test('(vi) with DATABASE_URL it refuses without --service-stopped and changes nothing', { skip: mode !== 'real' && 'needs PostgreSQL' }, async () => {
    const before = { key: keyOnDisk(), rows: await rawSecrets(storage) };
    const run = await rotate(storage, FILE_KEY);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /database is PostgreSQL \(DATABASE_URL\): stop every process .* --service-stopped/);
    assert.deepEqual(keyOnDisk(), before.key);
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await rawSecrets(storage), before.rows);
  });

  test('(vii) a channel sealed with the old key during the run keeps master.key.previous and exits 1; a re-run finishes', { skip: mode !== 'real' && 'the embedded database opens in one process: nothing else can write during the run' }, async () => {
    const oldOnDisk = keyOnDisk();
    const next = randomBytes(32);
    writeFileSync(join(scratch, 'next.key'), b64(next) + '\n', { mode: 0o600 });
    let first = '';
    const run = await rotateAroundHeldRow(storage, FILE_KEY, ['--new-key-file', join(scratch, 'next.key'), ...STOPPED], async (db, ids) => {
      first = ids[0];
      // A process that read master.key before the run, as a service left running would have.
      await saveWithOnly(db, oldOnDisk, first, [next]);
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`1 channel\\(s\\): ${first} were saved under the old key while the command ran.*master\\.key\\.previous is kept`));
    assert.deepEqual(keyOnDisk(), next);
    assert.deepEqual(parseMasterKey(readFileSync(`${keyFile}.previous`, 'utf8'), 'master.key.previous'), oldOnDisk, 'the only key that opens that channel is still on disk');
    assert.deepEqual(await secretsWith(storage, next, oldOnDisk), expected);
    const again = await rotate(storage, FILE_KEY, STOPPED);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /finishing the rotation/);
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await secretsWith(storage, next), expected);
  });

  test('(viii) it refuses while the service has the embedded database open; a lock left by a dead process is taken over', { skip: mode !== 'embedded' && 'the lock guards the embedded database' }, async () => {
    const before = { key: keyOnDisk(), rows: await rawSecrets(storage) };
    const svc = await startTestService(storage, FILE_KEY);
    let refused: Run;
    try {
      refused = await rotate(storage, FILE_KEY);
    } finally {
      await svc.close();
    }
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`the embedded database at .* is open in process ${process.pid}: stop the service first`));
    assert.deepEqual(keyOnDisk(), before.key);
    assert.equal(existsSync(`${keyFile}.previous`), false);
    assert.deepEqual(await rawSecrets(storage), before.rows);
    const lockFile = join(storage.dataDir, 'pg.lock');
    assert.equal(existsSync(lockFile), false, 'close() released the lock');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(lockFile, `${dead.pid}\n`);
    const run = await rotate(storage, FILE_KEY);
    assert.equal(run.code, 0, run.stderr);
    assert.notDeepEqual(keyOnDisk(), before.key);
    assert.deepEqual(await secretsWith(storage, keyOnDisk()), expected);
    assert.equal(existsSync(lockFile), false, 'the command released the lock it took over');
  });
});
