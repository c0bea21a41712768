/**
 * npm run training:export -- --out DIR [--stage basic|promotion|emotion] [--since ISO] [--k 5] [--heldout 0.15]
 *
 * Writes train.jsonl, heldout.jsonl and report.json (issue 13 item 1) from the service's database:
 * DATABASE_URL like the service, or the embedded database in DATA_DIR when unset (stop the service
 * first then: an embedded database opens in one process at a time). Same pipeline as
 * GET /api/export/training/*; the settings come from the same TRAINING_* variables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, trainingSettingsOf } from '../src/config.js';
import { createChannelRepository } from '../src/db/channel-repository.js';
import { openPglite, openPostgres, type Database } from '../src/db/database.js';
import { createKnowledgeRepository } from '../src/db/knowledge-repository.js';
import { migrate } from '../src/db/migrate.js';
import { createSecretCipher, loadMasterKeys } from '../src/db/secret-cipher.js';
import { createTrainingDataSource } from '../src/db/training-data-source.js';
import { waitForPostgres } from '../src/db/wait-for-postgres.js';
import { parseIsoDate } from '../src/domain/training/since.js';
import { isTrainingStage, TRAINING_STAGES } from '../src/domain/training/types.js';
import { createLogger } from '../src/logger.js';
import { asksAboutOwnRecords } from '../src/model/knowledge-base-responder.js';
import { migrationsDir } from '../src/paths.js';
import { systemClock } from '../src/ports/clock.js';
import { buildTrainingExport, toJsonl, type TrainingExportQuery } from '../src/usecases/export-training-data.js';

const USAGE = 'usage: npm run training:export -- --out DIR [--stage basic|promotion|emotion] [--since ISO] [--k 5] [--heldout 0.15]';

function fail(message: string): never {
  console.error(`training:export: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseQuery(argv: string[]): { out: string; query: TrainingExportQuery } {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: argv, options: { out: { type: 'string' }, stage: { type: 'string' }, since: { type: 'string' }, k: { type: 'string' }, heldout: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (!values.out) fail('--out DIR is required');
  if (values.stage !== undefined && !isTrainingStage(values.stage)) fail(`--stage must be one of ${TRAINING_STAGES.join(', ')}`);
  // ISO 8601 only (issue 13 item 1: `--since 0` was read as 2000-01-01).
  const since = values.since === undefined ? new Date(0) : parseIsoDate(values.since);
  if (!since) fail('--since must be an ISO 8601 date or date-time, e.g. 2025-01-01 or 2025-01-01T08:00:00+08:00');
  const k = values.k === undefined ? undefined : Number(values.k);
  if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= 1000)) fail('--k must be a whole number from 1 to 1000');
  const heldout = values.heldout === undefined ? undefined : Number(values.heldout);
  if (heldout !== undefined && !(Number.isFinite(heldout) && heldout >= 0 && heldout <= 0.9)) fail('--heldout must be a share from 0 to 0.9');
  return { out: resolve(values.out), query: { since, stage: (values.stage as TrainingExportQuery['stage']) ?? null, phrasingsPerAnswer: k, heldoutShare: heldout } };
}

async function main(): Promise<void> {
  const { out, query } = parseQuery(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const db: Database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, 2, logger) : await openPglite(join(config.DATA_DIR, 'pg'));
  try {
    if (config.DATABASE_URL) {
      const url = new URL(config.DATABASE_URL);
      await waitForPostgres(db, `${url.hostname}:${url.port || 5432}${url.pathname}`, logger);
    }
    await migrate(db, migrationsDir, logger);
    const keys = loadMasterKeys(config, logger);
    const cipher = createSecretCipher(keys.current, ...keys.previous);
    const result = await buildTrainingExport(
      {
        trainingData: createTrainingDataSource(db),
        knowledge: createKnowledgeRepository(db),
        channelRepository: createChannelRepository(db, cipher),
        settings: { training: trainingSettingsOf(config) },
        clock: systemClock,
        asksAboutOwnRecords,
      },
      query,
    );
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'train.jsonl'), toJsonl(result.train));
    writeFileSync(join(out, 'heldout.jsonl'), toJsonl(result.heldout));
    writeFileSync(join(out, 'report.json'), JSON.stringify(result.report, null, 2) + '\n');
    console.log(`train.jsonl: ${result.train.length}  heldout.jsonl: ${result.heldout.length}  (from ${result.report.read.total} pairs) → ${out}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(`training:export: ${(err as Error).message}`);
  process.exit(1);
});
