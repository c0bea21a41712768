import { randomBytes } from 'node:crypto';
import { DEFAULT_TARGET_WRONG_RATE, type Channel, type ChannelKind } from '../domain/channel.js';
import type { ChannelPatch, ChannelRepository, ChannelUpdateCondition, NewChannel } from '../ports/channel-repository.js';
import type { Database } from './database.js';
import type { SecretCipher } from './secret-cipher.js';

interface ChannelRow {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  bot_enabled: boolean;
  config: Record<string, unknown>;
  secrets: string | null;
  model: Channel['model'];
  handoff: Channel['handoff'];
  welcome_message: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Splits a config into the part stored in clear and the secrets sealed as one blob. */
function splitSecrets(config: Record<string, unknown>, secretFields: readonly string[]) {
  const clear: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (secretFields.includes(k) ? secret : clear)[k] = v;
  return { clear, secret };
}

export function createChannelRepository(db: Database, cipher: SecretCipher): ChannelRepository {
  const toChannel = (row: ChannelRow): Channel => {
    const secrets = row.secrets ? (JSON.parse(cipher.open(row.secrets, row.id)) as Record<string, unknown>) : {};
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      enabled: row.enabled,
      botEnabled: row.bot_enabled,
      config: { ...row.config, ...secrets },
      // Channels stored before issue 12 have no calibration target: the default applies.
      model: { ...row.model, targetWrongRate: row.model.targetWrongRate ?? DEFAULT_TARGET_WRONG_RATE },
      handoff: row.handoff,
      welcomeMessage: row.welcome_message,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  };
  const get = async (id: string) => {
    const r = await db.query<ChannelRow>('SELECT * FROM channels WHERE id = $1', [id]);
    return r.rows[0] ? toChannel(r.rows[0]) : null;
  };

  return {
    async create(input: NewChannel) {
      const id = 'ch_' + randomBytes(6).toString('hex');
      const { clear, secret } = splitSecrets(input.config, input.secretFields);
      const r = await db.query<ChannelRow>(
        `INSERT INTO channels (id, kind, name, enabled, bot_enabled, config, secrets, model, handoff, welcome_message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [id, input.kind, input.name, input.enabled, input.botEnabled, JSON.stringify(clear),
         cipher.seal(JSON.stringify(secret), id), JSON.stringify(input.model), JSON.stringify(input.handoff), input.welcomeMessage],
      );
      return toChannel(r.rows[0]);
    },
    get,
    async list() {
      const r = await db.query<ChannelRow>('SELECT * FROM channels ORDER BY created_at, id');
      return r.rows.map(toChannel);
    },
    async update(id: string, patch: ChannelPatch, when?: ChannelUpdateCondition) {
      // Config and secrets change together or not at all: a toggle must not touch the sealed blob.
      const split = patch.config ? splitSecrets(patch.config, patch.secretFields ?? []) : null;
      // One statement, each column kept unless the patch names it: no read-then-write here that
      // could put back what another request changed in between (issue 13 item 4, review item 1).
      // With `when`, the model read by the caller must still be the stored one, compared as
      // toChannel shows it (a stored model without targetWrongRate reads with the default).
      const r = await db.query<ChannelRow>(
        `UPDATE channels SET name = COALESCE($2, name), enabled = COALESCE($3, enabled), bot_enabled = COALESCE($4, bot_enabled),
           config = COALESCE($5, config), secrets = COALESCE($6, secrets), model = COALESCE($7, model), handoff = COALESCE($8, handoff),
           welcome_message = CASE WHEN $9::boolean THEN $10 ELSE welcome_message END, updated_at = now()
         WHERE id = $1 AND ($11::jsonb IS NULL
           OR (CASE WHEN model ? 'targetWrongRate' THEN model ELSE model || jsonb_build_object('targetWrongRate', $12::float8) END) = $11::jsonb)
         RETURNING *`,
        [id, patch.name ?? null, patch.enabled ?? null, patch.botEnabled ?? null,
         split ? JSON.stringify(split.clear) : null, split ? cipher.seal(JSON.stringify(split.secret), id) : null,
         patch.model ? JSON.stringify(patch.model) : null, patch.handoff ? JSON.stringify(patch.handoff) : null,
         patch.welcomeMessage !== undefined, patch.welcomeMessage ?? null,
         when ? JSON.stringify(when.model) : null, DEFAULT_TARGET_WRONG_RATE],
      );
      return r.rows[0] ? toChannel(r.rows[0]) : null;
    },
    async delete(id: string) {
      const r = await db.query('DELETE FROM channels WHERE id = $1', [id]);
      return r.rowCount > 0;
    },
  };
}
