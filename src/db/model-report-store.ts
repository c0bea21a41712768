import type { ModelReportBody, ModelReportStore, StoredModelReport } from '../ports/model-reports.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/** Reports with their uploader's e-mail (none for the API token, which is no user). */
const WITH_UPLOADER = 'SELECT m.*, u.email AS uploader_email FROM model_reports m LEFT JOIN users u ON u.id = m.uploaded_by';

const toReport = (r: Row): StoredModelReport => ({
  id: String(r.id),
  modelName: String(r.model_name),
  report: (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as ModelReportBody,
  uploadedBy: String(r.uploaded_by),
  uploadedByEmail: r.uploader_email ? String(r.uploader_email) : null,
  createdAt: new Date(r.created_at as string),
});

/** issue 13 item 4: model_reports (migrations/011_model_rollout.sql). */
export function createModelReportStore(db: Database): ModelReportStore {
  return {
    async add(modelName, report, uploadedBy) {
      const r = await db.query<Row>(
        `WITH m AS (INSERT INTO model_reports (model_name, report, uploaded_by) VALUES ($1, $2, $3) RETURNING *)
         SELECT m.*, u.email AS uploader_email FROM m LEFT JOIN users u ON u.id = m.uploaded_by`,
        [modelName, JSON.stringify(report), uploadedBy],
      );
      return toReport(r.rows[0]);
    },
    async listFor(modelName, limit) {
      const r = await db.query<Row>(`${WITH_UPLOADER} WHERE m.model_name = $1 ORDER BY m.id DESC LIMIT $2`, [modelName, limit]);
      return r.rows.map(toReport);
    },
    async latestFor(modelNames) {
      const latest = new Map<string, StoredModelReport>();
      if (modelNames.length === 0) return latest;
      const r = await db.query<Row>(
        `SELECT DISTINCT ON (m.model_name) m.*, u.email AS uploader_email FROM model_reports m LEFT JOIN users u ON u.id = m.uploaded_by
         WHERE m.model_name = ANY($1::text[]) ORDER BY m.model_name, m.id DESC`,
        [[...modelNames]],
      );
      for (const row of r.rows) latest.set(String(row.model_name), toReport(row));
      return latest;
    },
    async reportedNames() {
      const r = await db.query<Row>('SELECT DISTINCT model_name FROM model_reports ORDER BY model_name');
      return r.rows.map((row) => String(row.model_name));
    },
  };
}
