import type { CoreDeps } from './deps.js';
import { reportView, type ReportView } from './upload-model-report.js';

export interface AdapterView {
  name: string;
  parent: string | null;
  /** A base model rather than a LoRA module. */
  isBase: boolean;
  latestReport: ReportView | null;
}

export interface ChannelAdapters {
  channelId: string;
  channelName: string;
  live: string | null;
  threshold: number;
  shadow: string | null;
  previous: string | null;
}

/** GET /api/models (issue 13 item 4). */
export interface ModelsOverview {
  node: { configured: boolean; available: boolean; error: string | null };
  defaultModel: string;
  adapters: AdapterView[];
  channels: ChannelAdapters[];
}

/**
 * The adapters the model node serves, each with its newest evaluation report, and which adapter
 * each channel uses. With the node down, the adapters known here (a report, a channel naming them)
 * are still listed, so the page can promote or roll back while the node is away.
 */
export async function listModels(deps: CoreDeps): Promise<ModelsOverview> {
  const [listing, channelList] = await Promise.all([deps.models.list(), deps.channelRepository.list()]);
  const channels: ChannelAdapters[] = channelList.map((c) => ({
    channelId: c.id,
    channelName: c.name,
    live: c.model.name ?? null,
    threshold: c.model.threshold,
    shadow: c.model.shadowName ?? null,
    previous: c.model.previousName ?? null,
  }));
  const parents = new Map<string, string | null>(listing.models.map((m) => [m.name, m.parent]));
  if (!listing.available) {
    const known = [...(await deps.modelReports.reportedNames()), ...channels.flatMap((c) => [c.live, c.shadow, c.previous])];
    for (const name of known) if (name && !parents.has(name)) parents.set(name, null);
  }
  const latest = await deps.modelReports.latestFor([...parents.keys()]);
  const adapters = [...parents].map(([name, parent]) => {
    const report = latest.get(name);
    return { name, parent, isBase: parent === null || parent === name, latestReport: report ? reportView(report) : null };
  });
  return { node: { configured: listing.configured, available: listing.available, error: listing.error }, defaultModel: deps.settings.defaultModelName, adapters, channels };
}
