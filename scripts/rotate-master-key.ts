/**
 * npm run rotate-master-key                          re-seal every channel's secrets under the new key
 * npm run rotate-master-key -- --generate            print a new key (base64, 32 bytes) and exit
 * npm run rotate-master-key -- --new-key-file FILE   embedded set-up: rotate to the key in FILE, not a generated one
 * npm run rotate-master-key -- --service-stopped     the key in DATA_DIR with DATABASE_URL: confirms no process uses the database
 *
 * issue 16 item 6. With MASTER_KEY set (PostgreSQL, replicas running): run it with the replicas'
 * environment, MASTER_KEY = the new key and MASTER_KEY_PREVIOUS = the old one, once every replica
 * runs with both. Without MASTER_KEY (the key in DATA_DIR/master.key): stop the service first (an
 * embedded database opens in one process at a time; with DATABASE_URL nothing can tell, so the
 * operator confirms it with --service-stopped); the command writes the new key to master.key
 * and keeps the old one in master.key.previous until every row opens with the new key alone.
 * Either way it ends non-zero, keeping the old key needed, when a process holding only the old key
 * sealed a channel during the run (review of issue 16 item 6). Idempotent: a re-run
 * re-seals nothing, or finishes what an interrupted run left (in the embedded set-up, a run without
 * --new-key-file after a finished one rotates again, to a fresh key).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../src/config.js';
import { openPglite, openPostgres, type Database } from '../src/db/database.js';
import { findUnreadableSecrets } from '../src/db/master-key-check.js';
import { finishKeyFileRotation, stageNewKeyFile } from '../src/db/master-key-file-rotation.js';
import { findSecretsNotUnderCurrentKey, nameChannels, resealChannelSecrets, UnreadableSecretsError, type RotationReport } from '../src/db/master-key-rotation.js';
import { createSecretCipher, keyFilePath, loadMasterKeys, parseMasterKey, previousKeyFilePath } from '../src/db/secret-cipher.js';
import { waitForPostgres } from '../src/db/wait-for-postgres.js';
import { createLogger, type Logger } from '../src/logger.js';

const USAGE = 'usage: npm run rotate-master-key [-- [--new-key-file FILE] [--service-stopped]] | npm run rotate-master-key -- --generate';

function fail(message: string, code = 1): never {
  console.error(`rotate-master-key: ${message}`);
  if (code === 2) console.error(USAGE);
  process.exit(code);
}

interface Options { generate: boolean; newKeyFile?: string; serviceStopped: boolean }

function parseOptions(argv: string[]): Options {
  try {
    const { values } = parseArgs({ args: argv, options: { generate: { type: 'boolean' }, 'new-key-file': { type: 'string' }, 'service-stopped': { type: 'boolean' } }, strict: true });
    return { generate: values.generate ?? false, newKeyFile: values['new-key-file'], serviceStopped: values['service-stopped'] ?? false };
  } catch (err) {
    fail((err as Error).message, 2);
  }
}

async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, 2, logger) : await openPglite(join(config.DATA_DIR, 'pg'));
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    await waitForPostgres(db, `${url.hostname}:${url.port || 5432}${url.pathname}`, logger);
  }
  return db;
}

/** MASTER_KEY set: the keys come from the environment and stay there; the operator moves them. */
async function rotateWithEnvironmentKeys(db: Database, config: Config, logger: Logger): Promise<RotationReport> {
  const keys = loadMasterKeys(config, logger);
  const cipher = createSecretCipher(keys.current, ...keys.previous);
  const report = await resealChannelSecrets(db, cipher);
  const left = await findSecretsNotUnderCurrentKey(db, cipher);
  if (left.length > 0) {
    throw new Error(`${nameChannels(left)} were saved under the old key while the command ran, by a replica holding the old MASTER_KEY alone; ` +
      'they still need MASTER_KEY_PREVIOUS: give every replica MASTER_KEY=new and MASTER_KEY_PREVIOUS=old (restart them), then run the command again');
  }
  return report;
}

