import { assertAdapterName } from '../domain/adapter-name.js';
import { ValidationError } from '../domain/errors.js';
import type { ModelReportBody, StoredModelReport } from '../ports/model-reports.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** The report as the API shows it: as uploaded, plus where it came from. */
export type ReportView = ModelReportBody & { id: string; uploadedBy: string; uploadedByEmail: string | null; uploadedAt: string };

/** GET /api/models/:name/reports answers at most this many, newest first. */
export const REPORTS_LISTED = 20;

export function reportView(stored: StoredModelReport): ReportView {
  return { ...stored.report, id: stored.id, uploadedBy: stored.uploadedBy, uploadedByEmail: stored.uploadedByEmail, uploadedAt: stored.createdAt.toISOString() };
}

/** issue 13 item 4: stores an adapter's evaluation report (npm run eval's JSON), validated at the edge. Audited. */
export async function uploadModelReport(deps: CoreDeps, actor: Actor, modelName: string, report: ModelReportBody): Promise<{ id: string }> {
  assertAdapterName(modelName);
  if (report.model !== modelName) throw new ValidationError(`the report is of ${JSON.stringify(report.model)}, not of ${JSON.stringify(modelName)}`);
  const stored = await deps.modelReports.add(modelName, report, actor.id);
  await deps.audit.record({ actor: actor.id, action: 'model.report', target: `model:${modelName}`, details: { id: stored.id } });
  return { id: stored.id };
}

export async function listModelReports(deps: CoreDeps, modelName: string): Promise<ReportView[]> {
  assertAdapterName(modelName);
  return (await deps.modelReports.listFor(modelName, REPORTS_LISTED)).map(reportView);
}
