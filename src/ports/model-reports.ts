/** issue 13 item 4: adapter evaluation reports (/tmp contract: report-format), stored as uploaded. */

/** The report object as uploaded (validated at the edge; unknown keys kept). */
export type ModelReportBody = Record<string, unknown> & { model: string };

export interface StoredModelReport {
  id: string;
  modelName: string;
  report: ModelReportBody;
  uploadedBy: string;
  /** The uploader's e-mail; null for the API token, which is no user. */
  uploadedByEmail: string | null;
  createdAt: Date;
}

export interface ModelReportStore {
  add(modelName: string, report: ModelReportBody, uploadedBy: string): Promise<StoredModelReport>;
  /** Newest first. */
  listFor(modelName: string, limit: number): Promise<StoredModelReport[]>;
  /** The newest report of each named adapter that has one. */
  latestFor(modelNames: readonly string[]): Promise<Map<string, StoredModelReport>>;
  /** Names of every adapter with at least one report. */
  reportedNames(): Promise<string[]>;
}