/** The key in DATA_DIR/master.key: checked with the keys on disk first, so a refusal writes no file. */
async function rotateKeyFile(db: Database, config: Config, newKey: Buffer | null, logger: Logger): Promise<RotationReport> {
  const onDisk = loadMasterKeys(config, logger);
  const unreadable = await findUnreadableSecrets(db, createSecretCipher(onDisk.current, ...onDisk.previous));
  if (unreadable.length > 0) throw new UnreadableSecretsError(unreadable);
  const staged = stageNewKeyFile(config.DATA_DIR, newKey, logger);
  if (staged.resumed) console.log(`finishing the rotation an earlier run left in ${config.DATA_DIR}`);
  const cipher = createSecretCipher(staged.current, ...(staged.previous ? [staged.previous] : []));
  const report = await resealChannelSecrets(db, cipher);
  // master.key.previous goes only once the new key alone opens every row: a process that kept the
  // old key in memory may have sealed one again meanwhile, and then the old key is all that opens it.
  const left = [...new Set([...(await findSecretsNotUnderCurrentKey(db, cipher)), ...(await findUnreadableSecrets(db, createSecretCipher(staged.current)))])];
  if (left.length > 0) {
    throw new Error(`${nameChannels(left)} were saved under the old key while the command ran, by a process still using it: ` +
      `${previousKeyFilePath(config.DATA_DIR)} is kept. Stop every process that uses this database, then run the command again to finish`);
  }
  finishKeyFileRotation(config.DATA_DIR);
  console.log(`${keyFilePath(config.DATA_DIR)} holds the new key (back it up now); ${previousKeyFilePath(config.DATA_DIR)} was removed`);
  return report;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.generate) {
    console.log(randomBytes(32).toString('base64'));
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  if (options.newKeyFile && config.MASTER_KEY) fail('--new-key-file is for the key file in DATA_DIR; with MASTER_KEY set, pass the new key as MASTER_KEY and the old one as MASTER_KEY_PREVIOUS', 2);
  if (options.serviceStopped && config.MASTER_KEY) fail('--service-stopped is for the key file in DATA_DIR; with MASTER_KEY set, replicas keep running with MASTER_KEY=new and MASTER_KEY_PREVIOUS=old', 2);
  // Other processes on this PostgreSQL read the old key file once, at start, and keep sealing with
  // it: nothing here can see them, so the operator confirms they are stopped (an embedded database
  // is guarded by its lock file instead: openPglite).
  if (!config.MASTER_KEY && config.DATABASE_URL && !options.serviceStopped) {
    fail(`the key is in ${keyFilePath(config.DATA_DIR)} and the database is PostgreSQL (DATABASE_URL): stop every process of the service that uses it, ` +
      'then run the command again with --service-stopped (to rotate with replicas running, give them the key as MASTER_KEY and use MASTER_KEY_PREVIOUS instead)', 2);
  }
  // Every key is checked before the database is opened: a bad one changes nothing.
  const newKey = options.newKeyFile ? parseMasterKey(readKeyFile(options.newKeyFile), `--new-key-file ${options.newKeyFile}`) : null;
  if (config.MASTER_KEY) loadMasterKeys(config, logger);
  else if (!existsSync(keyFilePath(config.DATA_DIR))) fail(`MASTER_KEY is not set and there is no key file ${keyFilePath(config.DATA_DIR)}: nothing to rotate`);
  const db = await openDatabase(config, logger);
  try {
    const present = await db.query<{ t: string | null }>(`SELECT to_regclass('channels')::text AS t`);
    if (!present.rows[0]?.t) {
      console.log('the database has no channels table yet (the service never started on it): nothing to rotate');
      return;
    }
    const report = config.MASTER_KEY ? await rotateWithEnvironmentKeys(db, config, logger) : await rotateKeyFile(db, config, newKey, logger);
    console.log(`re-sealed: ${report.resealed}  already under the new key: ${report.alreadyCurrent}  without secrets: ${report.withoutSecrets}  (key id ${report.keyId})`);
  } finally {
    await db.close();
  }
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read --new-key-file ${path}: ${(err as Error).message}`, 2);
  }
}

main().catch((err) => {
  fail((err as Error).message);
});
